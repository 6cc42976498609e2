"""Export speed and memory: ``manage.py export_jekyll`` over a generated site, run as operators run it.

    .venv/bin/python bench/export_bench.py --posts 100000 [--db /tmp/finews-bench.sqlite3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/finews_bench_1m .venv/bin/python bench/export_bench.py --posts 1000000

Fills the database once (bench/fill.py; kept between runs), then times three runs of the command
in a fresh process each: into an empty folder, again into the same folder (every file already
there: the resume path) and into a zip. Prints posts/s and each run's peak resident memory.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fill import ROOT, parse_args


def run(args, label, posts):
    """One run of the command in its own process: seconds, and that process's peak memory."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "manage.py", "export_jekyll", *args, "--quiet"], cwd=ROOT,
                             stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    assert status == 0, f"export_jekyll failed ({status})"
    print(f"{label}: {seconds:.1f} s, {posts / seconds:,.0f} posts/s, peak RSS {usage.ru_maxrss / 1024:.0f} MB",
          flush=True)


def main():
    parse_args(__doc__, repeat=1)
    from news.models import Post

    posts = Post.objects.count()
    engine = "PostgreSQL" if os.environ["DATABASE_URL"].startswith("postgres") else "SQLite"
    print(f"{posts:,} posts on {engine}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="finews-export-"))
    try:
        run([str(work / "site")], "into an empty folder", posts)
        run([str(work / "site")], "again, every file already there", posts)
        shutil.rmtree(work / "site")
        run(["--zip", str(work / "site.zip")], "into a zip", posts)
        print(f"zip: {(work / 'site.zip').stat().st_size / 1e6:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
