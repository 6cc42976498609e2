"""Post counts per source and tag stay exact whoever writes: the triggers of news/changes/counting.py
against a count done the slow way, after every kind of change."""
import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from taggit.models import Tag

from news.changes import counting
from news.jekyll.dates import SITE_TZ
from news.models import Category, Post

from . import factories

pytestmark = pytest.mark.django_db


def slow_counts():
    visible = Q(post_links__post__in=Post.objects.published())
    sources = {c.key: c.n for c in Category.objects.annotate(n=Count("post_links", filter=visible))}
    tagged = Q(news_taggedpost_items__content_object__in=Post.objects.published())
    tags = {t.name: t.n for t in Tag.objects.annotate(n=Count("news_taggedpost_items", filter=tagged)) if t.n}
    return sources, tags


def fast_counts():
    return ({c.key: c.visible for c in counting.source_counts()},
            {t.name: t.visible for t in counting.tag_counts()})


def test_counts_follow_every_kind_of_write(site):
    def check():
        assert fast_counts() == slow_counts()

    posts = [factories.post(categories=["a", "b"], tags=["甲"]) for _ in range(3)]
    factories.post(categories=["a"], tags=["乙"], status="draft")
    factories.post(categories=["b"], tags=["甲"], when=datetime.datetime(2099, 1, 1, tzinfo=SITE_TZ))  # scheduled
    check()
    Post.objects.filter(pk=posts[0].pk).set_status(Post.Status.DRAFT)
    check()
    Post.objects.filter(pk__in=[p.pk for p in posts]).set_status(Post.Status.PUBLISHED)
    check()
    Post.objects.filter(pk=posts[1].pk).move_to(factories.category("c"))
    check()
    Post.objects.filter(pk=posts[2].pk).add_tag(Tag.objects.create(name="丙", slug="bing"))
    Post.objects.filter(pk=posts[0].pk).remove_tag(Tag.objects.get(name="甲"))
    check()
    posts[2].set_categories([factories.category("d")])
    check()
    Category.objects.get(key="a").merge_into(Category.objects.get(key="b"))
    check()
    posts[1].delete()
    check()
    Post.objects.filter(pk=posts[2].pk).delete()
    check()
    site.post("2022-02-17-counted.md", title="导入的", categories="b", tags="甲")
    call_command("import_posts", str(site.root), stdout=io.StringIO(), stderr=io.StringIO())
    check()
    assert fast_counts()[0]["b"] >= 2


def test_latest_is_the_newest_visible_post():
    factories.post(categories=["a"], when=datetime.datetime(2022, 2, 1, 9, tzinfo=SITE_TZ))
    factories.post(categories=["a"], when=datetime.datetime(2022, 2, 3, 9, tzinfo=SITE_TZ))
    factories.post(categories=["a"], when=datetime.datetime(2099, 1, 1, tzinfo=SITE_TZ))
    factories.post(categories=["a"], when=datetime.datetime(2022, 2, 5, 9, tzinfo=SITE_TZ), status="draft")
    (source,) = counting.source_counts()
    assert source.latest == datetime.datetime(2022, 2, 3, 9, tzinfo=SITE_TZ) and source.visible == 2
