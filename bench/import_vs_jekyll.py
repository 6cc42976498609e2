"""Import speed against a Jekyll build of the same tree (issue 18's targets), in one run.

    .venv/bin/python bench/import_vs_jekyll.py [--posts 5000] [--sources 2000] [--rounds 5]
                                               [--vs OTHER_CHECKOUT]

Generates one tree (bench/import_bench.py's generator), gives a copy of it ``_plugins/`` with the
Jekyll speed patch (../shared/jekyll/fast_each_site_file.rb: Jekyll 4.4's linear write step on
Debian's 4.3.1), migrates one SQLite database per checkout, then runs in turn, ``--rounds`` times:
``import_posts`` of the tree into a fresh copy of that database with each sanitiser engine,
the same with ``--vs`` (e.g. a worktree of the previous main), and ``jekyll build``. Each is a whole
process timed from outside; it prints the median wall time of each and the median of the
per-round ratios (rounds alternate, so a machine that drifts moves both sides of a ratio).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATCH = ROOT.parent / "shared" / "jekyll" / "fast_each_site_file.rb"
ENV = {"DEBUG": "0", "SECRET_KEY": "benchmark-only-secret-key-not-for-production-use-0123456789"}


def timed(command, **kwargs):
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--sources", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--vs", metavar="CHECKOUT", help="another finews checkout to time the same way")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="finews-vs-jekyll-"))
    (work / "gen").mkdir()
    subprocess.run([sys.executable, ROOT / "bench" / "import_bench.py", "--posts", str(args.posts), "--sources",
                    str(args.sources), "--engine", "nh3", "--tree-only", str(work / "gen")], check=True,
                   capture_output=True)
    tree = work / "gen" / "site"
    jekyll_site = work / "jekyll"
    shutil.copytree(tree, jekyll_site)
    (jekyll_site / "_plugins").mkdir()
    shutil.copy(PATCH, jekyll_site / "_plugins")


    checkouts = {"this": ROOT, **({"vs": Path(args.vs).resolve()} if args.vs else {})}
    for name, checkout in checkouts.items():
        env = {**os.environ, **ENV, "DATABASE_URL": f"sqlite:///{work / name}.sqlite3"}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=checkout, env=env, check=True)

    def finews(name, engine):
        db = work / f"run-{name}.sqlite3"
        shutil.copy(work / f"{name}.sqlite3", db)
        env = {**os.environ, **ENV, "DATABASE_URL": f"sqlite:///{db}", "FINEWS_SANITIZER": engine}
        try:
            return timed([sys.executable, "manage.py", "import_posts", str(tree), "--quiet"],
                         cwd=checkouts[name], env=env)
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)

    def jekyll():
        out = work / "_site"
        try:
            return timed(["jekyll", "build", "--source", str(jekyll_site), "--destination", str(out), "--quiet"])
        finally:
            shutil.rmtree(out, ignore_errors=True)

    runs = {label: [] for label in ("jekyll", *[f"{n} {e}" for n in checkouts for e in ("nh3", "bleach")])}
    for round_ in range(args.rounds):
        runs["jekyll"].append(jekyll())
        for name in checkouts:
            for engine in ("nh3", "bleach"):
                runs[f"{name} {engine}"].append(finews(name, engine))
        print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in runs.items()), flush=True)
    print(f"\n{args.posts} posts, {args.sources} sources; median wall time and median of per-round ratios:")
    for label, times in runs.items():
        ratio = statistics.median(t / j for t, j in zip(times, runs["jekyll"], strict=True))
        line = f"{label:12} {statistics.median(times):7.2f} s   {ratio:.2f}x Jekyll"
        if args.vs and label.startswith("this"):
            other = runs[label.replace("this", "vs")]
            line += f"   {statistics.median(t / o for t, o in zip(times, other, strict=True)):.2f}x --vs"
        print(line)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
