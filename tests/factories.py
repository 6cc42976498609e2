"""Test data through the same write path production uses: ``Post.save()``, ``set_categories``,
taggit's ``tags.add`` and ``settle_url`` — the steps a post made in the admin goes through."""
import datetime
import itertools

from news.jekyll.dates import SITE_TZ
from news.models import Category, Post

_counter = itertools.count(1)


def category(key, name=""):
    return Category.objects.get_or_create(key=key, defaults={"name": name})[0]


def post(title=None, *, categories=("emnews",), tags=("东财滚动新闻",), when=None, status="published",
         slug=None, body="<p>正文</p>", source_path=None):
    number = next(_counter)
    # A second apart: however many posts earlier tests made, the default stays on 2022-02-17.
    when = when or datetime.datetime(2022, 2, 17, 12, 0, 0, tzinfo=SITE_TZ) + datetime.timedelta(seconds=number)
    slug = slug or f"p{number:06d}"
    item = Post(
        title=title if title is not None else f"文章{number}", slug=slug, published_at=when,
        status=status, body_markdown=body,
        source_path=source_path or f"_posts/{when.astimezone(SITE_TZ):%Y-%m-%d}-{slug}.md",
    )
    item.save()
    item.set_categories([category(key) for key in categories])
    item.tags.add(*tags)
    item.settle_url()
    return item
