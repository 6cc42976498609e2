"""Jobs that finish: a worker killed mid-import, a stuck upload retried or cancelled, two confirms.

The first test runs finews as production does (gunicorn, a separate ``db_worker`` process, a
database file they share), uploads a zip through the admin over HTTP and kills the worker with
SIGKILL in the middle of the import; the others drive the admin in-process.
"""
import io
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from news.demo import write_site
from news.ingest import jobs
from news.models import ImportRun, Post
from news.models.staging import StagedUpload

from .live import Client, Site, within
from .test_admin_import import URL, confirm, md, run_jobs

POSTS = 3000


def zipped_site(root):
    write_site(root, posts=POSTS, sources=20, body_bytes=1500, seed=11)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(root).as_posix())
    return buffer.getvalue()


def test_a_worker_killed_mid_import_is_replaced_and_the_next_worker_completes_the_upload(tmp_path):
    site = Site(tmp_path, "", FINEWS_JOB_LEASE_SECONDS="2").start()
    database = tmp_path / "live.sqlite3"

    def scalar(sql):
        with sqlite3.connect(database, timeout=20) as conn:
            return conn.execute(sql).fetchone()

    try:
        site.shell("from django.contrib.auth.models import User; "
                   "User.objects.create_superuser('boss', 'boss@example.cn', 'pw-Boss-2026')")
        first = site.start_worker(tmp_path / "worker-1.log")
        editor = Client(site.base)
        editor.login("boss", "pw-Boss-2026")
        status, _, headers = editor.upload("/admin/news/post/import/", "files", "site.zip", zipped_site(tmp_path / "site"))
        assert status == 302, status
        page = headers["Location"]
        assert within(120, lambda: "试运行结果" in editor.get(page)[1]), editor.get(page)[1][:2000]

        editor.post(page, {})  # 确认导入
        assert within(120, lambda: (scalar("SELECT MAX(created) FROM news_importrun WHERE state = 'running'")
                                    [0] or 0) >= 500)
        helpers = children_of(first.pid)  # the import's parse processes
        assert helpers
        first.kill()  # SIGKILL: no handler runs, the job stays RUNNING under a dead worker
        first.wait(timeout=10)
        assert within(30, lambda: not [pid for pid in helpers if alive(pid)]), "the dead worker's helpers linger"
        killed_run, killed_created = scalar("SELECT id, created FROM news_importrun WHERE state = 'running'")
        assert 500 <= killed_created < POSTS, killed_created
        assert "导入中" in editor.get(page)[1]

        site.start_worker(tmp_path / "worker-2.log")  # nobody touches the upload
        assert within(180, lambda: "导入完成" in editor.get(page)[1]), (tmp_path / "worker-2.log").read_text()
        body = editor.get(page)[1]
        counts = re.search(r"新建 (\d+)，更新 (\d+)，未变 (\d+)，失败 (\d+)", body).groups()
        assert int(counts[0]) + int(counts[2]) == POSTS and counts[3] == "0", counts
        assert scalar("SELECT COUNT(*) FROM news_post")[0] == POSTS
        assert scalar(f"SELECT state FROM news_importrun WHERE id = {killed_run}")[0] == "interrupted"
        last_run, state, created, unchanged = scalar(
            "SELECT id, state, created, unchanged FROM news_importrun ORDER BY id DESC LIMIT 1")
        assert state == "finished" and last_run != killed_run
        assert created + unchanged == POSTS and unchanged >= killed_created
        assert f"/admin/news/importrun/{last_run}/" in body  # the page follows the rerun
        assert "重新排队" in (tmp_path / "worker-2.log").read_text()  # logged, in Chinese
        assert scalar("SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%import_upload'"
                      )[0] == "SUCCESSFUL"
    finally:
        site.stop()


def stat(pid):
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[-1].split()
    except OSError:
        return None


def alive(pid):
    fields = stat(pid)
    return fields is not None and fields[0] != "Z"


def children_of(pid):
    return [int(p.name) for p in Path("/proc").iterdir()
            if p.name.isdigit() and (fields := stat(p.name)) and int(fields[1]) == pid]


@pytest.fixture
def confirmed(admin_client):
    """An upload checked and confirmed; its import job queued, not run."""
    response = admin_client.post(URL, {"files": [md("2022-02-17-a.md", "---\ntitle: 标题甲\n---\n正文")]})
    run_jobs()
    page = response["Location"]
    admin_client.post(page)
    return page, StagedUpload.objects.get()


def test_two_quick_confirms_enqueue_one_import(admin_client, confirmed):
    page, upload = confirmed
    admin_client.post(page)  # the second click
    assert DBTaskResult.objects.filter(task_path__endswith="import_upload").count() == 1
    assert upload.job == DBTaskResult.objects.get(task_path__endswith="import_upload").pk


def test_an_upload_whose_worker_died_says_so_and_can_be_retried(admin_client, confirmed):
    page, upload = confirmed
    DBTaskResult.objects.filter(pk=upload.job).update(status=TaskResultStatus.RUNNING, worker_ids=["gone"])
    assert jobs.job_state(upload.job) == "lost"
    body = admin_client.get(page).content.decode()
    assert "后台进程已经停止" in body and 'value="retry"' in body and 'value="cancel"' in body

    admin_client.post(page, {"action": "retry"})
    admin_client.post(page, {"action": "retry"})  # a double click: the first one won
    upload.refresh_from_db()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    assert jobs.job_state(upload.job) == "queued"
    run_jobs()
    assert "导入完成" in admin_client.get(page).content.decode()
    assert Post.objects.filter(title="标题甲").exists()


def test_a_lapsed_lease_puts_the_job_back_in_the_queue_once(admin_client, confirmed, settings):
    _, upload = confirmed
    job = DBTaskResult.objects.get(pk=upload.job)
    job.claim("worker-that-died")
    jobs.renew("live-worker")
    assert jobs.requeue_orphans() == [job.pk]
    assert jobs.requeue_orphans() == []
    assert DBTaskResult.objects.get(pk=job.pk).status == TaskResultStatus.READY

    DBTaskResult.objects.get(pk=job.pk).claim("live-worker")
    assert jobs.requeue_orphans() == []  # its worker renews its lease: left alone


def test_a_cancelled_upload_imports_nothing_and_can_be_retried(admin_client, confirmed):
    page, upload = confirmed
    admin_client.post(page, {"action": "cancel"})
    upload.refresh_from_db()
    assert upload.state == StagedUpload.State.CANCELLED
    run_jobs()  # the queued job finds it cancelled
    assert not Post.objects.filter(title="标题甲").exists()
    body = admin_client.get(page).content.decode()
    assert "已取消" in body and 'value="retry"' in body

    admin_client.post(page, {"action": "retry"})  # starts over with the dry run
    run_jobs()
    assert "试运行结果" in admin_client.get(page).content.decode()
    assert not Post.objects.filter(title="标题甲").exists()
    admin_client.post(page)  # confirmed again
    run_jobs()
    assert Post.objects.filter(title="标题甲").exists()
    assert ImportRun.objects.filter(state=ImportRun.State.FINISHED, dry_run=False).count() == 1


def test_a_finished_upload_cannot_be_retried_or_cancelled(admin_client):
    page = confirm(admin_client, admin_client.get(_checked(admin_client)))
    upload = StagedUpload.objects.get()
    for action in ("retry", "cancel", "confirm"):
        admin_client.post(page.wsgi_request.path, {"action": action})
    upload.refresh_from_db()
    assert upload.state == StagedUpload.State.DONE
    assert DBTaskResult.objects.filter(task_path__endswith="import_upload").count() == 1


def _checked(client):
    response = client.post(URL, {"files": [SimpleUploadedFile("2022-02-17-b.md", "---\ntitle: 乙\n---\n正文".encode())]})
    run_jobs()
    return response["Location"]


def test_deleting_a_staged_upload_never_reads_its_chunks(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin_client.post(URL, {"files": [md("2022-02-17-c.md", "x" * 10_000)]})
    upload = StagedUpload.objects.get()
    with CaptureQueriesContext(connection) as queries:
        upload.delete()
    sql = [query["sql"] for query in queries.captured_queries]
    assert not [q for q in sql if q.lstrip().upper().startswith("SELECT")], sql
    assert any("news_stagedchunk" in q and q.startswith("DELETE") for q in sql)


def test_a_job_the_upload_no_longer_names_does_nothing(admin_client, confirmed):
    """Cancelled and retried while its job waited: the old job finds a newer one named and
    leaves the upload to it (it would otherwise import what is only being checked again)."""
    page, upload = confirmed
    stale = upload.job
    admin_client.post(page, {"action": "cancel"})
    admin_client.post(page, {"action": "retry"})
    upload.refresh_from_db()
    assert upload.state == StagedUpload.State.CHECKING and upload.job != stale
    run_jobs()  # both jobs run: the stale import returns at once, the new check checks
    upload.refresh_from_db()
    assert upload.state == StagedUpload.State.CHECKED
    assert not Post.objects.filter(title="标题甲").exists()
