"""/category/ and /tag/: every source and tag with its count and latest time, by pinyin."""
import datetime
import html
import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from news.jekyll.dates import SITE_TZ
from news.models import Category, Post

from . import factories

pytestmark = pytest.mark.django_db


def entries(html):
    return re.findall(r'<li data-pinyin="([^"]*)"><a href="([^"]+)">([^<]+)</a> <span class="count">(\d+) 篇</span>',
                      html)


def test_sources_are_grouped_by_pinyin_with_counts_and_latest_times(client):
    factories.category("shzqb", "上海证券报")
    factories.category("cctv", "CCTV财经")
    factories.category("2131", "")  # no name: shown by its key
    factories.category("empty", "只有草稿")
    for _ in range(3):
        factories.post(categories=["shzqb"])
    factories.post(categories=["cctv"], when=datetime.datetime(2022, 3, 1, 8, 30, tzinfo=SITE_TZ))
    factories.post(categories=["2131"])
    factories.post(categories=["empty"], status="draft")
    html = client.get("/category/").content.decode()
    assert re.findall(r'<h2 id="letter-([^"]+)">', html) == ["C", "S", "#"]
    assert [(url, name, count) for _, url, name, count in entries(html)] == [
        ("/category/cctv.html", "CCTV财经", "1"), ("/category/shzqb.html", "上海证券报", "3"),
        ("/category/2131.html", "2131", "1")]
    assert "shanghaizhengquanbao shzqb" in html  # what the finder matches
    assert '<time datetime="2022-03-01T08:30:00+08:00">2022-03-01 08:30</time>' in html
    assert "共 3 个来源" in html and "只有草稿" not in html


def test_tags_are_listed_the_same_way(client):
    factories.post(tags=["东财滚动新闻", "货币"])
    factories.post(tags=["货币"])
    html = client.get("/tag/").content.decode()
    assert [(name, count) for _, _, name, count in entries(html)] == [("东财滚动新闻", "1"), ("货币", "2")]
    assert 'href="/tag/%E8%B4%A7%E5%B8%81/"' in html


@pytest.mark.parametrize("sources", [3, 30])
def test_directories_cost_the_same_queries_at_any_size(client, django_assert_max_num_queries, sources):
    for n in range(sources):
        factories.post(categories=[f"s{n}"], tags=[f"标签{n}"])
    with django_assert_max_num_queries(4):
        assert client.get("/category/").status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get("/tag/").status_code == 200


def test_the_directories_are_linked_from_every_page(client):
    factories.post()
    html = client.get("/").content.decode()
    assert 'href="/category/">来源</a>' in html and 'href="/tag/">标签</a>' in html


@pytest.mark.corpus
def test_the_real_sample_lists_every_source_with_its_right_count(corpus_dir, client):
    call_command("import_posts", str(corpus_dir), "--category-names", str(corpus_dir / "categories.tsv"),
                 stdout=io.StringIO(), stderr=io.StringIO())
    visible = Q(post_links__post__in=Post.objects.published())
    expected = {c.get_absolute_url(): (c.display_name, c.n)
                for c in Category.objects.annotate(n=Count("post_links", filter=visible)) if c.n}
    listed = {url: (name.replace("&amp;", "&"), int(count))
              for _, url, name, count in entries(client.get("/category/").content.decode())}
    assert listed == expected and len(listed) == 3


def test_directory_links_are_the_category_pages_own_addresses(client):
    keys = ["plain", "with space", "中文键", "a+b&c", "x/y", "~tilde:@"]
    for key in keys:
        factories.post(categories=[key])
    listed = {url for _, url, _, _ in entries(client.get("/category/").content.decode())}
    assert listed == {html.escape(Category.objects.get(key=key).get_absolute_url()) for key in keys}
