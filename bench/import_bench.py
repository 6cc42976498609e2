"""Import benchmark: posts per second for a first import and a re-import of an unchanged tree.

    .venv/bin/python bench/import_bench.py [--posts 10000] [--sources 2000] [--body-bytes 5000]

Runs once per sanitiser engine (bleach, then nh3), each in its own process on its own fresh
database, and Jekyll (Debian's ``jekyll``, when installed) builds the same tree in between, all in
one run, on the same generated tree (``--engine NAME`` runs one; with DATABASE_URL set, run one
engine at a time on an empty database).

Generates a Jekyll tree shaped like the old site (Chinese HTML bodies, stock-quote spans,
summaries, back-links) into a temporary folder, imports it into a fresh SQLite database (or
DATABASE_URL if set), then imports it again. Figures go to docs/benchmarks.md by hand.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def jekyll_build():
    """Time Jekyll building the same generated tree the engines import (Debian's jekyll)."""
    folder = Path(tempfile.mkdtemp(prefix="finews-jekyll-"))
    out = subprocess.run([sys.executable, __file__, *sys.argv[1:], "--engine", "bleach", "--tree-only", str(folder)],
                         check=True, capture_output=True, text=True)
    site = Path(out.stdout.strip().splitlines()[-1])
    started = time.perf_counter()
    subprocess.run(["jekyll", "build", "--source", str(site), "--destination", str(folder / "_site"), "--quiet"],
                   check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    posts = len(list((site / "_posts").iterdir()))
    print(f"== jekyll build (same tree) ==\n{posts} posts in {elapsed:.2f} s = {posts / elapsed:,.0f} posts/s", flush=True)
    shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--sources", type=int, default=2_000)
    parser.add_argument("--body-bytes", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--engine", choices=["bleach", "nh3"])
    parser.add_argument("--tree-only", metavar="DIR", help="only write the generated tree into DIR")
    parser.add_argument("--without-rules", action="store_true",
                        help="delete the shipped rules first (what the rules' step costs an import)")
    args = parser.parse_args()
    if args.engine is None:
        for engine in ("bleach", "nh3"):
            print(f"== sanitiser: {engine} ==", flush=True)
            subprocess.run([sys.executable, __file__, *sys.argv[1:], "--engine", engine], check=True,
                           env={**os.environ, "FINEWS_SANITIZER": engine})
            if engine == "bleach" and shutil.which("jekyll"):
                jekyll_build()
        return
    os.environ["FINEWS_SANITIZER"] = args.engine  # parse workers inherit it

    work = Path(args.tree_only or tempfile.mkdtemp(prefix="finews-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finews.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-use-0123456789")
    import django

    django.setup()
    from django.core.management import call_command

    from news.demo import write_site
    from news.ingest.importer import Importer, read_category_names

    call_command("migrate", verbosity=0)
    if args.without_rules:
        from news.models import Rule

        Rule.objects.all().delete()
    site = work / "site"
    started = time.perf_counter()
    write_site(site, posts=args.posts, sources=args.sources, body_bytes=args.body_bytes)
    print(f"generated {args.posts} posts, {args.sources} sources in {time.perf_counter() - started:.1f} s")
    if args.tree_only:
        print(site)
        return
    names = read_category_names(site / "categories.tsv")
    size = sum(p.stat().st_size for p in (site / "_posts").iterdir())
    print(f"tree: {size / args.posts / 1024:.1f} KiB per post on average")

    for label in ("first import", "re-import (unchanged)"):
        workers = args.workers if args.workers is not None else Importer.default_workers()
        report = Importer(category_names=names, workers=workers).import_paths([site])
        counts = report.counts
        print(
            f"{label}: {report.processed} posts in {report.elapsed:.2f} s = "
            f"{report.posts_per_second:,.0f} posts/s  {counts}"
        )
    print(f"database: {os.environ['DATABASE_URL']}")


if __name__ == "__main__":
    main()
