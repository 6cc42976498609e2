"""A stock's page against a category's, uncached (issue 28: ``/stock/<code>/`` within 1.2×).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/finews_bench_stocks \\
        .venv/bin/python bench/stock_bench.py --posts 1000000 [--repeat 30]

Fills the database once (bench/fill.py), then links 40 % of the posts to one or two of 5,000
securities, as often as Zipf's law has them named (the most named stock in ~7 % of the posts that
name any, as 贵州茅台 is on a busy day), through ``PostSecurity``'s bulk write (each link copying its
post's sort keys). Then times uncached requests through Django's test client — with a cache that
keeps nothing (bench/nocache_settings.py, unless ``DJANGO_SETTINGS_MODULE`` says otherwise): with
the file cache of a box without Redis, emptying it before each request made every page write its
dependency stamps' files again, ~0.3 ms each, and a list where sources mix depends on one stamp per
source shown, so that measured the cache's files more than the page — interleaved page by page, and
prints medians and the stock/category ratios (and the stock page against a tag page, the other list
where sources mix: each item's source and a story once).
"""
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.nocache_settings")
from fill import parse_args, uncached_get

SECURITIES = 5_000
BATCH = 20_000


def link(seed=28):
    from django.db import connection, transaction

    from news.models import Post, PostSecurity, Security
    from news.models.posts import LINK_KEY_FIELDS

    if PostSecurity.objects.exists():
        return
    started = time.perf_counter()
    rng = random.Random(seed)
    securities = Security.objects.bulk_create(
        [Security(market="SH" if n % 2 else "SZ", code=f"{600000 + n:06d}" if n % 2 else f"{n:06d}", name=f"股票{n}")
         for n in range(SECURITIES)])
    weights = [1 / rank for rank in range(1, SECURITIES + 1)]
    last, done = 0, 0
    while True:
        posts = list(Post.objects.filter(pk__gt=last).order_by("pk").only(*LINK_KEY_FIELDS)[:BATCH])
        if not posts:
            break
        rows = []
        for post in posts:
            if rng.random() < 0.4:
                chosen = {id(s): s for s in rng.choices(securities, weights, k=rng.randint(1, 2))}
                rows += [PostSecurity(post=post, security=s, name=s.name, position=n)
                         for n, s in enumerate(chosen.values())]
        with transaction.atomic():
            PostSecurity.objects.bulk_create(rows, batch_size=2000)
        last, done = posts[-1].pk, done + len(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"linked {done} mentions of {SECURITIES} securities in {time.perf_counter() - started:.1f} s", flush=True)


def main():
    args = parse_args(__doc__, repeat=30)
    link()

    from django.db.models import Count
    from django.test import Client

    from news.models import Category, Post, PostSecurity

    client = Client()
    big = Category.objects.get(key="emnews")
    small = Category.objects.exclude(pk=big.pk).first()
    counts = list(PostSecurity.objects.values("security__code").annotate(n=Count("pk")).order_by("-n"))
    top, middle = counts[0], counts[len(counts) // 2]
    pages = {
        "category (a third of all posts) p1": big.get_absolute_url(),
        f"stock, most named ({top['n']} posts) p1": f"/stock/{top['security__code']}/",
        "small category p1": small.get_absolute_url(),
        f"stock, median ({middle['n']} posts) p1": f"/stock/{middle['security__code']}/",
        "category p5": big.get_absolute_url() + "?page=5",
        "stock, most named p5": f"/stock/{top['security__code']}/?page=5",
        "tag (the same third, sources mixed) p1": "/tag/东财滚动新闻/",
    }
    times = {label: [] for label in pages}
    for _ in range(args.repeat):  # interleaved: the machine's drift touches every page alike
        for label, url in pages.items():
            started = time.perf_counter()
            uncached_get(client, url)
            times[label].append((time.perf_counter() - started) * 1000)
    print(f"{Post.objects.count()} posts, {PostSecurity.objects.count()} mentions; uncached, {args.repeat} rounds")
    medians = {label: statistics.median(found) for label, found in times.items()}
    for label, median in medians.items():
        print(f"  {label:40} median {median:7.1f} ms  p95 {sorted(times[label])[int(len(times[label]) * 0.95)]:7.1f} ms")
    labels = list(pages)
    for stock, category in ((labels[1], labels[0]), (labels[3], labels[2]), (labels[5], labels[4]),
                            (labels[1], labels[6])):
        print(f"  {stock} / {category}: {medians[stock] / medians[category]:.2f}×")


if __name__ == "__main__":
    main()
