"""Push at scale (issue 29): N readers hold the home page's event stream through the production
front (tests/cluster.py: nginx with nchan keeping messages in Redis, two app servers, the worker,
PostgreSQL); a post sent through the API reaches them. Reports, per N: delivery after the API
request returned (median, p99, all received?), nginx's memory per open stream, and how many
requests reached the app servers while the post was delivered (O(1): the API request itself).

    .venv/bin/python bench/push_bench.py [--streams 1000 10000] [--rounds 3]

Needs nginx with Debian's libnginx-mod-nchan, redis-server and PostgreSQL on 127.0.0.1:5432; makes
its own database and Redis and removes them afterwards.
"""
import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.cluster import Cluster  # noqa: E402
from tests.live import PrivateRedis  # noqa: E402
from tests.streams import Streams, percentile  # noqa: E402

POST = ("---\ntitle: {title}\ndate: 2022-02-17 {hour:02d}:{minute:02d}:00 +0800\n"
        "categories: emnews\ntags: 东财滚动新闻\n---\n正文。\n")


def pss_kib(pid):
    """Proportional set size of one process (shared pages split among those sharing them)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def nginx_kib(master):
    children = [int(path.name) for path in Path("/proc").iterdir() if path.name.isdigit()
                and _parent(path) == master]
    return sum(pss_kib(pid) for pid in [master, *children])


def _parent(path):
    try:
        return int((path / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def lines(path):
    return len(path.read_text().splitlines()) if path.exists() else 0


def main():
    args = arguments()
    run(args, push=False)
    run(args, push=True)


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--api-posts", type=int, default=30, help="API posts timed with push on and off")
    return parser.parse_args()


def run(args, push):
    import psycopg

    name = f"finews_push_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    redis = PrivateRedis()
    workdir = Path(tempfile.mkdtemp(prefix="finews-push-bench-"))
    access = workdir / "access.log"
    env = {"DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}", "REDIS_URL": redis.url,
           "SECRET_KEY": "push-bench-" + "k" * 50, "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0", "CONN_MAX_AGE": "0"}
    cluster = Cluster(workdir / "cluster", env=env, access_log=str(access))
    if not push:
        cluster.env["FINEWS_PUSH_URL"] = ""
    try:
        cluster.start()
        key = os.popen(f"cd {ROOT} && env DATABASE_URL={env['DATABASE_URL']} REDIS_URL={redis.url} "
                       f"SECRET_KEY={env['SECRET_KEY']} {sys.executable} manage.py ingest_token push-bench").read().split()[-1]
        sent_at = {}
        counter = iter(range(10**6))

        def send():
            number = next(counter)
            body = json.dumps({"path": f"_posts/2022-02-17-push{number}.md", "content": POST.format(
                title=f"推送{number}", hour=8 + number // 60, minute=number % 60)}).encode()
            request = urllib.request.Request(cluster.url() + "/api/posts/", body, {
                "Content-Type": "application/json", "Authorization": f"Bearer {key}"})
            sent_at["start"] = time.monotonic()
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 201

        send()  # the first post: the site has a page to show
        timed = []
        for _ in range(args.api_posts):
            send()
            timed.append(time.monotonic() - sent_at["start"])
        print(f"API post, one at a time, push {'on' if cluster.env['FINEWS_PUSH_URL'] else 'off'}: "
              f"median {percentile(timed, 0.5) * 1000:.0f} ms, p90 {percentile(timed, 0.9) * 1000:.0f} ms")
        if not cluster.env["FINEWS_PUSH_URL"]:
            return
        print("| streams | round | received | after the API returned: median / p99 | from the request's start: p99 "
              "| API request | nginx memory per stream | app-server requests during delivery |")
        print("|---|---|---|---|---|---|---|---|")
        peak = 0
        for count in args.streams:
            for round_ in range(args.rounds):
                idle = nginx_kib(cluster.processes["nginx"].pid)
                before = lines(access)
                streams = Streams(cluster.port, "/stream/latest", count)

                async def run(streams=streams):
                    task = asyncio.ensure_future(streams.deliver(send, seconds=120))
                    await streams.all_open.wait()
                    held = nginx_kib(cluster.processes["nginx"].pid)
                    return (await task), held

                (sent, received), held = asyncio.run(run())
                requests = lines(access) - before
                # nginx keeps the memory it took for streams: measured the first time it holds them
                memory = f"{(held - idle) / count:.1f} KiB" if round_ == 0 and held > peak else "—"
                peak = max(peak, held)
                after = [max(0.0, moment - sent) for moment in received]
                whole = [moment - sent_at["start"] for moment in received]
                print(f"| {count:,} | {round_ + 1} | {len(received):,} | {percentile(after, 0.5) * 1000:.0f} / "
                      f"{percentile(after, 0.99) * 1000:.0f} ms | {percentile(whole, 0.99) * 1000:.0f} ms | "
                      f"{(sent - sent_at['start']) * 1000:.0f} ms | {memory} | {requests} |",
                      flush=True)
    finally:
        cluster.stop()
        redis.stop()
        with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
