"""``import_posts`` as an operator runs it, in its own process, killed or run twice at once.

Each test gets a database of its own (a SQLite file, or a throwaway PostgreSQL database on the
server the suite runs against), migrated by the real command, and reads it back directly.
"""
import fcntl
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from news.demo import write_site

ROOT = Path(__file__).resolve().parent.parent
POSTS = 2000  # enough that a run is still going when the test stops it


class Database:
    def __init__(self, tmp_path):
        default = settings.DATABASES["default"]
        self.vendor = "postgresql" if "postgresql" in default["ENGINE"] else "sqlite"
        if self.vendor == "sqlite":
            self.path = tmp_path / "faults.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            import psycopg

            self.psycopg = psycopg
            self.server = {k: default[k] for k in ("HOST", "PORT", "USER", "PASSWORD")}
            self.name = f"finews_faults_{uuid.uuid4().hex[:10]}"
            with self._admin() as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            s = self.server
            self.url = f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT'] or 5432}/{self.name}"
        self.mark = uuid.uuid4().hex
        self.env = {**os.environ, "DATABASE_URL": self.url, "DEBUG": "1", "CONN_MAX_AGE": "0",
                    "FINEWS_FAULT_MARK": self.mark}

    def _admin(self, dbname="postgres"):
        s = self.server
        return self.psycopg.connect(host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"],
                                    password=s["PASSWORD"] or None, dbname=dbname, autocommit=True)

    def scalar(self, sql):
        if self.vendor == "sqlite":
            with sqlite3.connect(self.path, timeout=20) as conn:
                return conn.execute(sql).fetchone()
        with self._admin(self.name) as conn:
            return conn.execute(sql).fetchone()

    def drop(self):
        if self.vendor == "postgresql":
            with self._admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def manage(self, *args, **kwargs):
        return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)

    def run(self, *args, timeout=120):
        process = self.manage(*args)
        out, err = process.communicate(timeout=timeout)
        return process.returncode, out, err

    @contextmanager
    def holding_the_import_lock(self):
        """Hold the import lock as a running import would (news.ingest.record)."""
        from news.ingest.record import LOCK_ID

        if self.vendor == "sqlite":
            with open(str(self.path) + ".import-lock", "a+b") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                yield
            return
        with self._admin(self.name) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", [LOCK_ID])
            yield

    def leftover_processes(self):
        """Processes still carrying this test's marker in their environment."""
        found = []
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit() and int(proc.name) != os.getpid():
                try:
                    if f"FINEWS_FAULT_MARK={self.mark}".encode() in (proc / "environ").read_bytes():
                        found.append(int(proc.name))
                except OSError:
                    continue
        return found


@pytest.fixture
def database(tmp_path):
    db = Database(tmp_path)
    try:
        code, out, err = db.run("migrate", "--noinput")
        assert code == 0, err
        yield db
    finally:
        for pid in db.leftover_processes():  # only after a failure: never leave them running
            os.kill(pid, signal.SIGKILL)
        db.drop()


@pytest.fixture
def tree(tmp_path):
    write_site(tmp_path / "site", posts=POSTS, sources=5, body_bytes=4000, seed=3)
    return tmp_path / "site"


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def running_run_created(database):
    row = database.scalar("SELECT created FROM news_importrun WHERE state = 'running' ORDER BY id DESC")
    return row[0] if row else 0


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["kill", "term", "int"])
def test_a_killed_import_leaves_no_workers_and_the_next_run_completes(database, tree, sig):
    process = database.manage("import_posts", str(tree), "--quiet", "--workers", "2", "--batch-size", "50")
    assert wait_for(lambda: running_run_created(database) >= 100), process.communicate(timeout=5)
    process.send_signal(sig)
    process.communicate(timeout=60)
    assert wait_for(lambda: not database.leftover_processes(), 10), database.leftover_processes()

    state, created = database.scalar("SELECT state, created FROM news_importrun ORDER BY id DESC")
    posts = database.scalar("SELECT COUNT(*) FROM news_post")[0]
    assert state == ("running" if sig == signal.SIGKILL else "interrupted")
    assert process.returncode == (-9 if sig == signal.SIGKILL else 130)
    assert 0 < created == posts < POSTS  # the record counts exactly the batches that committed
    if database.vendor == "postgresql":
        assert wait_for(lambda: database.scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%'")[0] == 0, 10)

    started = time.monotonic()
    code, out, err = database.run("import_posts", str(tree), "--quiet", "--wait", "5")
    assert code == 0, err
    assert time.monotonic() - started < 60
    state, created_now, unchanged = database.scalar(
        "SELECT state, created, unchanged FROM news_importrun ORDER BY id DESC")
    assert (state, created_now + unchanged) == ("finished", POSTS)
    assert unchanged == posts
    assert database.scalar("SELECT COUNT(*) FROM news_post")[0] == POSTS
    # The killed run's record was closed as 被中断 when the next run took the lock.
    assert database.scalar("SELECT COUNT(*) FROM news_importrun WHERE state = 'running'")[0] == 0
    assert database.scalar("SELECT state FROM news_importrun ORDER BY id")[0] == "interrupted"


def test_two_imports_at_once_take_turns(database, tree):
    first = database.manage("import_posts", str(tree), "--quiet", "--workers", "1")
    second = database.manage("import_posts", str(tree), "--quiet", "--workers", "1")
    results = [p.communicate(timeout=180) + (p.returncode,) for p in (first, second)]
    assert [code for _, _, code in results] == [0, 0], results
    rows = database.scalar(
        "SELECT SUM(created), SUM(unchanged), SUM(failed), COUNT(*) FROM news_importrun")
    assert rows == (POSTS, POSTS, 0, 2)
    assert database.scalar("SELECT COUNT(*) FROM news_post")[0] == POSTS


def test_a_busy_lock_is_a_clear_refusal(database, tree):
    with database.holding_the_import_lock():
        code, out, err = database.run("import_posts", str(tree), "--quiet", "--wait", "0")
        assert code == 1 and "另一个导入正在进行" in err
        assert database.scalar("SELECT COUNT(*) FROM news_importrun")[0] == 0
    code, out, err = database.run("import_posts", str(tree), "--quiet", "--wait", "0")
    assert code == 0, err
