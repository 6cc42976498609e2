"""Page caching through a real Redis: a private redis-server on a free port (tests/live.py), never
the machine's."""
import re

import pytest
from django.core.cache import cache
from django.test import override_settings

from news import cache as news_cache

from . import factories
from .live import Client, PrivateRedis, Site, within

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not PrivateRedis.available, reason="redis-server not installed")]


@pytest.fixture
def redis_cache():
    server = PrivateRedis()
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": server.url}}
    try:
        with override_settings(CACHES=caches):
            yield cache
    finally:
        server.stop()


def test_listing_and_article_are_cached_in_redis(redis_cache, client, django_assert_num_queries):
    post = factories.post("缓存前")
    assert "缓存前" in client.get("/").content.decode()
    assert client.get(post.url_path).status_code == 200
    with django_assert_num_queries(0):
        assert "缓存前" in client.get("/").content.decode()
        assert client.get(post.url_path).status_code == 200
    post.title = "编辑保存后"
    post.save()
    assert "编辑保存后" in client.get(post.url_path).content.decode()
    assert "编辑保存后" in client.get("/").content.decode()  # listings too: one generation for all
    etag, body = redis_cache.get(news_cache.page_key("article", post.url_path) + ":plain")
    assert "编辑保存后" in body.decode() and redis_cache.get(news_cache.page_key("article", post.url_path))["etag"] == etag


def test_two_processes_share_freshness_through_redis(tmp_path):
    """gunicorn (2 workers) serves from Redis; import_posts and an editor's action in other
    processes change what it serves within a second."""
    redis = PrivateRedis()
    site = Site(tmp_path, redis.url)
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    (posts / "2022-02-17-old.md").write_text(
        "---\ntitle: 旧闻\ndate: 2022-02-17 10:00:00 +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n旧", "utf-8")
    try:
        site.start()
        site.manage("import_posts", str(tmp_path / "site"), "--quiet")
        site.shell("from django.contrib.auth.models import User; "
                   "User.objects.create_superuser('chief', 'c@example.com', 'pw-chief-2026')")
        reader = Client(site.base)
        pages = ["/", "/emnews/", "/category/emnews.html", "/tag/东财滚动新闻/", "/feed.xml"]
        for page in pages * 2:  # cached now, in Redis
            assert "旧闻" in reader.get(page)[1]

        (posts / "2022-02-17-new.md").write_text(
            "---\ntitle: 新到的\ndate: 2022-02-17 11:00:00 +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n新", "utf-8")
        site.manage("import_posts", str(tmp_path / "site"), "--quiet")
        for page in pages:
            assert within(1.0, lambda page=page: "新到的" in reader.get(page)[1]), page

        editor = Client(site.base)
        editor.login("chief", "pw-chief-2026")
        listing = editor.get("/admin/news/post/?q=新到的")[1]
        post_id = re.search(r'name="_selected_action" value="(\d+)"', listing).group(1)
        editor.post("/admin/news/post/", {"action": "unpublish", "_selected_action": post_id})
        for page in pages:
            assert within(1.0, lambda page=page: "新到的" not in reader.get(page)[1]), page
    finally:
        site.stop()
        redis.stop()
