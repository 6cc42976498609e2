"""Hostile 1 MB posts against ordinary 1 MB posts, through ``import_posts`` as an operator runs it.

    .venv/bin/python bench/hostile_import_bench.py [--rounds 3] [--size 1000000]

Two trees of three posts each: hostile (a body of ``<script `` repeated, one of ``<style>x``
repeated, and ``---`` followed by front-matter-like lines ``a: b`` / ``-- `` that never close) and
ordinary (three generated Markdown news bodies of the same size). Each round imports each tree
into a fresh SQLite database in its own process (alternating, so the machine's noise falls on
both), with the default sanitiser; the ratio of the medians is the figure (target ≤ 1.5).
"""
import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAD = "---\ntitle: {title}\ndate: 2022-02-17 10:00:00 +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n"


def trees(folder, size):
    sys.path.insert(0, str(ROOT))
    from news.demo import make_body

    hostile = {
        "script": HEAD.format(title="脚本") + "<script " * (size // 8),
        "style": HEAD.format(title="样式") + "<style>x" * (size // 8),
        "matter": "---\n" + "a: b\n-- \n" * (size // 9),
    }
    rng = random.Random(5)
    ordinary = {f"news{n}": HEAD.format(title=f"新闻{n}") + make_body(rng, size) for n in range(3)}
    for name, posts in (("hostile", hostile), ("ordinary", ordinary)):
        (folder / name / "_posts").mkdir(parents=True)
        for slug, text in posts.items():
            (folder / name / "_posts" / f"2022-02-17-{slug}.md").write_text(text, "utf-8")
    return folder / "hostile", folder / "ordinary"


def import_once(tree, folder):
    db = folder / f"db-{time.monotonic_ns()}.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DEBUG": "0", "SECRET_KEY": "bench"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "manage.py", "import_posts", str(tree), "--quiet", "--workers", "1"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    db.unlink()
    summary = (result.stdout + result.stderr).strip()
    own = re.search(r"用时 ([0-9.]+) 秒", summary)
    return seconds, float(own.group(1)) if own else None, summary.splitlines()[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        hostile, ordinary = trees(Path(work), args.size)
        times = {"hostile": [], "ordinary": []}
        own = {"hostile": [], "ordinary": []}
        for _ in range(args.rounds):
            for name, tree in (("hostile", hostile), ("ordinary", ordinary)):
                seconds, import_seconds, summary = import_once(tree, Path(work))
                times[name].append(seconds)
                own[name].append(import_seconds)
                print(f"{name}: process {seconds:.2f} s, import {import_seconds} s  ({summary})", flush=True)
        for label, values in (("whole process", times), ("the import's own time", own)):
            medians = {name: statistics.median(found) for name, found in values.items()}
            print(f"{label}: median hostile {medians['hostile']:.2f} s, ordinary {medians['ordinary']:.2f} s, "
                  f"ratio {medians['hostile'] / medians['ordinary']:.2f}")


if __name__ == "__main__":
    main()
