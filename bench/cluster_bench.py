"""Production path, measured: two app servers + worker + nginx (tests/cluster.py) on PostgreSQL
and Redis, against nginx serving the same HTML from disk; the ingestion API's rate and
time-to-visible; and what readers get while Redis, then PostgreSQL, go away and come back.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/cluster_bench.py [--seconds 8]

Uses an already filled database (bench/fill.py) for throughput and ingestion; needs nginx, wrk,
redis-server, and PostgreSQL's server binaries run as the postgres user for the database outage,
which is of a private cluster (initdb on a spare port, a few posts), never the machine's.
"""
import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.cluster import Cluster, free_port, wait_for_port  # noqa: E402

POST = "---\ntitle: {title}\ndate: {date} +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n正文 {n}。\n"


def fetch(url, headers=None, data=None):
    request = urllib.request.Request(url, data=data, headers={"Accept-Encoding": "gzip", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            status = response.status
            encoding = response.headers.get("Content-Encoding")
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    return status, gzip.decompress(body) if encoding == "gzip" else body


def wrk(url, seconds):
    out = subprocess.run(["wrk", "-t", "2", "-c", "16", "-d", f"{seconds}s", "--timeout", "10s",
                          "-H", "Accept-Encoding: gzip", url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), int(errors.group(1)) if errors else 0


def throughput(cluster, seconds, workdir):
    """req/s through nginx + 2 app servers, and from a plain nginx serving the same bytes."""
    from django.db import connection  # noqa: F401 (Django is set up by the caller)

    from news.models import Category, Post

    pages = {"home": "/", "category": Category.objects.get(key="emnews").get_absolute_url(),
             "article": Post.objects.published().newest_first()[5000].url_path}
    www = workdir / "www"
    www.mkdir()
    for name, path in pages.items():
        _, body = fetch(cluster.url() + urllib.request.quote(path))
        (www / f"{name}.html").write_bytes(body)
        (www / f"{name}.html.gz").write_bytes(gzip.compress(body, 6, mtime=0))
    port = free_port()
    conf = workdir / "plain-nginx.conf"
    conf.write_text(f"worker_processes auto; daemon off; user root; pid {workdir}/plain.pid; error_log {workdir}/plain.err;"
                    f"events {{ worker_connections 1024; }} http {{ access_log off; default_type text/html; gzip_static on;"
                    f"client_body_temp_path {workdir}/b; proxy_temp_path {workdir}/p; fastcgi_temp_path {workdir}/f;"
                    f"uwsgi_temp_path {workdir}/u; scgi_temp_path {workdir}/s;"
                    f"server {{ listen 127.0.0.1:{port}; root {www}; }} }}")
    plain = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(workdir)])
    try:
        wait_for_port(port, plain)
        print(f"\nrequests/s, wrk 16 connections, {seconds} s, gzip (one run)")
        print("| page | nginx + 2 app servers (microcache) | app server A direct (page cache) | plain nginx from disk "
              "| ratio front/plain |")
        print("|---|---|---|---|---|")
        for name, path in pages.items():
            quoted = urllib.request.quote(path)
            front, front_errors = wrk(cluster.url() + quoted, seconds)
            direct, _ = wrk(cluster.url("app-a") + quoted, seconds)
            disk, _ = wrk(f"http://127.0.0.1:{port}/{name}.html", seconds)
            print(f"| {name} | {front:,.0f}{f' ({front_errors} errors)' if front_errors else ''} | {direct:,.0f} | "
                  f"{disk:,.0f} | {front / disk:.2f} |")
    finally:
        plain.terminate()
        plain.wait()


def ingestion(cluster, count):
    """API posts/s one per request and 100 per request, and the time from 201 to the post on /."""
    key = subprocess.run([sys.executable, "manage.py", "ingest_token", f"bench-{uuid.uuid4().hex[:6]}"], cwd=ROOT,
                         env=cluster.env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    stamp = uuid.uuid4().hex[:6]

    def item(n):
        return {"path": f"_posts/2026-11-20-bench{stamp}{n}.md",
                "content": POST.format(title=f"接口压测{stamp}{n}", date=f"2026-11-20 10:{n // 60 % 60:02d}:{n % 60:02d}", n=n)}

    started = time.perf_counter()
    for n in range(count):
        status, body = fetch(cluster.url() + "/api/posts/", headers, json.dumps(item(n)).encode())
        assert status == 201, body
    single = count / (time.perf_counter() - started)
    started = time.perf_counter()
    for start in range(count, count * 11, 100):
        status, body = fetch(cluster.url() + "/api/posts/", headers,
                             json.dumps([item(n) for n in range(start, start + 100)]).encode())
        assert status == 200, body[:300]
    batched = count * 10 / (time.perf_counter() - started)
    delays = []
    for n in range(10):
        title = f"可见性{stamp}{n}"
        payload = {"path": f"_posts/2026-11-24-visible{stamp}{n}.md",
                   "content": POST.format(title=title, date=time.strftime("%Y-%m-%d %H:%M:%S"), n=n)}
        status, _ = fetch(cluster.url() + "/api/posts/", headers, json.dumps(payload).encode())
        returned = time.perf_counter()
        while title.encode() not in fetch(cluster.url("app-b") + "/")[1]:
            time.sleep(0.01)
        delays.append((time.perf_counter() - returned) * 1000)
    delays.sort()
    print(f"\nAPI: {single:.0f} posts/s one per request ({count} requests), {batched:.0f} posts/s in batches of 100; "
          f"201 → on / (app server B): median {delays[5]:.0f} ms, max {delays[-1]:.0f} ms")


class Load(threading.Thread):
    """Readers asking for pages every 20 ms; records (time, status) per request."""

    def __init__(self, urls):
        super().__init__(daemon=True)
        self.urls, self.results, self.running = urls, [], True

    def run(self):
        while self.running:
            for url in self.urls:
                started = time.perf_counter()
                try:
                    status, _ = fetch(url)
                except OSError:
                    status = 0
                self.results.append((started, status))
                time.sleep(0.02)


def outage(name, cluster, stop, start, down_seconds=4):
    urls = [cluster.url() + "/", cluster.url("app-a") + "/emnews/", cluster.url("app-b") + "/category/emnews.html?x="
            + uuid.uuid4().hex, cluster.url("app-a") + "/healthz"]
    load = Load(urls)
    load.start()
    time.sleep(2)
    down = time.perf_counter()
    stop()
    time.sleep(down_seconds)
    up = time.perf_counter()
    start()
    time.sleep(6)
    load.running = False
    load.join()
    during = [status for moment, status in load.results if down <= moment < up]
    after = [(moment, status) for moment, status in load.results if moment >= up]
    bad_after = [moment for moment, status in after if status != 200]
    recovered = (max(bad_after) - up) if bad_after else 0.0
    counts = {code: during.count(code) for code in sorted(set(during))}
    print(f"| {name} | {len(during)} requests while down: {counts} | back to all-200 {recovered:.1f} s after it returned |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--api-posts", type=int, default=100)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="finews-cluster-bench-"))
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", str(workdir)], stdout=subprocess.DEVNULL)
    env = {"REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "SECRET_KEY": "bench-" + "k" * 50,
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0"}
    os.environ.update(env, DJANGO_SETTINGS_MODULE="finews.settings", DEBUG="0", STATIC_ROOT=str(workdir / "static"))
    import django

    django.setup()
    holder = {"redis": redis}
    cluster = Cluster(workdir / "cluster", env=env).start()
    try:
        fetch(cluster.url() + "/")
        throughput(cluster, args.seconds, workdir)
        ingestion(cluster, args.api_posts)
        print("\n| outage | while down | recovery |\n|---|---|---|")

        def redis_stop():
            holder["redis"].terminate()
            holder["redis"].wait()

        def redis_start():
            holder["redis"] = subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(workdir)], stdout=subprocess.DEVNULL)

        outage("Redis stopped 4 s", cluster, redis_stop, redis_start)
    finally:
        cluster.stop()
    try:
        database_outage(workdir, env)
    finally:
        holder["redis"].terminate()


def database_outage(workdir, env):
    """The same readers while a private PostgreSQL cluster (holding a small site) stops for 4 s."""
    import glob
    import pwd

    bin_dir = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]).parent
    home = workdir / "pg"
    home.mkdir()
    owner = pwd.getpwnam("postgres")
    os.chown(home, owner.pw_uid, owner.pw_gid)
    os.chmod(workdir, 0o755)
    port = free_port()

    def as_postgres(*command):
        subprocess.run(["runuser", "-u", "postgres", "--", *map(str, command)], check=True, capture_output=True)

    as_postgres(bin_dir / "initdb", "-D", home / "data", "-A", "trust", "-U", "postgres", "--no-sync")
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={home} -c fsync=off"

    def pg_start():
        as_postgres(bin_dir / "pg_ctl", "-D", home / "data", "-w", "-l", home / "log", "-o", options, "start")

    def pg_stop():
        as_postgres(bin_dir / "pg_ctl", "-D", home / "data", "-w", "-m", "fast", "stop")

    pg_start()
    as_postgres(bin_dir / "createdb", "-h", "127.0.0.1", "-p", port, "small")
    small = {**env, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/small",
             "CACHE_KEY_PREFIX": f"small-{uuid.uuid4().hex[:6]}"}
    cluster = Cluster(workdir / "small", env=small)
    try:
        cluster.start()
        subprocess.run([sys.executable, "manage.py", "demo"], cwd=ROOT, env=cluster.env, check=True,
                       capture_output=True)
        fetch(cluster.url() + "/")
        outage("PostgreSQL stopped 4 s", cluster, pg_stop, pg_start)
    finally:
        cluster.stop()
        subprocess.run(["runuser", "-u", "postgres", "--", str(bin_dir / "pg_ctl"), "-D", str(home / "data"),
                        "-m", "immediate", "stop"], capture_output=True)


if __name__ == "__main__":
    main()
