"""Small builders for reader and admin tests: posts with categories and tags, no files needed."""
import datetime
import itertools

from taggit.models import Tag

from news.jekyll.dates import SITE_TZ
from news.models import Category, Post, PostCategory, TaggedPost

_counter = itertools.count(1)


def category(key, name=""):
    return Category.objects.get_or_create(key=key, defaults={"name": name})[0]


def post(title=None, *, categories=("emnews",), tags=("东财滚动新闻",), when=None, status="published",
         slug=None, body="<p>正文</p>", source_path=None):
    number = next(_counter)
    when = when or datetime.datetime(2022, 2, 17, 12, 0, 0, tzinfo=SITE_TZ) + datetime.timedelta(minutes=number)
    slug = slug or f"p{number:06d}"
    cats = [category(key) for key in categories]
    item = Post(
        title=title if title is not None else f"文章{number}", slug=slug, published_at=when,
        status=status, body_markdown=body, body_html=body,
        source_path=source_path or f"_posts/{when:%Y-%m-%d}-{slug}.md",
    )
    item.url_path = item.compute_url_path([c.key for c in cats])
    item.save()
    keys = {"published_at": item.published_at, "is_published": status == "published",
            "source_path": item.source_path}
    PostCategory.objects.bulk_create(
        [PostCategory(post=item, category=c, position=i, **keys) for i, c in enumerate(cats)])
    TaggedPost.objects.bulk_create([
        TaggedPost(content_object=item, tag=Tag.objects.get_or_create(name=name, defaults={"slug": f"t-{abs(hash(name))}"})[0],
                   position=i, **keys)
        for i, name in enumerate(tags)])
    return item
