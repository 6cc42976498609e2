"""Page caching through a real Redis (REDIS_URL's backend), where one answers on 127.0.0.1:6379."""
import socket
import uuid

import pytest
from django.core.cache import cache
from django.test import override_settings

from news import cache as news_cache

from . import factories

pytestmark = pytest.mark.django_db


def redis_available():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.fixture
def redis_cache():
    if not redis_available():
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"finews-test-{uuid.uuid4().hex[:8]}"
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": "redis://127.0.0.1:6379/15", "KEY_PREFIX": prefix}}
    with override_settings(CACHES=caches):
        yield cache
        cache.clear()


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
    assert redis_cache.get(news_cache.article_key(post.url_path)) is not None
