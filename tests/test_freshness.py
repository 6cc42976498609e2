"""Cached pages follow every change at once: imports, edits, bulk actions, renames, scheduled
posts coming due; unchanged pages answer 304; one worker rebuilds while others serve the old copy."""
import datetime
import io
import time
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from news import cache as page_cache
from news.models import Category, Post

from . import factories

pytestmark = pytest.mark.django_db
LISTINGS = ["/", "/emnews/", "/category/emnews.html", "/emnews/", "/tag/东财滚动新闻/", "/feed.xml",
            "/category/emnews/feed.xml", "/sitemap-posts.xml"]


@pytest.fixture
def cached_site(client):
    factories.category("emnews", "东财滚动新闻")
    factories.post("旧闻")
    for url in LISTINGS:
        assert client.get(url).status_code == 200, url  # now cached
    return client


def shows(client, url, text):
    return text in client.get(url).content.decode()


def test_an_import_shows_on_every_listing_at_once(cached_site, site):
    site.post("2022-02-17-new.md", "title: 刚导入\ndate: 2022-02-17 18:00:00 +0800\ncategories: emnews\n"
                                   "tags: 东财滚动新闻")
    call_command("import_posts", str(site.root), "--quiet", stdout=io.StringIO())
    url = Post.objects.get(title="刚导入").url_path
    for listing in LISTINGS:
        assert shows(cached_site, listing, "刚导入" if "sitemap" not in listing else url), listing


def test_unpublishing_removes_it_from_every_listing_at_once(cached_site, admin_client):
    post = Post.objects.get(title="旧闻")
    admin_client.post("/admin/news/post/", {"action": "unpublish", "_selected_action": [post.pk]})
    for listing in LISTINGS:
        assert not shows(cached_site, listing, post.url_path), listing
    assert cached_site.get(post.url_path).status_code == 404


def test_a_category_rename_shows_at_once(cached_site):
    category = Category.objects.get(key="emnews")
    category.name = "新名字"
    category.save()
    assert shows(cached_site, "/category/emnews.html", "<h1>新名字</h1>")


def test_a_scheduled_post_appears_when_its_time_comes(client):
    factories.category("emnews", "东财滚动新闻")
    ahead = datetime.timedelta(minutes=10)
    factories.post("定时的", when=timezone.now() + ahead)
    assert not shows(client, "/emnews/", "定时的")  # and the page is cached until the post's time
    real_now, real_time = timezone.now, time.time
    later = ahead + datetime.timedelta(seconds=1)
    # The clock moved on (the listings' now and the page cache's): no test waits for it.
    with mock.patch("django.utils.timezone.now", lambda: real_now() + later), \
            mock.patch("time.time", lambda: real_time() + later.total_seconds()):
        assert shows(client, "/emnews/", "定时的")


def test_unchanged_pages_answer_304_and_changed_ones_200(cached_site):
    first = cached_site.get("/emnews/")
    etag = first["ETag"]
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=1"
    again = cached_site.get("/emnews/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    factories.post("又一条")
    changed = cached_site.get("/emnews/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "又一条" in changed.content.decode() and changed["ETag"] != etag


def test_an_article_answers_304_and_signed_in_users_get_a_private_copy(client, admin_client):
    post = factories.post("一篇")
    etag = client.get(post.url_path)["ETag"]
    assert client.get(post.url_path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert admin_client.get(post.url_path)["Cache-Control"] == "private, no-cache"


def test_one_worker_rebuilds_while_the_others_serve_the_old_copy(cached_site, django_assert_num_queries):
    key = page_cache.page_key("page", "/emnews/")
    factories.post("新来的")  # the cached copy is stale now
    cache.add(key + ":lock", 1, 30)  # another worker is rebuilding it
    with django_assert_num_queries(0):
        response = cached_site.get("/emnews/")
    stale = response.content.decode()
    assert "旧闻" in stale and "新来的" not in stale
    assert response["X-Cache"] == "STALE" and response["X-Accel-Expires"] == "0"  # no proxy keeps it
    cache.delete(key + ":lock")
    assert shows(cached_site, "/emnews/", "新来的")


def test_nothing_is_rebuilt_when_nothing_changed(cached_site, django_assert_num_queries):
    user = User.objects.create_user("reader")  # changes nothing readers see
    assert user.pk
    with django_assert_num_queries(0):
        for url in LISTINGS:
            assert cached_site.get(url).status_code == 200


def test_reader_pages_are_sent_compressed_and_the_admin_is_not(cached_site, admin_client):
    import gzip

    for url in ["/", "/category/emnews.html", "/feed.xml", "/no/such/page.html"]:
        response = cached_site.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
        assert response["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in response["Vary"]
        assert gzip.decompress(response.content).decode().startswith(("<!doctype html>", "<?xml")), url
    plain = cached_site.get("/")
    assert "Content-Encoding" not in plain and plain.content.decode().startswith("<!doctype html>")
    admin = admin_client.get("/admin/news/post/", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in admin


@pytest.mark.parametrize("header, compressed", [
    ("gzip;q=0", False), ("deflate, gzip; q=0", False), ("*;q=0", False), ("identity", False),
    ("gzip;Q=0.5", True), ("br, gzip", True), ("gzip;q=oops", False)])
def test_accept_encoding_qualities_are_honoured(cached_site, header, compressed):
    # "/" comes from the page cache; the 404 page is built each time and compressed by middleware.
    for url in ["/", "/no/such/page.html"]:
        response = cached_site.get(url, HTTP_ACCEPT_ENCODING=header)
        assert (response.get("Content-Encoding") == "gzip") is compressed, (url, header)
        assert "Accept-Encoding" in response["Vary"]


def test_a_page_whose_body_left_the_cache_is_built_again(cached_site, django_assert_max_num_queries):
    key = page_cache.page_key("page", "/emnews/")
    assert cache.get(key) is not None
    cache.delete_many([key + ":plain", key + ":gzip"])  # evicted under memory pressure
    with django_assert_max_num_queries(6):  # the page built: its items' sources, securities and stories
        assert shows(cached_site, "/emnews/", "旧闻")
    with django_assert_max_num_queries(0):
        packed = cached_site.get("/emnews/", HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip" and packed["ETag"] == cached_site.get("/emnews/")["ETag"]


def test_a_revalidation_reads_no_page_body(cached_site):
    tag = cached_site.get("/").headers["ETag"]
    key = page_cache.page_key("page", "/")
    cache.delete_many([key + ":plain", key + ":gzip"])
    assert cached_site.get("/", HTTP_IF_NONE_MATCH=tag).status_code == 304  # answered from the small entry


def test_a_cold_page_another_worker_is_building_is_waited_for(cached_site, monkeypatch, django_assert_num_queries):
    key = page_cache.page_key("page", "/emnews/")
    kept = cache.get_many([key, key + ":plain", key + ":gzip"])
    cache.delete_many(list(kept))  # cold: nothing to serve meanwhile
    cache.add(key + ":lock", 1, 30)  # another worker is building it ...

    def other_worker_finishes(seconds):  # ... and finishes while this request waits
        cache.set_many(kept)
        cache.delete(key + ":lock")

    monkeypatch.setattr(page_cache.time, "sleep", other_worker_finishes)
    with django_assert_num_queries(0):  # not built a second time
        response = cached_site.get("/emnews/")
    assert response["X-Cache"] == "HIT" and "旧闻" in response.content.decode()
