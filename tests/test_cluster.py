"""Production, for real: tests/cluster.py starts two gunicorn app servers, the job worker and
nginx on loopback ports against a throwaway PostgreSQL database and the machine's Redis, and an
editor and a scraper use it over HTTP (DEBUG off, production settings)."""
import asyncio
import concurrent.futures
import http.client
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from tests.cluster import ROOT, Cluster
from tests.streams import Streams, percentile

from .live import PrivateRedis
from .push import PrivateNchan

GOOD = "---\ntitle: {title}\ndate: 2022-02-17 17:38:20 +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n正文"


def reachable(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not (shutil.which("nginx") and PrivateNchan.available and reachable(5432) and PrivateRedis.available),
    reason="needs nginx (Debian nginx-light, libnginx-mod-nchan), PostgreSQL on 127.0.0.1:5432 and redis-server")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    """An HTTP client that keeps cookies itself (production cookies are Secure; this is loopback)."""

    def __init__(self):
        self.cookies = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, url, data=None, content_type=None, headers=None):
        headers = {**(headers or {}), "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(url, data=data, headers=headers)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.read().decode(), response.headers

    def get(self, url):
        return self.request(url)

    def post(self, url, fields):
        fields = {**fields, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        return self.request(url, urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded",
                            {"Referer": url})

    def post_file(self, url, field, name, data):
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n"
                f"{self.cookies['csrftoken']}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                f"filename=\"{name}\"\r\nContent-Type: text/markdown\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        return self.request(url, body, f"multipart/form-data; boundary={boundary}", {"Referer": url})


def eventually(check, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return time.monotonic() - (deadline - seconds)
        time.sleep(0.05)
    return None


@pytest.fixture
def cluster(tmp_path):
    import psycopg

    name = f"finews_cluster_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    redis = PrivateRedis()
    env = {"DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}", "REDIS_URL": redis.url,
           "SECRET_KEY": "cluster-test-" + "k" * 50,
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0",
           "CONN_MAX_AGE": "0"}
    running = Cluster(tmp_path / "cluster", env=env)
    try:
        yield running.start()
    finally:
        running.stop()
        redis.stop()
        with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(cluster, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=cluster.env, check=True,
                          capture_output=True, text=True).stdout


def test_upload_on_one_server_confirm_on_the_other_api_everywhere_and_one_server_down(cluster):
    a, b, front = cluster.url("app-a"), cluster.url("app-b"), cluster.url()
    manage(cluster, "shell", "-c", "from django.contrib.auth.models import User; "
           "User.objects.create_superuser('chief', 'c@example.com', 'pw-chief-2026')")

    # An editor uploads through server A ...
    editor = Session()
    editor.get(a + "/admin/login/")
    status, _, headers = editor.post(a + "/admin/login/", {"username": "chief", "password": "pw-chief-2026",
                                                           "next": "/admin/"})
    assert status == 302, "login failed"
    status, _, headers = editor.post_file(a + "/admin/news/post/import/", "files", "2022-02-17-cluster.md",
                                          GOOD.format(title="两台服务器导入的").encode())
    assert status == 302
    page = headers["Location"]
    # ... the worker checks it, and the editor confirms through server B.
    assert eventually(lambda: "试运行结果" in editor.get(b + page)[1], 30), "the dry run never finished"
    assert editor.post(b + page, {})[0] == 302
    assert eventually(lambda: "导入完成" in editor.get(a + page)[1], 30), "the import never finished"
    assert eventually(lambda: "两台服务器导入的" in Session().get(front + "/")[1], 2)

    # A scraper posts through nginx; both app servers show it within a second.
    key = manage(cluster, "ingest_token", "cluster-scraper").strip().splitlines()[-1]
    reader = Session()
    for server in (a, b):
        assert "接口送来的" not in reader.get(server + "/")[1]  # cached in Redis now
    body = f'{{"path": "_posts/2022-02-17-api.md", "content": {GOOD.format(title="接口送来的")!r}}}'.replace("'", '"')
    status, answer, _ = reader.request(front + "/api/posts/", body.encode(), "application/json",
                                       {"Authorization": f"Bearer {key}"})
    assert status == 201, answer
    for server in (a, b):
        waited = eventually(lambda server=server: "接口送来的" in reader.get(server + "/")[1], 1.0)
        assert waited is not None, f"not on {server} within a second"

    # nginx: static files from disk, anonymous pages microcached for a second.
    html = reader.get(front + "/")[1]
    css = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', html).group(1)
    status, _, headers = reader.get(front + css)
    assert status == 200 and "immutable" in headers["Cache-Control"]
    reader.get(front + "/emnews/")
    assert reader.get(front + "/emnews/")[2]["X-Proxy-Cache"] == "HIT"
    # The live wall's delta: many readers in the same state ask nginx, about one reaches an app server a second.
    delta = front + "/live/latest/?after=0"
    started, burst = time.monotonic(), Session()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: burst.get(delta), range(200)))
    elapsed = time.monotonic() - started
    assert all(status == 200 for status, _, _ in answers)
    origin = sum(headers.get("X-Proxy-Cache") != "HIT" for _, _, headers in answers)
    assert origin <= 2 + int(elapsed), (origin, elapsed)
    # A forged Host is closed unanswered; the feed carries only the configured origin.
    with pytest.raises((urllib.error.URLError, ConnectionError, http.client.RemoteDisconnected)):
        urllib.request.urlopen(urllib.request.Request(front + "/feed.xml", headers={"Host": "evil.example:1"}), timeout=5)

    # One app server dies: the site still answers through nginx, cached pages and built ones alike.
    cluster.kill("app-a")
    for path in ["/", "/emnews/", "/category/emnews.html?page=1", "/search/?q=接口", "/healthz"] * 3:
        status, text, _ = reader.get(front + urllib.parse.quote(path, safe="/?=&"))
        assert status == 200, (path, status, text[:200])


def test_a_post_sent_through_the_api_reaches_2000_open_streams_within_a_second(cluster):
    """Push through the production front (news/push/, nginx's nchan with Redis): 2,000 readers
    of the home page hold its event stream; a post sent through the API reaches all of them, p99
    within a second of the API request returning."""
    key = manage(cluster, "ingest_token", "push-scraper").strip().splitlines()[-1]
    html = Session().get(cluster.url() + "/")[1]
    assert '<link rel="alternate" type="text/event-stream" href="/stream/latest">' in html

    def send():
        body = json.dumps({"path": "_posts/2022-02-17-push.md", "content": GOOD.format(title="推送给所有读者")}).encode()
        status, answer, _ = Session().request(cluster.url() + "/api/posts/", body, "application/json",
                                              {"Authorization": f"Bearer {key}"})
        assert status == 201, answer

    streams = Streams(cluster.port, "/stream/latest", 2000)
    sent, received = asyncio.run(streams.deliver(send))
    assert len(received) == 2000 and not streams.failed, streams.failed[:3]
    delays = [max(0.0, moment - sent) for moment in received]
    assert percentile(delays, 0.99) <= 1.0, (percentile(delays, 0.5), percentile(delays, 0.99))
    print(f"push to 2,000 streams: median {percentile(delays, 0.5) * 1000:.0f} ms, "
          f"p99 {percentile(delays, 0.99) * 1000:.0f} ms after the API request returned")
