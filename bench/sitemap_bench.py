"""Sitemaps at size: server time and peak Python memory of the index and of day pages, uncached.

    .venv/bin/python bench/sitemap_bench.py [--posts 100000] [--db /tmp/finews-bench.sqlite3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/sitemap_bench.py --posts 1000000

Fills the database once (bench/fill.py), clears the cache before every request and times it
through Django's test client; memory is tracemalloc's peak during one more request.
"""
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fill import parse_args, timed, uncached_get


def main():
    args = parse_args(__doc__, repeat=20)

    from django.test import Client

    from news.models import Post
    from news.reader.sitemaps import PostSitemap

    client = Client()
    days = PostSitemap().paginator.num_pages
    pages = {
        "index /sitemap.xml": "/sitemap.xml",
        "newest day": "/sitemap-posts.xml",
        "middle day": f"/sitemap-posts.xml?p={days // 2 + 1}",
        "oldest day": f"/sitemap-posts.xml?p={days}",
        "categories": "/sitemap-categories.xml",
    }
    print(f"{Post.objects.count()} posts over {days} days")
    print(f"{'page':20} {'median':>9} {'p95':>9} {'peak memory':>12} {'bytes':>10}")
    for label, url in pages.items():
        median, p95 = timed(lambda url=url: uncached_get(client, url), args.repeat)
        tracemalloc.start()
        size = len(uncached_get(client, url).content)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{label:20} {median:6.1f} ms {p95:6.1f} ms {peak / 2**20:9.1f} MiB {size:10,}")


if __name__ == "__main__":
    main()
