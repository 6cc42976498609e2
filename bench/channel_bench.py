"""A channel's page against a category's, uncached (issue 31: ``/channel/<slug>/`` within 1.2×).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/finews_bench_channels \\
        .venv/bin/python bench/channel_bench.py --posts 1000000 [--repeat 30]

Fills the database once (bench/fill.py), then puts the posts in the seven shipped channels as a
busy wall's rules would: each post in none, one or two, the biggest channel (A股) holding about a
quarter of all posts and the smallest (央行) about 2 %, through ``PostChannel``'s bulk write (each link
copying its post's sort keys). Then times uncached requests through Django's test client (a cache
that keeps nothing, as bench/stock_bench.py does), interleaved page by page, and prints medians and
the channel/category ratios — and the channel page against a tag page, the other list where
sources mix (each item's source, a story once).
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

SHARES = {"a-shares": 0.25, "hk-stocks": 0.10, "us-stocks": 0.08, "forex": 0.04, "commodities": 0.08,
          "central-banks": 0.02, "macro": 0.05}
BATCH = 20_000


def link(seed=31):
    from django.db import connection, transaction

    from news.models import Channel, Post, PostChannel
    from news.models.posts import LINK_KEY_FIELDS

    if PostChannel.objects.exists():
        return
    started = time.perf_counter()
    rng = random.Random(seed)
    channels = {channel.slug: channel for channel in Channel.objects.all()}
    last, done = 0, 0
    while True:
        posts = list(Post.objects.filter(pk__gt=last).order_by("pk").only(*LINK_KEY_FIELDS)[:BATCH])
        if not posts:
            break
        rows = []
        for post in posts:
            chosen = [slug for slug, share in SHARES.items() if rng.random() < share][:2]
            rows += [PostChannel(post=post, channel=channels[slug], position=n) for n, slug in enumerate(chosen)]
        with transaction.atomic():
            PostChannel.objects.bulk_create(rows, batch_size=2000)
        last, done = posts[-1].pk, done + len(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"linked {done} posts to channels in {time.perf_counter() - started:.1f} s", flush=True)


def main():
    args = parse_args(__doc__, repeat=30)
    link()

    from django.test import Client

    from news.models import Category, Post, PostChannel

    client = Client()
    big = Category.objects.get(key="emnews")
    small = Category.objects.exclude(pk=big.pk).first()
    pages = {
        "category (a third of all posts) p1": big.get_absolute_url(),
        "channel A股 (a quarter) p1": "/channel/a-shares/",
        "small category p1": small.get_absolute_url(),
        "channel 央行 (2 %) p1": "/channel/central-banks/",
        "category p5": big.get_absolute_url() + "?page=5",
        "channel A股 p5": "/channel/a-shares/?page=5",
        "tag (the same third, sources mixed) p1": "/tag/东财滚动新闻/",
        "channel A股 只看重要": "/channel/a-shares/?important=1",
        "category 只看重要": big.get_absolute_url() + "?important=1",
    }
    times = {label: [] for label in pages}
    for _ in range(args.repeat):  # interleaved: the machine's drift touches every page alike
        for label, url in pages.items():
            started = time.perf_counter()
            uncached_get(client, url)
            times[label].append((time.perf_counter() - started) * 1000)
    print(f"{Post.objects.count()} posts, {PostChannel.objects.count()} channel links; uncached, {args.repeat} rounds")
    medians = {label: statistics.median(found) for label, found in times.items()}
    for label, median in medians.items():
        print(f"  {label:40} median {median:7.1f} ms  p95 {sorted(times[label])[int(len(times[label]) * 0.95)]:7.1f} ms")
    labels = list(pages)
    for channel, other in ((labels[1], labels[0]), (labels[3], labels[2]), (labels[5], labels[4]),
                           (labels[1], labels[6]), (labels[7], labels[8])):
        print(f"  {channel} / {other}: {medians[channel] / medians[other]:.2f}×")


if __name__ == "__main__":
    main()
