"""Reader page benchmark: server time per request, uncached and cached.

    .venv/bin/python bench/page_bench.py [--posts 100000] [--sources 2000] [--db /tmp/finews-bench.sqlite3]

Fills the database once (bench/fill.py; reused on later runs), then times requests through
Django's test client (the whole middleware and view stack, no network) for the home page, a
category page (first and 100th page), an article and the feeds (each 50 items, as a category page).
"""
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fill import parse_args, timed, uncached_get


def main():
    args = parse_args(__doc__, repeat=30)

    from django.test import Client

    from news.models import Category, Post

    client = Client()
    big = Category.objects.get(key="emnews")
    small = Category.objects.exclude(pk=big.pk).first()
    article = Post.objects.order_by("-published_at")[5000]
    pages = {
        "home /": "/",
        "category page 1": big.get_absolute_url(),
        "category page 100": big.get_absolute_url() + "?page=100",
        "small category page 1": small.get_absolute_url(),
        "article": article.url_path,
        "feed /feed.xml": "/feed.xml",
        "feed, 重要": "/feed.xml?important=1",
        "category feed": big.feed_url(),
        "small category feed": small.feed_url(),
    }
    print(f"{Post.objects.count()} posts, {Category.objects.count()} categories")
    print(f"{'page':24} {'uncached median':>16} {'p95':>8} {'cached median':>14} {'p95':>8}")
    for label, url in pages.items():

        def cached(url=url):
            assert client.get(url).status_code == 200

        cold = timed(lambda url=url: uncached_get(client, url), args.repeat)
        client.get(url)
        warm = timed(cached, args.repeat * 3)
        print(f"{label:24} {cold[0]:13.1f} ms {cold[1]:5.1f} ms {warm[0]:11.2f} ms {warm[1]:5.2f} ms")

    # A feed against the listing of the same 50 posts, uncached, pair by pair (the machine drifts).
    print("\nuncached feed / uncached listing of the same posts, median of per-pair ratios:")
    for feed, listing in [("/feed.xml", "/"), (big.feed_url(), big.get_absolute_url()),
                          (small.feed_url(), small.get_absolute_url())]:
        ratios = []
        for _ in range(args.repeat):
            page_ms = timed(lambda listing=listing: uncached_get(client, listing), 1)[0]
            ratios.append(timed(lambda feed=feed: uncached_get(client, feed), 1)[0] / page_ms)
        print(f"{feed:32} / {listing:28} {statistics.median(ratios):.2f}×")


if __name__ == "__main__":
    main()
