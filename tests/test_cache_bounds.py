"""The page cache is bounded and cannot be poisoned: query strings a page does not understand
make no cache entries, variants per page are capped, a full Redis (``noeviction`` or
``allkeys-lru``) never hides a new post, and absolute URLs come from the configured origin."""
import contextlib
import uuid

import pytest
from django.test import override_settings

from news.models import Post

from . import factories
from .live import PrivateRedis

pytestmark = pytest.mark.django_db
needs_redis = pytest.mark.skipif(not PrivateRedis.available, reason="redis-server not installed")


@contextlib.contextmanager
def redis_cache(*options):
    """A private redis-server (started with ``options``) as the cache."""
    server = PrivateRedis(*options)
    caches = {"default": {"BACKEND": "news.cache.backend.ResilientRedisCache", "LOCATION": server.url,
                          "KEY_PREFIX": f"bounds-{uuid.uuid4().hex[:6]}"}}
    try:
        with override_settings(CACHES=caches):
            yield server
    finally:
        server.stop()


@pytest.fixture
def own_redis():
    with redis_cache() as server:
        yield server


def used_memory(server):
    return server.client().info("memory")["used_memory"]


@needs_redis
def test_unknown_query_strings_cost_the_cache_nothing(own_redis, client):
    factories.post("一篇")
    assert client.get("/").status_code == 200
    before = used_memory(own_redis)
    for n in range(2000):
        response = client.get(f"/?x={n}")
        assert response.status_code == 301 and response["Location"] == "/"
    assert used_memory(own_redis) - before < 5 * 1024 * 1024
    assert client.get("/category/emnews.html?page=1&utm_source=x")["Location"] == "/category/emnews.html?page=1"


@needs_redis
def test_variants_of_one_page_are_capped(own_redis, client, settings):
    settings.FINEWS_CACHE_VARIANTS = 5
    factories.post("一篇")
    for day in range(1, 11):
        client.get(f"/category/emnews.html?date=2022-02-{day:02d}")
    kept = [day for day in range(1, 11)
            if client.get(f"/category/emnews.html?date=2022-02-{day:02d}")["X-Cache"] == "HIT"]
    assert kept == [1, 2, 3, 4, 5]
    # Past the cap a variant is built for its request and leaves no key behind (not even small ones).
    keys = own_redis.client().dbsize()
    for day in range(1, 29):
        assert client.get(f"/category/emnews.html?date=2021-03-{day:02d}").status_code == 200
        assert client.get(f"/category/emnews.html?page=1&date=2021-04-{day:02d}").status_code == 200
    assert own_redis.client().dbsize() == keys
    assert client.get("/category/emnews.html")["X-Cache"] == "MISS"  # the plain page is always kept
    assert client.get("/category/emnews.html")["X-Cache"] == "HIT"


def fill(server):
    """Write junk until Redis refuses (noeviction) or starts evicting (allkeys-lru)."""
    redis = server.client()
    for n in range(100_000):
        try:
            redis.set(f"junk:{n}", "x" * 10_000)
        except Exception:  # OOM command not allowed
            return
        if redis.info("stats")["evicted_keys"] > 50:
            return


@needs_redis
@pytest.mark.parametrize("policy", ["noeviction", "allkeys-lru"])
def test_a_full_redis_never_hides_a_new_post(policy, client):
    with redis_cache("--maxmemory", "8mb", "--maxmemory-policy", policy) as server:
        factories.post("旧闻")
        pages = ["/", "/emnews/", "/category/emnews.html", "/feed.xml"]
        for page in pages * 2:
            assert client.get(page).status_code == 200
        assert client.get("/")["X-Cache"] == "HIT"
        fill(server)
        factories.post("满了以后的新闻")
        for page in pages:
            assert "满了以后的新闻" in client.get(page).content.decode(), page


def test_absolute_urls_come_from_the_configured_origin(client, settings):
    settings.ALLOWED_HOSTS = ["news.example.com"]
    settings.FINEWS_SITE_URL = "https://news.example.com"
    post = factories.post("一篇")
    for path in ["/feed.xml", "/sitemap.xml", "/sitemap-posts.xml"]:
        for host in ["news.example.com:1", "news.example.com:666", "news.example.com"]:
            text = client.get(path, HTTP_HOST=host).content.decode()
            assert ":1/" not in text and ":666" not in text, (path, host)
            assert "https://news.example.com/" in text, (path, host)
    factories.post("又一篇")
    text = client.get("/feed.xml", HTTP_HOST="news.example.com:1").content.decode()
    assert "又一篇" in text and "news.example.com:1" not in text and f"https://news.example.com{post.url_path}" in text


def test_a_field_assigned_after_only_is_saved(client):
    post = factories.post("原来的")
    partial = Post.objects.only("pk", "url_path").get(pk=post.pk)
    partial.title = "后来赋值的"
    partial.save()
    assert Post.objects.get(pk=post.pk).title == "后来赋值的"
    assert "后来赋值的" in client.get(post.url_path).content.decode()


def test_an_untouched_save_still_writes_and_is_heard(client):
    post = factories.post("照旧")
    assert "照旧" in client.get(post.url_path).content.decode()  # cached
    Post.objects.filter(pk=post.pk).update(title="绕过写入路径改的")  # no signal: the page does not know
    assert "照旧" in client.get(post.url_path).content.decode()
    Post.objects.get(pk=post.pk).save()  # Django's contract: save() writes, and post_save follows
    assert "绕过写入路径改的" in client.get(post.url_path).content.decode()


class LaterClock:
    """``time`` as Django's cache modules see it, ``ahead`` seconds in the future."""

    def __init__(self, ahead):
        self.ahead = ahead

    def time(self):
        import time

        return time.time() + self.ahead


def test_the_variant_cap_outlives_the_caches_default_timeout(client, settings, monkeypatch):
    """Found by review: the file cache's incr() re-set the per-page counter with the default timeout
    (5 min), while the variants it counted live a day: every 5 idle minutes a crawler had another
    full set of variants to fill."""
    from django.core.cache import caches
    from django.core.cache.backends import base, filebased

    if not isinstance(caches["default"], filebased.FileBasedCache):
        pytest.skip("the suite runs with another cache than the default file cache")
    settings.FINEWS_CACHE_VARIANTS = 3
    factories.post("一篇")
    for day in range(1, 4):
        client.get(f"/category/emnews.html?date=2022-02-{day:02d}")
    clock = LaterClock(600)  # past the default 300 s, well within FINEWS_PAGE_KEEP_SECONDS
    monkeypatch.setattr(base, "time", clock)
    monkeypatch.setattr(filebased, "time", clock)
    assert settings.FINEWS_PAGE_KEEP_SECONDS > 600
    for ahead in (0, 0, 400, 4000):  # refused variants do not shorten the count's life either
        clock.ahead += ahead
        response = client.get("/category/emnews.html?date=2022-03-01")
        assert response.status_code == 200 and response["X-Cache"] != "HIT"


def test_the_variant_count_starts_again_each_period_however_busy_the_path(client, settings, monkeypatch):
    """Found by a second review: a count whose life every new variant extended never expired on a
    path that saw one new variant a day, while the variants it counted did: re-counted, they
    filled it, and the path's variants were never kept again."""
    from django.core.cache.backends import base, filebased

    import news.cache.variants

    settings.FINEWS_CACHE_VARIANTS = 2
    keep = settings.FINEWS_PAGE_KEEP_SECONDS
    clock = LaterClock(0)
    clock.ahead = (clock.time() // keep + 1) * keep - clock.time() + 1  # the start of a period
    for module in (base, filebased, news.cache.variants):
        monkeypatch.setattr(module, "time", clock)
    factories.post("一篇")

    def kept(query):
        client.get(f"/category/emnews.html?{query}")
        return client.get(f"/category/emnews.html?{query}")["X-Cache"] == "HIT"

    assert kept("date=2022-02-01")
    clock.ahead += keep // 2
    assert kept("date=2022-02-02")
    clock.ahead += keep // 2 + 60  # the first variant has expired; a new period has begun
    assert kept("date=2022-02-01")


def test_the_file_cache_lists_its_folder_now_and_then_and_stays_bounded(tmp_path, monkeypatch):
    """Django's file cache lists its folder on every write (~30 ms a write near 20,000 files): an
    import marking thousands of pages stale spent seconds listing. It lists once per CHECK_EVERY
    writes, and the folder still stays within MAX_ENTRIES plus that many."""
    from news.cache.files import SharedFileCache

    cache = SharedFileCache(str(tmp_path / "c"), {"OPTIONS": {"MAX_ENTRIES": 50}})
    listings = []
    real = cache._list_cache_files
    monkeypatch.setattr(cache, "_list_cache_files", lambda: listings.append(1) or real())
    for n in range(1000):
        cache.set(f"key-{n}", b"x" * 100, 600)
    files = len(real())
    assert len(listings) <= 1000 // SharedFileCache.CHECK_EVERY + 1
    assert files <= 50 + SharedFileCache.CHECK_EVERY
    assert cache.get("key-999") == b"x" * 100  # the newest write is kept
