"""The page cache without Redis: Django's in-process, file and database caches, on the same pages.

    .venv/bin/python bench/cache_bench.py [--posts 100000] [--rounds 5]

Fills (or reuses) the serving benchmarks' SQLite site (bench/fill.py), then times through Django's
test client, round by round so the three share the machine's drift: a cached page (a HIT: what
nearly every request is) and a page built anew into an empty cache (a MISS), for the home page, a
category page, an article and the feed. In-process (LocMem) is what finews used before issue 34: the
fastest, but each process keeps its own copies, so a change made by another process (the job
worker, ``import_posts``) does not reach the pages. Figures in docs/benchmarks.md.
"""
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fill import parse_args, timed, uncached_get

BACKENDS = {
    "in-process": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench"},
    "file": {"BACKEND": "news.cache.files.SharedFileCache"},
    "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "finews_bench_cache"},
}


def main():
    args = parse_args(__doc__, repeat=20, rounds=5)
    from django.core.management import call_command
    from django.test import Client, override_settings

    from news.models import Category, Post

    folder = tempfile.mkdtemp(prefix="finews-cache-bench-")
    BACKENDS["file"]["LOCATION"] = folder
    for backend in BACKENDS.values():
        backend["OPTIONS"] = {"MAX_ENTRIES": 20_000}
    with override_settings(CACHES={"default": BACKENDS["database"]}):
        call_command("createcachetable", verbosity=0)
    client = Client()
    big = Category.objects.get(key="emnews")
    pages = {"home /": "/", "category page 1": big.get_absolute_url(),
             "article": Post.objects.order_by("-published_at")[5000].url_path, "feed": "/feed.xml"}
    results = {(name, page, kind): [] for name in BACKENDS for page in pages for kind in ("hit", "miss")}
    for _ in range(args.rounds):
        for name, backend in BACKENDS.items():
            with override_settings(CACHES={"default": backend}):
                for page, url in pages.items():
                    results[(name, page, "miss")].append(timed(lambda url=url: uncached_get(client, url), 3)[0])
                    client.get(url)
                    results[(name, page, "hit")].append(timed(lambda url=url: client.get(url), args.repeat)[0])
    print(f"{Post.objects.count()} posts; medians over {args.rounds} rounds, ms (ratio to in-process)")
    for page in pages:
        for kind in ("hit", "miss"):
            base = statistics.median(results[("in-process", page, kind)])
            cells = [f"{name} {statistics.median(results[(name, page, kind)]):7.2f} "
                     f"({statistics.median(results[(name, page, kind)]) / base:.2f}×)" for name in BACKENDS]
            print(f"{page:18} {kind:4}  " + "   ".join(cells))


if __name__ == "__main__":
    main()
