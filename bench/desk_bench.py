"""The desk (/admin/desk/) and /metrics at size (issue 30): a filled site (bench/fill.py) plus a
week of recent posts up to now, so the charts have something to count; an editor's desk, all
sources and one, and a scrape of /metrics, timed uncached (nothing on the desk is cached).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/desk_bench.py \\
        --posts 1000000 [--recent 35000] [--repeat 10]
"""
import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fill import _fill_batch, _init_worker, parse_args, timed


def add_recent(count):
    """``count`` posts spread over the last seven days, if the site has fewer there."""
    from django.db import connection
    from django.utils import timezone

    from news.demo import make_body
    from news.jekyll.post import render_body
    from news.models import Category, Post

    now = timezone.now()
    have = Post.objects.filter(published_at__gte=now - datetime.timedelta(days=7)).count()
    if have >= count:
        return have
    import random

    rng = random.Random(5)
    bodies = [make_body(rng, 1500) for _ in range(50)]
    categories = list(Category.objects.order_by("pk").values_list("pk", "key"))
    from taggit.models import Tag

    tags = list(Tag.objects.order_by("pk").values_list("pk", flat=True))
    _init_worker({"keys": [key for _, key in categories], "categories": [pk for pk, _ in categories],
                  "tags": tags[:len(categories)], "bodies": [(body, render_body(body, "x.md")[0]) for body in bodies]}, None)
    spacing = 7 * 24 * 3600 / count
    start = 50_000_000
    for first in range(start, start + count, 5000):
        _fill_batch((first, min(first + 5000, start + count), 3, now - datetime.timedelta(seconds=(first - start) * spacing),
                     spacing))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return count


def main():
    args = parse_args(__doc__, repeat=10)
    started = time.perf_counter()
    print(f"posts in the last 7 days: {add_recent(args.recent)} ({time.perf_counter() - started:.0f} s)")
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from news.accounts import EDITORS
    from news.models import Category, Post

    editor, _ = User.objects.get_or_create(username="desk-bench")
    editor.groups.add(Group.objects.get(name=EDITORS))
    client = Client()
    client.force_login(editor)
    big = Category.objects.order_by("pk").first().key
    print(f"{Post.objects.count():,} posts, {Category.objects.count():,} sources")
    for label, url in (("desk, all sources", "/admin/desk/"), (f"desk, one source ({big})", f"/admin/desk/?source={big}"),
                       ("/metrics", "/metrics"), ("category page 1 (cached page emptied)", f"/category/{big}.html")):
        def get(url=url):
            from django.core.cache import cache

            cache.clear()
            assert client.get(url).status_code == 200
        get()
        median, p95 = timed(get, args.repeat)
        print(f"| {label} | {median:.0f} ms | {p95:.0f} ms |", flush=True)


if __name__ == "__main__":
    main()
