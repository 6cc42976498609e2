"""Fill a database with generated posts fast, for the page and admin benchmarks.

These benchmarks measure serving, so posts go in with the write path's bulk methods (the link
tables fill their own sort keys, the database's triggers keep the counts; bodies are rendered by
``render_body``, 50 distinct ones reused, and their search tokens computed once each) rather than
through the importer's file parsing. The search index is filled as the posts go in. Shaped like the
old site: one big rolling-news source (a third of the posts) and ~2,000 smaller sources, each with
its ``<name>新闻`` tag, Chinese titles and bodies.
"""
import datetime
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args(doc, repeat, rounds=None):
    """The options the serving benchmarks take; sets Django up on the chosen database."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    if rounds:
        parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--sources", type=int, default=2_000)
    parser.add_argument("--db", default="/tmp/finews-bench.sqlite3")
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--recent", type=int, default=35_000, help="bench/desk_bench.py: posts over the last 7 days")
    args = parser.parse_args()
    setup_django(args.db)
    fill(args.posts, args.sources)
    return args


def setup_django(db_path):
    """Production-like settings (DEBUG off: no query log, hashed static files) on ``db_path``."""
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{db_path}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finews.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-use-0123456789")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("STATIC_ROOT", f"{db_path}-static")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)


def fill(posts, sources, seed=11, workers=None):
    """Fill the database up to ``posts`` posts over ``sources`` sources. On PostgreSQL two
    processes write batches side by side (each batch one transaction); SQLite takes one writer."""
    from django.core.management import call_command
    from django.db import connection
    from taggit.models import Tag

    from news import search
    from news.demo import make_body, make_sources
    from news.jekyll.post import render_body
    from news.models import Category, Post

    call_command("migrate", verbosity=0)
    if Post.objects.count() >= posts:
        print(f"database already holds {Post.objects.count()} posts")
        return
    started = time.perf_counter()
    rng = random.Random(seed)
    table = make_sources(sources, rng)
    categories = Category.objects.bulk_create(
        [Category(key=key, name=f"{name}新闻", slug=f"s{i}-{key}") for i, (key, name) in enumerate(table)])
    tags = Tag.objects.bulk_create(
        [Tag(name=f"{name}新闻" if i else "东财滚动新闻", slug=f"t{i}") for i, (_, name) in enumerate(table)])
    bodies = [make_body(rng, 1500) for _ in range(50)]
    shared = {"keys": [key for key, _ in table], "categories": [c.pk for c in categories],
              "tags": [t.pk for t in tags], "bodies": [(body, render_body(body, "x.md")[0]) for body in bodies]}
    workers = workers or (2 if connection.vendor == "postgresql" else 1)
    batches = [(start, min(start + BATCH, posts), seed) for start in range(0, posts, BATCH)]
    with search.bulk_load():
        if workers == 1:
            _init_worker(shared, None)
            done = sum(map(_fill_batch, batches))
        else:
            connection.close()  # the workers open their own
            context = multiprocessing.get_context("spawn")
            with context.Pool(workers, _init_worker, (shared, os.environ.get("DATABASE_URL"))) as pool:
                done = sum(pool.imap_unordered(_fill_batch, batches))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    elapsed = time.perf_counter() - started
    print(f"filled {done} posts, {sources} sources in {elapsed:.1f} s ({done / elapsed:,.0f} posts/s)", flush=True)


BATCH = 5000
_shared = {}


def _init_worker(shared, database_url):
    if database_url is not None:  # a spawned process: Django set up like its parent
        import django

        django.setup()
    from news.search.tokens import document_text

    _shared.update(shared, body_tokens=[document_text("", "", html) for _, html in shared["bodies"]])


def _fill_batch(batch):
    """Posts number ``start`` to ``end`` (their content depends on the seed and ``start`` only)."""
    from django.db import transaction

    from news import search
    from news.demo import DETAILS, SUBJECTS, VERBS
    from news.jekyll.dates import SITE_TZ
    from news.jekyll.urls import post_url
    from news.models import FeedEntry, Post, PostCategory, TaggedPost
    from news.models.feeds import entry_path
    from news.search.tokens import tokens

    start, end, seed, *recent = batch
    rng = random.Random(seed * 1_000_003 + start)
    keys, bodies = _shared["keys"], _shared["bodies"]
    # ``recent``: (newest moment, seconds apart) for posts added up to now (bench/desk_bench.py)
    newest, spacing = recent or (datetime.datetime(2026, 11, 1, tzinfo=SITE_TZ), 37)
    rows = []
    for number in range(start, end):
        index = 0 if number % 3 == 0 else rng.randrange(1, len(keys))
        moment = newest - datetime.timedelta(seconds=(number - (start if recent else 0)) * spacing + rng.randint(0, 30))
        slug = f"{moment:%Y%m%d}{number:010d}"
        title = f"{rng.choice(SUBJECTS)}{rng.choice(VERBS)}：{rng.choice(DETAILS)[:18]}"
        body = rng.randrange(len(bodies))
        rows.append((index, body, Post(
            title=title, slug=slug, published_at=moment, url_path=post_url([keys[index]], moment.date(), slug),
            body_markdown=bodies[body][0], body_html=bodies[body][1],
            source_path=f"_posts/{moment:%Y-%m-%d}-{slug}.md", source_url=f"http://finance.example.com/{slug}.html",
            important=number % 50 == 7,  # one in fifty: 只看重要 has something to list
        )))
    with transaction.atomic():
        Post.objects.bulk_create([post for _, _, post in rows], batch_size=1000)
        PostCategory.objects.bulk_create(
            [PostCategory(post=p, category_id=_shared["categories"][i], position=0) for i, _, p in rows],
            batch_size=2000)
        TaggedPost.objects.bulk_create(
            [TaggedPost(content_object=p, tag_id=_shared["tags"][i], position=0) for i, _, p in rows],
            batch_size=2000)
        FeedEntry.objects.bulk_create([FeedEntry(post=p, path=entry_path(p.url_path)) for _, _, p in rows],
                                      batch_size=2000)
        search.index_documents([(p.pk, " ".join([*tokens(p.title), _shared["body_tokens"][b]]).strip())
                                for _, b, p in rows])
    return len(rows)


def timed(function, repeat):
    """Median and 95th percentile, in milliseconds, of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.95))]


def uncached_get(client, url):
    """One request for ``url`` with the page cache emptied first; it must answer 200."""
    from django.core.cache import cache

    cache.clear()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response
