"""Memory one API batch costs a gunicorn worker, as a multiple of the request's body.

Starts finews under gunicorn (one worker, a throwaway SQLite file), then sends batches of
``--posts`` posts of ``--kb`` KB of Chinese text each, one at a time, and reads the worker's peak
resident memory (VmHWM) against its resident memory just before each request (VmRSS). Run by
hand; figures in docs/benchmarks.md:

    .venv/bin/python bench/api_memory_bench.py --posts 100 --kb 200 --repeat 3
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live import Site, free_port, wait_for_port  # noqa: E402


def status_kb(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def reset_peak(pid):
    """Linux ≥ 4.0: writing 5 to clear_refs resets VmHWM to the current RSS."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def batch(number, posts, kb):
    line = "央行今日开展逆回购操作，市场流动性保持合理充裕。"  # 24 characters, 72 bytes
    body = "\n\n".join(line * (kb * 1024 // 72 // 20) for _ in range(20))
    return json.dumps([{"path": f"_posts/2022-02-17-b{number}-{i}.md",
                        "content": f"---\ntitle: 第{number}批第{i}篇\ncategories: emnews\n---\n{body}"}
                       for i in range(posts)], ensure_ascii=False).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument("--kb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        site = Site(Path(workdir), "", FINEWS_API_RATE_PER_MINUTE="100000")
        site.env.update(DEBUG="", SECRET_KEY="bench-only-" + "x" * 40, ALLOWED_HOSTS="127.0.0.1")  # as in production
        site.port = free_port()
        site.base = f"http://127.0.0.1:{site.port}"
        site.manage("migrate", "--noinput")
        key = site.manage("ingest_token", "bench").strip().splitlines()[-1]
        site.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "finews.wsgi", "--workers", "1", "--timeout", "120",
             "--bind", f"127.0.0.1:{site.port}"], cwd=ROOT, env=site.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(site.port)
            children = Path(f"/proc/{site.server.pid}/task/{site.server.pid}/children")
            while not children.read_text().split():
                time.sleep(0.05)
            worker = int(children.read_text().split()[0])
            for number in range(args.repeat + 1):  # the first, one small post, loads what a worker loads once
                data = batch(number, args.posts, args.kb) if number else batch(number, 1, 1)
                reset_peak(worker)
                before = status_kb(worker, "VmRSS")
                request = urllib.request.Request(site.base + "/api/posts/", data, {
                    "Authorization": f"Bearer {key}", "Content-Type": "application/json",
                    "X-Forwarded-Proto": "https"})  # as nginx sends it
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(request, timeout=300) as response:
                        code = response.status
                except urllib.error.HTTPError as error:
                    code = error.code
                seconds = time.perf_counter() - started
                peak = status_kb(worker, "VmHWM")
                grew = (peak - before) * 1024
                if number == 0:
                    print(f"warm-up (one small post): answer {code}, worker peak +{grew / 1e6:.1f} MB", flush=True)
                    continue
                print(f"batch {number}: {len(data) / 1e6:.1f} MB body, answer {code} in {seconds:.1f} s, "
                      f"worker peak +{grew / 1e6:.1f} MB = {grew / len(data):.2f}× the body", flush=True)
        finally:
            site.stop()


if __name__ == "__main__":
    main()
