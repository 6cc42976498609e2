"""Readers while a scraper writes: home and article req/s with and without one API write a
second, side by side in one run, on gunicorn (two workers) with a private redis-server; the
articles' cache hit ratio under writes; and how long a post takes to show on home.

    .venv/bin/python bench/write_load_bench.py [--posts 10000] [--sources 2000] [--seconds 10] [--rounds 2]
    DATABASE_URL=postgres://… .venv/bin/python bench/write_load_bench.py --posts 1000000 --cluster

Fills a SQLite file with bench/fill.py's generated site, or the database at DATABASE_URL (filled
up to --posts if it holds fewer). Requests come from threads in this process over keep-alive
connections, straight to the app servers (no nginx microcache in between: this measures the page
cache, not nginx's). With --cluster (PostgreSQL): two app servers, the worker and nginx from
tests/cluster.py, measured through nginx and then on one app server directly.
"""
import argparse
import collections
import datetime
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fill import fill, setup_django  # noqa: E402
from tests.live import PrivateRedis, Site  # noqa: E402

POST = ("---\ntitle: {title}\ndate: 2026-11-02 0{hour}:{minute:02d}:{second:02d} +0800\n"
        "categories: {key}\ntags: {tag}\n---\n正文。")


def load(port, paths, seconds, threads=6):
    """Requests answered in ``seconds`` by ``threads`` keep-alive clients, and X-Cache counts."""
    stop = time.monotonic() + seconds
    counts = collections.Counter()
    lock = threading.Lock()

    def worker(seed):
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done, seen = 0, collections.Counter()
        while time.monotonic() < stop:
            connection.request("GET", rng.choice(paths), headers={"Accept-Encoding": "gzip"})
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
            done += 1
            seen[response.getheader("X-Cache", "-")] += 1
        with lock:
            counts["requests"] += done
            counts.update(seen)

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return counts["requests"] / seconds, counts


class Writer(threading.Thread):
    """One new post a second through the ingestion API, into a random source."""

    def __init__(self, port, key, sources):
        super().__init__(daemon=True)
        self.port, self.key, self.sources = port, key, sources
        self.running = True
        self.written = 0

    def run(self):
        rng = random.Random(5)
        while self.running:
            started = time.monotonic()
            category, tag = rng.choice(self.sources)
            n = self.written = self.written + 1
            content = POST.format(title=f"压测快讯{n}", hour=n // 3600 % 10, minute=n // 60 % 60, second=n % 60,
                                  key=category, tag=tag)
            body = json.dumps({"path": f"_posts/2026-11-02-load{os.getpid()}-{n}.md", "content": content})
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            connection.request("POST", "/api/posts/", body, {"Authorization": f"Bearer {self.key}",
                                                              "Content-Type": "application/json"})
            assert connection.getresponse().status in (200, 201)
            time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))


def time_to_publish(port, key, tries=10):
    """Seconds from an API write's answer to the post on home, over ``tries`` posts (dated now:
    each the newest of its source)."""
    waits = []
    for n in range(tries):
        title = f"计时快讯{port}-{n}-{os.getpid()}"
        moment = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
        content = (f"---\ntitle: {title}\ndate: {moment:%Y-%m-%d %H:%M:%S} +0800\ncategories: emnews\n"
                   "tags: 东财滚动新闻\n---\n正文。")
        body = json.dumps({"path": f"_posts/{moment:%Y-%m-%d}-t{port}-{n}-{os.getpid()}.md", "content": content})
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", "/api/posts/", body, {"Authorization": f"Bearer {key}",
                                                          "Content-Type": "application/json"})
        answer = connection.getresponse()
        answer.read()
        assert answer.status in (200, 201), answer.status
        answered = time.monotonic()
        while title not in _get(connection, "/"):
            pass
        waits.append(time.monotonic() - answered)
        time.sleep(1.1)  # the next post a second later: a newer time
    return statistics.median(waits), max(waits)


def _get(connection, path):
    connection.request("GET", path)
    return connection.getresponse().read().decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--sources", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cluster", action="store_true",
                        help="two app servers behind nginx (tests/cluster.py); needs DATABASE_URL of PostgreSQL")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="finews-writeload-"))
    db = workdir / "site.sqlite3"
    setup_django(str(db))  # DATABASE_URL, when set, wins
    fill(args.posts, args.sources)
    from news.models import Category, Post

    sources = [(c.key, c.name) for c in Category.objects.exclude(key="emnews")[:500]]
    newest = Post.objects.published().newest_first()
    articles = [urllib.parse.quote(p) for p in newest.values_list("url_path", flat=True)[:50_000:25]]
    redis = PrivateRedis()
    env = {"DEBUG": "0", "SECRET_KEY": os.environ["SECRET_KEY"], "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0", "STATIC_ROOT": f"{db}-static",
           "LOG_LEVEL": "ERROR", "FINEWS_API_RATE_PER_MINUTE": "100000", "REDIS_URL": redis.url,
           "DATABASE_URL": os.environ["DATABASE_URL"]}
    if args.cluster:
        from tests.cluster import Cluster

        server = Cluster(workdir / "cluster", env=env)
        targets = {"nginx": "nginx", "app server": "app-a"}
    else:
        server = Site(workdir, redis.url, **env)
        targets = {"app servers": None}
    try:
        server.start()
        ports = {name: int((server.url(which) if args.cluster else server.base).rsplit(":", 1)[1])
                 for name, which in targets.items()}
        manage = server.manage if not args.cluster else _manage(server)
        key = manage("ingest_token", f"bench-{os.getpid()}").strip().splitlines()[-1]
        port = next(iter(ports.values()))
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for path in ["/"] + articles:  # every page cached once before measuring
            warm.request("GET", path)
            warm.getresponse().read()
        for target, target_port in ports.items():
            rows = []
            for round_number in range(args.rounds):
                for writes in (False, True):
                    writer = Writer(port, key, sources) if writes else None
                    if writer:
                        writer.start()
                    home, _ = load(target_port, ["/"], args.seconds)
                    article, counts = load(target_port, articles, args.seconds)
                    if writer:
                        writer.running = False
                        writer.join()
                    hits = counts["HIT"] / max(1, counts["requests"])
                    rows.append((writes, home, article, hits))
                    print(f"{target}, round {round_number + 1}, {'one write/s' if writes else 'no writes  '}: "
                          f"home {home:7.1f} req/s  article {article:7.1f} req/s  article X-Cache HIT {hits:.1%}",
                          flush=True)
            for name, column in (("home", 1), ("article", 2)) if rows else ():
                quiet = statistics.median(r[column] for r in rows if not r[0])
                busy = statistics.median(r[column] for r in rows if r[0])
                print(f"{target}: {name} {busy:.1f} / {quiet:.1f} req/s = {busy / quiet:.2f}x under one write a second")
        for target, target_port in ports.items():
            median, worst = time_to_publish(target_port, key)
            print(f"{target}: time to publish on home after the API answers: median {median * 1000:.0f} ms, "
                  f"max {worst * 1000:.0f} ms")
    finally:
        server.stop()
        redis.stop()


def _manage(cluster):
    import subprocess

    def run(*args):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=cluster.env, check=True,
                              capture_output=True, text=True).stdout

    return run


if __name__ == "__main__":
    main()
