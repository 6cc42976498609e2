"""Blips of the production services, for real: our own redis-server and our own PostgreSQL
cluster on spare loopback ports (never the machine's), stopped and started under a running site."""
import glob
import json
import logging
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.test import override_settings

from news.models import Post

from . import factories
from .live import Client, PrivateRedis, Site, free_port, wait_for_port, within

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def own_redis(tmp_path):
    """A private redis-server: ``.stop()`` / ``.pause()`` / ``.resume()`` / ``.start()``."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server not installed")

    class Server:
        port = free_port()
        process = None

        def start(self):
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
            import redis

            for _ in range(100):
                try:
                    redis.Redis(port=self.port).ping()
                    return
                except redis.exceptions.ConnectionError:
                    time.sleep(0.05)
            raise RuntimeError("redis-server did not start")

        def stop(self):
            self.process.terminate()
            self.process.wait(timeout=10)

        def pause(self):
            self.process.send_signal(signal.SIGSTOP)

        def resume(self):
            self.process.send_signal(signal.SIGCONT)

        def keys(self):
            import redis

            return len(redis.Redis(port=self.port).keys("*"))

    server = Server()
    server.start()
    caches = {"default": {"BACKEND": "news.cache.backend.ResilientRedisCache",
                          "LOCATION": f"redis://127.0.0.1:{server.port}/0",
                          "KEY_PREFIX": f"outage-{uuid.uuid4().hex[:6]}",
                          "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    with override_settings(CACHES=caches):
        yield server
    server.resume()
    server.stop()


def outage_warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "news.cache" and r.levelno == logging.WARNING]


@pytest.mark.django_db
def test_reader_pages_answer_while_redis_is_down_and_the_cache_comes_back(own_redis, client, caplog):
    post = factories.post("缓存中的文章")
    pages = ["/", "/emnews/", "/category/emnews.html", "/feed.xml", post.url_path]
    for page in pages:
        assert client.get(page).status_code == 200
    assert own_redis.keys() > 0

    own_redis.stop()
    factories.post("停机时发布的")  # the write path cannot bump the generation now; no error either
    for page in pages * 3:
        response = client.get(page)
        assert response.status_code == 200, page
    assert "停机时发布的" in client.get("/").content.decode()  # pages are built, just not kept
    assert outage_warnings(caplog) == [outage_warnings(caplog)[0]]  # logged once, not per request
    assert "不可用" in outage_warnings(caplog)[0]

    own_redis.start()  # empty, as a restarted Redis without persistence is
    # The backend waits a second before trying again: ask until it has (no fixed sleep).
    assert within(30, lambda: "停机时发布的" in client.get("/").content.decode() and own_redis.keys() > 0), \
        "the cache did not come back by itself"
    assert "已恢复" in outage_warnings(caplog)[-1]


@pytest.mark.django_db
def test_a_change_made_while_redis_was_unreachable_shows_after_it_returns(own_redis, client, caplog):
    factories.post("旧闻")
    assert "旧闻" in client.get("/").content.decode()  # cached, generation N
    own_redis.pause()  # hangs, keeping its data: a network blip, not a restart
    fresh = factories.post("断网时发布的")  # the bump times out and is lost
    assert fresh.pk
    own_redis.resume()
    # The stale copy of generation N is still in Redis, but the first call that succeeds after
    # the outage bumps the generation, so it is never served as fresh: every answer, until and
    # after the backend takes Redis back (it waits a second first), shows the new post.
    def answer_shows_it_and_cache_is_back():
        assert "断网时发布的" in client.get("/").content.decode()
        return bool(outage_warnings(caplog)) and "已恢复" in outage_warnings(caplog)[-1]

    assert within(30, answer_shows_it_and_cache_is_back)
    assert "断网时发布的" in client.get("/").content.decode()


@pytest.mark.skipif(not PrivateRedis.available, reason="redis-server not installed")
def test_a_change_made_while_redis_hung_reaches_every_server_when_it_answers(tmp_path):
    """An import in its own process cannot mark pages stale while Redis hangs, and the app servers
    never noticed the outage: the job it leaves marks every page stale once Redis answers."""
    redis = PrivateRedis()
    site = Site(tmp_path, redis.url)
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    post = "---\ntitle: {}\ndate: 2022-02-17 1{}:00:00 +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n正文"
    (posts / "2022-02-17-old.md").write_text(post.format("旧闻", 0), "utf-8")
    pages = ["/category/emnews.html", "/tag/东财滚动新闻/", "/2022/02/17/"]
    try:
        site.start()
        site.start_worker()
        site.manage("import_posts", str(tmp_path / "site"), "--quiet")
        reader = Client(site.base)
        for page in pages * 2:
            assert "旧闻" in reader.get(page)[1]
        assert all(reader.get(page)[2]["X-Cache"] == "HIT" for page in pages)
        redis.pause()
        (posts / "2022-02-17-new.md").write_text(post.format("停顿时导入的", 1), "utf-8")
        site.manage("import_posts", str(tmp_path / "site"), "--quiet")
        redis.resume()
        for page in pages:
            assert within(5.0, lambda page=page: "停顿时导入的" in reader.get(page)[1]), page
    finally:
        site.stop()
        redis.stop()


# --- PostgreSQL ---------------------------------------------------------------------------

def _pg_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


@pytest.fixture
def own_postgres():
    """A private PostgreSQL cluster on a spare port, run as the ``postgres`` user."""
    bin_dir = _pg_bin()
    if bin_dir is None or os.geteuid() != 0 or not shutil.which("runuser"):
        pytest.skip("needs PostgreSQL's server binaries and root (to run them as postgres)")
    owner = pwd.getpwnam("postgres")
    home = Path(tempfile.mkdtemp(prefix="finews-pg-"))
    os.chown(home, owner.pw_uid, owner.pw_gid)
    data, port = home / "data", free_port()

    def as_postgres(*command):
        subprocess.run(["runuser", "-u", "postgres", "--", *map(str, command)], check=True, capture_output=True)

    as_postgres(bin_dir / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")

    class Cluster:
        url = f"postgres://postgres@127.0.0.1:{port}/finews_outage"

        def start(self):
            as_postgres(bin_dir / "pg_ctl", "-D", data, "-w", "-l", home / "log", "-o",
                        f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={home} -c fsync=off",
                        "start")

        def stop(self):
            as_postgres(bin_dir / "pg_ctl", "-D", data, "-w", "-m", "fast", "stop")

    cluster = Cluster()
    cluster.start()
    as_postgres(bin_dir / "createdb", "-h", "127.0.0.1", "-p", port, "finews_outage")
    try:
        yield cluster
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(bin_dir / "pg_ctl"), "-D", str(data), "-m",
                        "immediate", "stop"], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def ask(base, path):
    """(status, body) over HTTP; an error status is an answer too."""
    try:
        with urllib.request.urlopen(base + urllib.request.quote(path, safe="/?=&"), timeout=15) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def test_postgresql_down_is_a_chinese_503_and_the_site_recovers_without_a_restart(own_postgres, tmp_path):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": own_postgres.url, "CONN_MAX_AGE": "60"}
    env.pop("REDIS_URL", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True)
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    (posts / "2022-02-17-pg.md").write_text(
        "---\ntitle: 数据库里的文章\ndate: 2022-02-17 10:00:00 +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n正文",
        "utf-8")
    subprocess.run([*manage, "import_posts", str(tmp_path / "site"), "--quiet"], cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "finews.wsgi", "--workers", "1", "--bind",
                               f"127.0.0.1:{port}"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port, seconds=90)  # gunicorn's start on a loaded machine (CI beside other work)
        status, body, _ = ask(base, "/healthz")
        assert status == 200 and json.loads(body) == {"database": "ok", "cache": "ok"}
        assert "数据库里的文章" in ask(base, "/")[1]  # now in the page cache
        for page in ["/category/emnews.html?page=1", "/tag/东财滚动新闻/?page=1"]:
            assert ask(base, page)[0] == 200, page

        own_postgres.stop()
        status, body, _ = ask(base, "/")
        assert status == 200 and "数据库里的文章" in body  # a cached listing still serves
        for page in ["/category/emnews.html?during=1", "/2022/02/17/no-such-post.html", "/tag/东财滚动新闻/?during=1"]:
            status, body, headers = ask(base, page)
            assert status == 503, (page, status)
            assert "服务暂时不可用" in body and headers.get("Retry-After") == "30", page
        status, body, _ = ask(base, "/healthz")
        assert status == 503 and json.loads(body)["database"].startswith("unavailable")

        own_postgres.start()
        for page in ["/category/emnews.html?after=1", "/healthz", "/tag/东财滚动新闻/?after=1"]:
            assert ask(base, page)[0] == 200, page
        assert server.poll() is None  # the same gunicorn, never restarted
    finally:
        server.terminate()
        server.wait(timeout=10)


STAGE_AND_CHECK = """
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from news.models.staging import StagedUpload
from news.ingest.tasks import check_upload, start_step
user = User.objects.create_superuser("boss", "boss@example.cn", "pw-Boss-2026")
post = SimpleUploadedFile("2022-02-17-back.md", "---\\ntitle: 恢复以后\\n---\\n正文".encode())
upload = StagedUpload.stage([post], user)
start_step(upload, check_upload, ["checking"], "checking")
"""


def test_the_worker_waits_out_a_postgresql_outage_and_takes_jobs_after_it(own_postgres, tmp_path):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": own_postgres.url, "CONN_MAX_AGE": "0"}
    env.pop("REDIS_URL", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True)
    log = tmp_path / "worker.log"
    with open(log, "wb") as output:
        worker = subprocess.Popen([*manage, "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
                                  cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        assert within(30, lambda: "Starting worker" in log.read_text()), log.read_text()
        own_postgres.stop()
        assert within(30, lambda: "数据库不可用" in log.read_text()), log.read_text()
        own_postgres.start()
        assert within(60, lambda: "数据库已恢复" in log.read_text()), log.read_text()
        subprocess.run([*manage, "shell", "-c", STAGE_AND_CHECK], cwd=ROOT, env=env, check=True, capture_output=True)

        import psycopg

        def checked():
            with psycopg.connect(own_postgres.url.replace("postgres://", "postgresql://")) as conn:
                return conn.execute("SELECT state FROM news_stagedupload").fetchone() == ("checked",)

        assert within(60, checked), log.read_text()
        assert worker.poll() is None  # the same worker, never restarted
    finally:
        worker.terminate()
        worker.wait(timeout=10)


def test_health_check_sets_no_cookie_and_is_never_cached(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"database": "ok", "cache": "ok"}
    assert not response.cookies and "no-store" in response["Cache-Control"]
    assert not Post.objects.exists()


def test_an_import_cut_off_by_a_postgresql_restart_says_so_in_chinese(own_postgres, tmp_path):
    from news.demo import write_site

    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": own_postgres.url, "CONN_MAX_AGE": "0"}
    env.pop("REDIS_URL", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True)
    write_site(tmp_path / "site", posts=3000, sources=5, body_bytes=4000, seed=5)
    process = subprocess.Popen([*manage, "import_posts", str(tmp_path / "site"), "--quiet", "--workers", "1",
                                "--batch-size", "20"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    import psycopg

    def written():
        try:
            with psycopg.connect(own_postgres.url.replace("postgres://", "postgresql://")) as conn:
                return conn.execute("SELECT COUNT(*) FROM news_post").fetchone()[0] >= 100
        except psycopg.OperationalError:
            return False

    try:
        assert within(60, written)
        own_postgres.stop()  # a restart, as an operator's upgrade does it
        own_postgres.start()
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1, (out, err)
    assert "Traceback" not in err and "数据库连接中断，导入没有完成" in err, err
    done = subprocess.run([*manage, "import_posts", str(tmp_path / "site"), "--quiet"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0 and "新建" in done.stdout and "失败 0" in done.stdout, done.stderr


def test_a_write_error_that_is_not_an_outage_fails_one_batch_not_the_import(db, tmp_path, monkeypatch):
    """Found by review: every OperationalError stopped the whole import as if the database had gone,
    a deadlock or a statement timeout too. One of those costs its batch a post-by-post retry."""
    import io

    from django.core.management import call_command
    from django.db import OperationalError

    from news.demo import write_site

    write_site(tmp_path / "site", posts=40, sources=4, body_bytes=500, seed=3)
    manager = type(Post.objects)
    original, calls = manager.bulk_create, []

    def deadlocked_once(self, objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 1:
            raise OperationalError("deadlock detected")
        return original(self, objs, *args, **kwargs)

    monkeypatch.setattr(manager, "bulk_create", deadlocked_once)
    out = io.StringIO()
    call_command("import_posts", str(tmp_path / "site"), "--workers", "0", stdout=out, stderr=io.StringIO())
    assert Post.objects.count() == 40 and calls[0] > 1 and "失败 0" in out.getvalue(), out.getvalue()
