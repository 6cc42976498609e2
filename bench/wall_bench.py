"""The news wall served for real: gunicorn + Redis, measured against nginx serving the same HTML.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/wall_bench.py --posts 1000000

Needs Redis on 127.0.0.1:6379 (db 13 by default, flushed), gunicorn, nginx and wrk (Debian's
nginx-light and wrk). Fills the database once (bench/fill.py), then:

1. Freshness: ``--trials`` times, writes one new post file, runs ``manage.py import_posts`` on it
   in its own process, and from the moment that command returns asks gunicorn for ``/`` every
   10 ms until the new headline is there.
2. Throughput: wrk against the home page, a category page and an article, through gunicorn with
   the Redis page cache warm ("cached"), through gunicorn with a cache that keeps nothing
   ("uncached", bench/nocache_settings.py), and through nginx serving the same bytes from disk
   (``gzip_static``: pre-compressed, as finews's cache holds them), all in one run.
"""
import argparse
import datetime
import gzip
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fill import ROOT, fill, setup_django

NGINX_CONF = """
worker_processes auto; daemon off; user root; pid {tmp}/nginx.pid; error_log {tmp}/nginx.err;
events {{ worker_connections 1024; }}
http {{
  access_log off; client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  default_type text/html; gzip_static on;
  server {{ listen 127.0.0.1:{port}; root {tmp}/www; }}
}}
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, compressed=True):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if compressed else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
        return gzip.decompress(body) if response.headers.get("Content-Encoding") == "gzip" else body


def wait_up(url, process):
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"server for {url} exited with {process.returncode}")
        try:
            return fetch(url)
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def wrk(url, args, compressed=True):
    header = ["-H", "Accept-Encoding: gzip"] if compressed else []
    out = subprocess.run(["wrk", "-t", "2", "-c", str(args.connections), "-d", f"{args.seconds}s", "--timeout", "10s",
                          *header, url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), errors.group(0) if errors else ""


def freshness(base, env, trials):
    delays = []
    with tempfile.TemporaryDirectory() as site:
        posts = Path(site) / "_posts"
        posts.mkdir()
        for trial in range(trials):
            title = f"新鲜度测试{trial}-{uuid.uuid4().hex[:6]}"
            now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) - datetime.timedelta(seconds=5)
            (posts / f"{now:%Y-%m-%d}-fresh{uuid.uuid4().hex[:8]}.md").write_text(
                f"---\ntitle: {title}\ndate: {now:%Y-%m-%d %H:%M:%S} +0800\ncategories: emnews\n"
                f"tags: 东财滚动新闻\n---\n正文\n", "utf-8")
            subprocess.run([sys.executable, "manage.py", "import_posts", site, "--quiet"], cwd=ROOT, env=env, check=True)
            returned = time.perf_counter()
            while title.encode() not in fetch(base + "/"):
                if time.perf_counter() - returned > 30:
                    raise SystemExit(f"{title} not on / after 30 s")
                time.sleep(0.01)
            delays.append((time.perf_counter() - returned) * 1000)
            time.sleep(1)
    return sorted(delays)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/finews-bench.sqlite3")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--trials", type=int, default=10)
    args = parser.parse_args()
    os.environ.update(REDIS_URL=args.redis, CACHE_KEY_PREFIX=f"finews-bench-{uuid.uuid4().hex[:6]}",
                      ALLOWED_HOSTS="127.0.0.1,localhost", CONN_MAX_AGE="60")
    setup_django(args.db)
    fill(args.posts, 2000)
    from django.core.cache import cache

    from news.models import Category, Post

    cache.clear()
    big = Category.objects.get(key="emnews")
    pages = {"home": "/", "category": big.get_absolute_url(),
             "article": Post.objects.published().newest_first()[5000].url_path}
    env = dict(os.environ)
    tmp = Path(tempfile.mkdtemp(prefix="finews-wall-"))
    ports = {"cached": free_port(), "uncached": free_port(), "nginx": free_port()}
    gunicorn = [sys.executable, "-m", "gunicorn", "finews.wsgi", "--workers", str(args.workers), "--timeout", "120"]
    servers = [
        subprocess.Popen([*gunicorn, "--bind", f"127.0.0.1:{ports['cached']}"], cwd=ROOT, env=env),
        subprocess.Popen([*gunicorn, "--bind", f"127.0.0.1:{ports['uncached']}"], cwd=ROOT,
                         env={**env, "DJANGO_SETTINGS_MODULE": "bench.nocache_settings"}),
    ]
    try:
        base = f"http://127.0.0.1:{ports['cached']}"
        for name, path in pages.items():
            body = wait_up(base + urllib.request.quote(path), servers[0])
            (tmp / "www").mkdir(exist_ok=True)
            (tmp / "www" / f"{name}.html").write_bytes(body)
            (tmp / "www" / f"{name}.html.gz").write_bytes(gzip.compress(body, 6, mtime=0))
            print(f"{name}: {path} — {len(body):,} bytes, {(tmp / 'www' / f'{name}.html.gz').stat().st_size:,} gzip")
        wait_up(f"http://127.0.0.1:{ports['uncached']}/", servers[1])
        (tmp / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp, port=ports["nginx"]))
        servers.append(subprocess.Popen(["nginx", "-c", str(tmp / "nginx.conf"), "-p", str(tmp)]))
        wait_up(f"http://127.0.0.1:{ports['nginx']}/home.html", servers[-1])

        delays = freshness(base, env, args.trials)
        print(f"\nimport_posts returned → new post on / (gunicorn {args.workers} workers + Redis), {len(delays)} trials: "
              f"median {delays[len(delays) // 2]:.0f} ms, max {delays[-1]:.0f} ms, all {[round(d) for d in delays]}")

        print(f"\nwrk, {args.connections} connections, {args.seconds} s each, requests/s "
              f"(gzip: client sends Accept-Encoding: gzip)")
        print("| page | finews cached, gzip | nginx, gzip | ratio | finews cached, plain | nginx, plain | ratio "
              "| finews uncached, gzip |")
        print("|---|---|---|---|---|---|---|---|")
        for name, path in pages.items():
            quoted = urllib.request.quote(path)
            row = []
            for compressed in (True, False):
                ours, our_errors = wrk(f"http://127.0.0.1:{ports['cached']}{quoted}", args, compressed)
                theirs, _ = wrk(f"http://127.0.0.1:{ports['nginx']}/{name}.html", args, compressed)
                row += [f"{ours:,.0f}{' ' + our_errors if our_errors else ''}", f"{theirs:,.0f}", f"{ours / theirs:.2f}"]
            cold, cold_errors = wrk(f"http://127.0.0.1:{ports['uncached']}{quoted}", args)
            row.append(f"{cold:,.1f}{' ' + cold_errors if cold_errors else ''}")
            print(f"| {name} | " + " | ".join(row) + " |")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        cache.clear()


if __name__ == "__main__":
    main()
