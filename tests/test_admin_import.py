"""The admin import screen: upload, a dry run in the background, confirm, the import in the
background with its progress; bad files and hostile archives. Jobs are run by the real worker
(django-tasks-db's ``db_worker``), in this process."""
import io
import re
import stat
import zipfile
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from news.models import ImportRun, Post, StagedUpload

pytestmark = pytest.mark.django_db
URL = "/admin/news/post/import/"
GOOD = "---\ntitle: 好文章\ndate: 2022-02-17 17:38:20 +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n正文"


def md(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8") if isinstance(text, str) else text,
                              content_type="text/markdown")


def zipped(name, entries, symlink=None, non_utf8=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, data in entries.items():
            archive.writestr(entry, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    data = buffer.getvalue()
    if non_utf8:
        # rewrite a placeholder name with GBK bytes and no UTF-8 flag
        placeholder, raw = non_utf8
        data = data.replace(placeholder.encode(), raw)
    return SimpleUploadedFile(name, data, content_type="application/zip")


def run_jobs():
    """What the worker does: take every queued job and run it. Its ``close_old_connections()``
    is held back, as Django's test client holds it back for requests: inside the test's
    transaction it would close the connection (autocommit is off there)."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO(),
                     stderr=io.StringIO())


def dry_run(client, *files):
    """Upload, let the worker check it, and return its page."""
    response = client.post(URL, {"files": list(files)})
    if response.status_code != 302:
        return response
    run_jobs()
    return client.get(response["Location"])


def confirm(client, page):
    url = page.wsgi_request.path
    client.post(url)
    run_jobs()
    return client.get(url)


def test_link_on_the_post_list(admin_client):
    assert URL in admin_client.get("/admin/news/post/").content.decode()


def test_the_request_only_stages_and_queues(admin_client):
    response = admin_client.post(URL, {"files": [md("2022-02-17-a.md", GOOD)]})
    upload = StagedUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{URL}{upload.pk}/"
    assert upload.state == "checking" and not ImportRun.objects.exists() and not Post.objects.exists()
    page = admin_client.get(response["Location"]).content.decode()
    assert "试运行中" in page and '<meta http-equiv="refresh" content="2">' in page


def test_two_step_import_of_good_files(admin_client):
    response = dry_run(admin_client, md("2022-02-17-a.md", GOOD), md("2022-02-17-b.md", GOOD.replace("好文章", "另一篇")))
    html = response.content.decode()
    assert response.status_code == 200 and "试运行结果" in html and "新建 2" in html
    assert not Post.objects.exists()
    assert ImportRun.objects.get().dry_run
    html = confirm(admin_client, response).content.decode()
    assert "导入完成" in html and "新建 2" in html and 'http-equiv="refresh"' not in html
    post = Post.objects.get(slug="a")
    assert post.url_path == "/emnews/2022/02/17/a.html"
    assert f"/admin/news/post/{post.pk}/change/" in html and post.url_path in html
    run = ImportRun.objects.filter(dry_run=False).get()
    assert run.origin == "admin" and run.user.username == "admin" and run.created == 2 and run.total == 2
    assert not StagedUpload.objects.get(pk=response.wsgi_request.path.split("/")[-2]).chunks.exists()
    # confirming the finished upload again does nothing; a new upload of the same file is unchanged
    assert "新建 2" in confirm(admin_client, response).content.decode() and Post.objects.count() == 2
    assert "未变 1" in confirm(admin_client, dry_run(admin_client, md("2022-02-17-a.md", GOOD))).content.decode()


def test_the_page_shows_the_progress_of_a_running_import(admin_client):
    dry = dry_run(admin_client, md("2022-02-17-a.md", GOOD))
    upload = StagedUpload.objects.get()
    run = ImportRun.objects.create(origin="admin", source="x", total=10, created=3, unchanged=1)
    StagedUpload.objects.filter(pk=upload.pk).update(state="importing", run=run)
    html = admin_client.get(dry.wsgi_request.path).content.decode()
    assert '<progress max="10" value="4"' in html and "已处理 4 / 10 个文件" in html
    assert '<meta http-equiv="refresh" content="2">' in html


def test_mix_of_good_and_bad_files(admin_client):
    response = dry_run(admin_client, md("2022-02-17-good.md", GOOD),
                       md("2022-02-17-bad.md", "---\ntitle: a: b\n---\n"),
                       md("notes.txt", "随手记"))
    html = response.content.decode()
    assert "新建 1" in html and "失败 1" in html and "跳过 1" in html and "YAML" in html
    confirm(admin_client, response)
    assert list(Post.objects.values_list("slug", flat=True)) == ["good"]


def test_a_file_named_without_its_date_takes_its_front_matters(admin_client, client):
    response = dry_run(admin_client, md("央行降准快讯.md", GOOD.replace("好文章", "央行降准 0.25 个百分点")),
                       md("没有日期.md", "---\ntitle: 无日期\n---\n正文"))
    html = response.content.decode()
    assert "央行降准快讯.md（按 front matter 的日期命名为 2022-02-17-央行降准-0-25-个百分点.md）" in html
    assert "文件名须是 YYYY-MM-DD-标题.md（如 2026-12-06-央行降准.md），或在 front matter 写 date" in html
    assert "新建 1" in html and "失败 1" in html
    confirm(admin_client, response)
    post = Post.objects.get()
    assert post.source_path == "_posts/2022-02-17-央行降准-0-25-个百分点.md" and client.get(post.url_path).status_code == 200


def test_nothing_to_import_offers_no_confirm(admin_client):
    html = dry_run(admin_client, md("notes.txt", "随手记"), md("没有日期.md", "正文")).content.decode()
    assert "确认导入" not in html and "没有会新建或更新的文章，不需要导入" in html


def test_the_upload_form_says_what_it_takes(admin_client):
    html = admin_client.get(URL).content.decode()
    assert "YYYY-MM-DD-标题.md" in html and "2026-12-06-央行降准.md" in html
    for field in ("title", "date", "categories", "tags", "published: false", "important: true"):
        assert f"<code>{field}</code>" in html


def test_zip_of_a_site(admin_client):
    upload = zipped("site.zip", {"site/_posts/2022-02-17-z.md": GOOD, "site/about.md": "x"})
    response = dry_run(admin_client, upload)
    assert "新建 1" in response.content.decode()
    confirm(admin_client, response)
    assert Post.objects.get().source_path == "_posts/2022-02-17-z.md"


@pytest.mark.parametrize("upload, reason", [
    (lambda: zipped("abs.zip", {"_posts/2022-02-17-a.md": GOOD, "/tmp/2022-02-17-x.md": GOOD}), "绝对路径"),
    (lambda: zipped("up.zip", {"_posts/2022-02-17-a.md": GOOD, "_posts/../../2022-02-17-x.md": GOOD}), ".."),
    (lambda: zipped("link.zip", {"_posts/2022-02-17-a.md": GOOD}, symlink="_posts/2022-02-17-l.md"), "符号链接"),
    (lambda: zipped("gbk.zip", {"_posts/2022-02-17-a.md": GOOD, "_posts/2022-02-17-XXXX.md": GOOD},
                    non_utf8=("XXXX", "中文".encode("gbk"))), "UTF-8"),
    (lambda: SimpleUploadedFile("broken.zip", b"PK\x03\x04 not really"), "zip"),
])
def test_hostile_archives_are_refused_with_nothing_written(admin_client, upload, reason):
    response = dry_run(admin_client, upload())
    html = response.content.decode()
    assert response.status_code == 400 and "压缩包被拒绝" in html and reason in html
    assert "确认导入" not in html
    assert not Post.objects.exists() and not ImportRun.objects.exists()
    assert not StagedUpload.objects.get().chunks.exists()


def test_zip_bomb_is_refused(admin_client, settings):
    settings.FINEWS_IMPORT_MAX_ZIP_BYTES = 50_000
    response = dry_run(admin_client, zipped("bomb.zip", {"_posts/2022-02-17-z.md": b"0" * 100_000}))
    assert response.status_code == 400 and "zip 炸弹" in response.content.decode()
    assert not Post.objects.exists()


def test_upload_size_limit(admin_client, settings):
    settings.FINEWS_UPLOAD_MAX_BYTES = 10
    response = dry_run(admin_client, md("2022-02-17-a.md", GOOD))
    assert "超过上限" in response.content.decode() and not StagedUpload.objects.exists()


def test_permissions(client, admin_client):
    page = dry_run(admin_client, md("2022-02-17-a.md", GOOD)).wsgi_request.path
    user = User.objects.create_user("e", password="pw-e-12345", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_post", "change_post"]))
    client.force_login(user)
    assert client.get(URL).status_code == 403 and client.get(page).status_code == 403
    assert client.post(page).status_code == 403
    assert URL not in client.get("/admin/news/post/").content.decode()


def test_someone_elses_upload_is_refused(admin_client, client):
    page = dry_run(admin_client, md("2022-02-17-a.md", GOOD)).wsgi_request.path
    other = User.objects.create_superuser("other", password="pw-other-123")
    client.force_login(other)
    response = client.post(page, follow=True)
    assert "已经过期或不存在" in response.content.decode()
    run_jobs()
    assert not Post.objects.exists()
    assert client.get(URL + "not-a-uuid/").status_code in (302, 404)  # the admin's own answer for an unknown id


def test_unconfirmed_uploads_are_cleaned_after_a_day(admin_client):
    dry_run(admin_client, md("2022-02-17-a.md", GOOD))
    StagedUpload.objects.update(created_at=timezone.now() - timedelta(hours=25))
    dry_run(admin_client, md("2022-02-17-b.md", GOOD))
    assert [u.names[0]["name"] for u in StagedUpload.objects.all()] == ["2022-02-17-b.md"]


def test_staged_files_are_written_back_readable_only_by_the_app(admin_client, tmp_path):
    dry_run(admin_client, md("2022-02-17-a.md", GOOD), zipped("site.zip", {"_posts/2022-02-17-z.md": GOOD}))
    paths = StagedUpload.objects.get().write_files(tmp_path)
    assert [p.name for p in paths] == ["2022-02-17-a.md", "site.zip"]
    assert paths[0].read_text("utf-8") == GOOD
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 and stat.S_IMODE(p.parent.stat().st_mode) == 0o700
               for p in paths)


def test_confirming_while_another_import_runs_waits_or_can_be_confirmed_again(admin_client, settings):
    settings.FINEWS_IMPORT_JOB_LOCK_WAIT = 0
    page = dry_run(admin_client, md("2022-02-17-a.md", GOOD))
    with another_import_running():
        html = confirm(admin_client, page).content.decode()
    assert "另一个导入正在进行" in html and "确认导入" in html
    assert not Post.objects.exists()
    assert "导入完成" in confirm(admin_client, page).content.decode() and Post.objects.count() == 1


@contextmanager
def another_import_running():
    """Hold the import lock as another process would: on a connection of its own."""
    from news.ingest.record import LOCK_ID, import_lock

    if connection.vendor != "postgresql":
        with import_lock(0):
            yield
        return
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_ID])
        yield
    finally:
        other.close()


def test_the_dry_run_leads_with_the_summary_and_what_went_wrong(admin_client):
    files = [md(f"2022-02-17-good{n}.md", GOOD.replace("title:", f"slug: good{n}\ntitle:")) for n in range(5)]
    response = dry_run(admin_client, *files, md("2022-02-17-bad.md", "---\ntitle: a: b\n---\n"))
    html = response.content.decode()
    report = html.split('class="finews-report"')[1]
    assert html.index('value="确认导入"') < html.index('class="finews-report"')  # confirm above the list
    assert re.findall(r"<code>([^<]+)</code>", report)[0] == "2022-02-17-bad.md"  # failures first
    only = admin_client.get(response.wsgi_request.path, {"show": "problems"}).content.decode()
    assert re.findall(r"<code>([^<]+)</code>", only.split('class="finews-report"')[1]) == ["2022-02-17-bad.md"]
    assert "只列出有问题的 1 个文件" in only


def test_the_form_names_the_body_for_the_posts_kind_and_saves_on_top(admin_client):
    from . import factories

    markdown = factories.post("写的", body="正文")
    html_post = factories.post("网页的", source_path="_posts/2022-02-17-page.html", slug="page")
    page = admin_client.get(f"/admin/news/post/{markdown.pk}/change/").content.decode()
    assert "正文（Markdown）" in page and page.count("预览（在新标签页打开，不保存）") == 2
    assert page.index('name="_save"') < page.index('id="id_title"')  # 保存 above the form too
    assert "正文（HTML）" in admin_client.get(f"/admin/news/post/{html_post.pk}/change/").content.decode()


def test_background_jobs_are_not_an_english_admin_page(admin_client):
    index = admin_client.get("/admin/").content.decode()
    assert "Task results" not in index and "Tasks Database Backend".lower() not in index.lower()
