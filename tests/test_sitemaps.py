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
    assert locations == ["http://testserver/sitemap-posts.xml", "http://testserver/sitemap-categories.xml"]
    posts = ET.fromstring(client.get("/sitemap-posts.xml").content)
    assert [loc.text for loc in posts.iter(f"{NS}loc")] == [f"http://testserver{live.url_path}"]
    categories = ET.fromstring(client.get("/sitemap-categories.xml").content)
    assert "http://testserver/category/emnews.html" in [loc.text for loc in categories.iter(f"{NS}loc")]
    assert client.get("/sitemap-nope.xml").status_code == 404


def test_the_index_does_not_load_every_post(client, monkeypatch):
    from news.sitemaps import PostSitemap

    posts = [factories.post() for _ in range(5)]
    seen = []
    original = PostSitemap.lastmod
    monkeypatch.setattr(PostSitemap, "lastmod", lambda self, post: seen.append(post) or original(self, post))
    index = client.get("/sitemap.xml").content.decode()
    assert seen == []  # Django's default asks every post for its lastmod to find the latest
    latest = max(p.updated_at for p in posts)
    assert f"<lastmod>{latest.astimezone(SITE_TZ):%Y-%m-%dT%H:%M:%S}" in index
