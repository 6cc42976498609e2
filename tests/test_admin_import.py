"""The admin import screen: upload, dry run, confirm; bad files and hostile archives."""
import io
import stat
import zipfile
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from news.models import ImportRun, Post

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


def dry_run(client, *files):
    return client.post(URL, {"files": list(files)})


def token_of(response):
    return response.context["token"]


def test_link_on_the_post_list(admin_client):
    assert URL in admin_client.get("/admin/news/post/").content.decode()


def test_two_step_import_of_good_files(admin_client):
    response = dry_run(admin_client, md("2022-02-17-a.md", GOOD), md("2022-02-17-b.md", GOOD.replace("好文章", "另一篇")))
    html = response.content.decode()
    assert response.status_code == 200 and "试运行结果" in html and "新建 2" in html
    assert not Post.objects.exists()
    assert ImportRun.objects.get().dry_run
    response = admin_client.post(URL, {"token": token_of(response)})
    html = response.content.decode()
    assert "导入完成" in html and "新建 2" in html
    post = Post.objects.get(slug="a")
    assert post.url_path == "/emnews/2022/02/17/a.html"
    assert f"/admin/news/post/{post.pk}/change/" in html and post.url_path in html
    run = ImportRun.objects.filter(dry_run=False).get()
    assert run.origin == "admin" and run.user.username == "admin" and run.created == 2
    # the staged files are gone: the same token cannot be applied twice
    response = admin_client.post(URL, {"token": token_of(dry_run(admin_client, md("2022-02-17-a.md", GOOD)))})
    assert "未变 1" in response.content.decode()


def test_mix_of_good_and_bad_files(admin_client):
    response = dry_run(admin_client, md("2022-02-17-good.md", GOOD),
                       md("2022-02-17-bad.md", "---\ntitle: a: b\n---\n"),
                       md("notapost.md", GOOD))
    html = response.content.decode()
    assert "新建 1" in html and "失败 1" in html and "跳过 1" in html and "YAML" in html
    response = admin_client.post(URL, {"token": token_of(response)})
    assert list(Post.objects.values_list("slug", flat=True)) == ["good"]


def test_zip_of_a_site(admin_client):
    upload = zipped("site.zip", {"site/_posts/2022-02-17-z.md": GOOD, "site/about.md": "x"})
    response = dry_run(admin_client, upload)
    assert "新建 1" in response.content.decode()
    admin_client.post(URL, {"token": token_of(response)})
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


def test_zip_bomb_is_refused(admin_client, settings):
    settings.FINEWS_IMPORT_MAX_ZIP_BYTES = 50_000
    response = dry_run(admin_client, zipped("bomb.zip", {"_posts/2022-02-17-z.md": b"0" * 100_000}))
    assert response.status_code == 400 and "zip 炸弹" in response.content.decode()
    assert not Post.objects.exists()


def test_upload_size_limit(admin_client, settings):
    settings.FINEWS_UPLOAD_MAX_BYTES = 10
    response = dry_run(admin_client, md("2022-02-17-a.md", GOOD))
    assert "超过上限" in response.content.decode() and not ImportRun.objects.exists()


def test_permissions(client):
    user = User.objects.create_user("e", password="pw-e-12345", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_post", "change_post"]))
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert URL not in client.get("/admin/news/post/").content.decode()


def test_someone_elses_token_is_refused(admin_client, client):
    token = token_of(dry_run(admin_client, md("2022-02-17-a.md", GOOD)))
    other = User.objects.create_superuser("other", password="pw-other-123")
    client.force_login(other)
    response = client.post(URL, {"token": token}, follow=True)
    assert "已经过期或不存在" in response.content.decode() and not Post.objects.exists()
    response = client.post(URL, {"token": "../../etc"}, follow=True)
    assert "已经过期或不存在" in response.content.decode()


def test_unconfirmed_uploads_are_cleaned_after_a_day(admin_client, settings, tmp_path):
    import os
    import time

    settings.FINEWS_IMPORT_STAGING_DIR = str(tmp_path)
    token = token_of(dry_run(admin_client, md("2022-02-17-a.md", GOOD)))
    old = tmp_path / token
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    fresh = token_of(dry_run(admin_client, md("2022-02-17-b.md", GOOD)))
    assert not old.exists() and (tmp_path / fresh).exists()


def test_staged_uploads_are_readable_only_by_the_app(admin_client, settings, tmp_path):
    settings.FINEWS_IMPORT_STAGING_DIR = str(tmp_path / "staging")
    response = dry_run(admin_client, md("2022-02-17-a.md", GOOD))
    folder = tmp_path / "staging" / token_of(response)
    staged = next(folder.glob("*/*.md"))
    assert stat.S_IMODE((tmp_path / "staging").stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(staged.stat().st_mode) == 0o600


def test_confirming_while_another_import_runs_is_refused_and_kept(admin_client):
    token = token_of(dry_run(admin_client, md("2022-02-17-a.md", GOOD)))
    with another_import_running():
        response = admin_client.post(URL, {"token": token})
    assert response.status_code == 409 and "另一个导入正在进行" in response.content.decode()
    assert not Post.objects.exists()
    response = admin_client.post(URL, {"token": token})
    assert response.status_code == 200 and Post.objects.count() == 1


@contextmanager
def another_import_running():
    """Hold the import lock as another process would: on a connection of its own."""
    from news.importing.record import LOCK_ID, import_lock

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
