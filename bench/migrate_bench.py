"""How long ``migrate`` takes on a site that already has posts, and the search rebuild after it.

Fills a database (bench/fill.py: 100,000 posts, 2,000 sources by default), takes the news app
back to ``--from`` (default 0005, the migration before the search index: the costly step used
to be there) and times ``migrate`` forward in a separate process, as an operator runs it; then
times ``rebuild_search_index``, which makes search find the old posts.

    .venv/bin/python bench/migrate_bench.py [--posts 100000] [--db /tmp/finews-migrate.sqlite3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/finews_migrate .venv/bin/python bench/migrate_bench.py
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from fill import fill, setup_django  # noqa: E402


def manage(*args):
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=os.environ, check=True,
                          capture_output=True, text=True)
    return time.perf_counter() - started, done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--sources", type=int, default=2_000)
    parser.add_argument("--db", default="/tmp/finews-migrate.sqlite3")
    parser.add_argument("--from", dest="start", default="0005_updated_at_index")
    args = parser.parse_args()
    setup_django(args.db)
    fill(args.posts, args.sources)
    from news.models import Post

    print(f"{Post.objects.count()} posts on {os.environ['DATABASE_URL'].split('@')[-1]}")
    back, _ = manage("migrate", "news", args.start, "--noinput")
    print(f"migrate back to {args.start}: {back:.1f} s (not the measure)")
    forward, out = manage("migrate", "--noinput")
    applied = [line.split()[1] for line in out.splitlines() if line.strip().startswith("Applying")]
    print(f"migrate forward ({len(applied)} migrations, {applied[0]} … {applied[-1]}): {forward:.1f} s")
    rebuild, out = manage("rebuild_search_index", "--verbosity", "0")
    print(f"rebuild_search_index: {rebuild:.1f} s ({out.strip()})")


if __name__ == "__main__":
    main()
