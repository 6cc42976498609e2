"""Page caching through a real Redis (REDIS_URL's backend), where one answers on 127.0.0.1:6379."""
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

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
    assert "编辑保存后" in client.get("/").content.decode()  # listings too: one generation for all
    etag, body = redis_cache.get(news_cache.page_key("article", post.url_path) + ":plain")
    assert "编辑保存后" in body.decode() and redis_cache.get(news_cache.page_key("article", post.url_path))["etag"] == etag


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """A reader or an editor talking HTTP to the server, with cookies (urllib only)."""

    def __init__(self, base):
        import http.cookiejar
        import urllib.request

        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        with self.opener.open(self.base + urllib.parse.quote(path, safe="/?=&:"), timeout=10) as response:
            return response.read().decode()

    def post(self, path, data):
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True).encode()
        with self.opener.open(self.base + urllib.parse.quote(path, safe="/?=&:"), body, timeout=10) as response:
            return response.read().decode()


def within_a_second(check):
    deadline = time.monotonic() + 1.0
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_two_processes_share_freshness_through_redis(tmp_path):
    """gunicorn (2 workers) serves from Redis; import_posts and an editor's action in other
    processes change what it serves within a second."""
    root = Path(__file__).resolve().parent.parent
    port = free_port()
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
           "REDIS_URL": "redis://127.0.0.1:6379/14", "CACHE_KEY_PREFIX": f"finews-live-{uuid.uuid4().hex[:8]}",
           "CONN_MAX_AGE": "0"}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=root, env=env, check=True, capture_output=True)
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    (posts / "2022-02-17-old.md").write_text(
        "---\ntitle: 旧闻\ndate: 2022-02-17 10:00:00 +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n旧", "utf-8")
    subprocess.run([*manage, "import_posts", str(tmp_path / "site"), "--quiet"], cwd=root, env=env, check=True)
    subprocess.run([*manage, "shell", "-c", "from django.contrib.auth.models import User; "
                    "User.objects.create_superuser('chief', 'c@example.com', 'pw-chief-2026')"],
                   cwd=root, env=env, check=True)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "finews.wsgi", "--workers", "2",
                               "--bind", f"127.0.0.1:{port}"], cwd=root, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        reader = Browser(f"http://127.0.0.1:{port}")
        assert within_a_second(lambda: _answers(reader)) or _wait_up(reader)
        pages = ["/", "/emnews/", "/category/emnews.html", "/tag/东财滚动新闻/", "/feed.xml"]
        for page in pages * 2:  # cached now, in Redis
            assert "旧闻" in reader.get(page)

        (posts / "2022-02-17-new.md").write_text(
            "---\ntitle: 新到的\ndate: 2022-02-17 11:00:00 +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n新", "utf-8")
        subprocess.run([*manage, "import_posts", str(tmp_path / "site"), "--quiet"], cwd=root, env=env, check=True)
        for page in pages:
            assert within_a_second(lambda page=page: "新到的" in reader.get(page)), page

        editor = Browser(f"http://127.0.0.1:{port}")
        editor.get("/admin/login/")
        editor.post("/admin/login/", {"username": "chief", "password": "pw-chief-2026", "next": "/admin/"})
        listing = editor.get("/admin/news/post/?q=新到的")
        post_id = re.search(r'name="_selected_action" value="(\d+)"', listing).group(1)
        editor.post("/admin/news/post/", {"action": "unpublish", "_selected_action": post_id})
        for page in pages:
            assert within_a_second(lambda page=page: "新到的" not in reader.get(page)), page
    finally:
        server.terminate()
        server.wait(timeout=10)
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/14").flushdb()


def _answers(reader):
    try:
        reader.get("/")
        return True
    except OSError:
        return False


def _wait_up(reader, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _answers(reader):
            return True
        time.sleep(0.1)
    return False
