import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache

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
