import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache

from news.jekyll.dates import SITE_TZ

from . import factories

pytestmark = pytest.mark.django_db
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_sitemaps_list_published_posts_and_categories(client):
    cache.clear()
    live = factories.post("可见", categories=["emnews"])
    factories.post("草稿", status="draft")
    index = ET.fromstring(client.get("/sitemap.xml").content)
    locations = [loc.text for loc in index.iter(f"{NS}loc")]
    assert locations == ["http://127.0.0.1:8000/sitemap-posts.xml", "http://127.0.0.1:8000/sitemap-categories.xml",
                         "http://127.0.0.1:8000/sitemap-pages.xml"]
    posts = ET.fromstring(client.get("/sitemap-posts.xml").content)
    assert [loc.text for loc in posts.iter(f"{NS}loc")] == [f"http://127.0.0.1:8000{live.url_path}"]
    categories = ET.fromstring(client.get("/sitemap-categories.xml").content)
    assert "http://127.0.0.1:8000/category/emnews.html" in [loc.text for loc in categories.iter(f"{NS}loc")]
    assert client.get("/sitemap-nope.xml").status_code == 404


def test_the_index_does_not_load_every_post(client, monkeypatch):
    from news.reader.sitemaps import PostSitemap

    posts = [factories.post() for _ in range(5)]
    seen = []
    original = PostSitemap.lastmod
    monkeypatch.setattr(PostSitemap, "lastmod", lambda self, post: seen.append(post) or original(self, post))
    index = client.get("/sitemap.xml").content.decode()
    assert seen == []  # Django's default asks every post for its lastmod to find the latest
    latest = max(p.updated_at for p in posts)
    assert f"<lastmod>{latest.astimezone(SITE_TZ):%Y-%m-%dT%H:%M:%S}" in index


def locations(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return [loc.text for loc in ET.fromstring(response.content).iter(f"{NS}loc")]


def test_post_sections_are_beijing_days_newest_first(client, django_assert_max_num_queries):
    def at(day, hour, minute=0):
        return datetime.datetime(2022, 2, day, hour, minute, tzinfo=SITE_TZ)

    late = factories.post("17日深夜", when=at(17, 23, 59))  # 15:59 UTC: still the 17th in Beijing
    early = factories.post("17日清晨", when=at(17, 0, 0))
    first = factories.post("15日", when=at(15, 9))
    factories.post("16日的草稿", when=at(16, 9), status="draft")
    factories.post("未来", when=datetime.datetime(2099, 1, 1, tzinfo=SITE_TZ))

    with django_assert_max_num_queries(8):  # first and last day (posts, pages), last change, categories, channels, next scheduled
        index = locations(client, "/sitemap.xml")
    assert index == ["http://127.0.0.1:8000/sitemap-posts.xml", "http://127.0.0.1:8000/sitemap-posts.xml?p=2",
                     "http://127.0.0.1:8000/sitemap-posts.xml?p=3", "http://127.0.0.1:8000/sitemap-categories.xml",
                     "http://127.0.0.1:8000/sitemap-pages.xml"]
    with django_assert_max_num_queries(4):  # first and last day, the day's posts, next scheduled
        newest_day = locations(client, "/sitemap-posts.xml")
    assert newest_day == [f"http://127.0.0.1:8000{late.url_path}", f"http://127.0.0.1:8000{early.url_path}"]
    assert locations(client, "/sitemap-posts.xml?p=2") == []  # only a draft that day
    assert locations(client, "/sitemap-posts.xml?p=3") == [f"http://127.0.0.1:8000{first.url_path}"]
    for page in ("4", "0", "-1", "x", "99999999999999999999"):
        assert client.get(f"/sitemap-posts.xml?p={page}").status_code == 404, page


CHANNELS = ("a-shares", "hk-stocks", "us-stocks", "forex", "commodities", "central-banks", "macro")  # shipped


def test_sitemaps_of_an_empty_site(client):
    assert locations(client, "/sitemap.xml") == [
        "http://127.0.0.1:8000/sitemap-posts.xml", "http://127.0.0.1:8000/sitemap-categories.xml",
        "http://127.0.0.1:8000/sitemap-pages.xml"]
    assert locations(client, "/sitemap-pages.xml") == [
        "http://127.0.0.1:8000/", "http://127.0.0.1:8000/emnews/", "http://127.0.0.1:8000/category/", "http://127.0.0.1:8000/tag/",
        "http://127.0.0.1:8000/channel/", *(f"http://127.0.0.1:8000/channel/{slug}/" for slug in CHANNELS)]
    assert locations(client, "/sitemap-posts.xml") == []
    assert client.get("/sitemap-posts.xml?p=2").status_code == 404


def test_the_pages_sitemap_lists_the_archives_from_first_day_to_last(client):
    factories.post("一", when=datetime.datetime(2022, 1, 31, 9, tzinfo=SITE_TZ))
    factories.post("二", when=datetime.datetime(2022, 2, 2, 9, tzinfo=SITE_TZ))
    pages = [url.removeprefix("http://127.0.0.1:8000") for url in locations(client, "/sitemap-pages.xml")]
    assert pages == ["/", "/emnews/", "/category/", "/tag/", "/channel/", *(f"/channel/{slug}/" for slug in CHANNELS),
                     "/2022/02/", "/2022/01/",
                     "/2022/02/02/", "/2022/02/01/", "/2022/01/31/"]
    assert "/search/" not in pages
