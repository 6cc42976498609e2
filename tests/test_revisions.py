"""Revisions (news/changes/revisions.py): every write leaves one, with who made it; the admin compares
two and restores one."""
import datetime
import io
import re

import pytest
from django.core.management import call_command

from news.jekyll.dates import SITE_TZ
from news.models import Post, Revision

from . import factories
from .test_admin import CHANGELIST, action, change_data

pytestmark = pytest.mark.django_db
NOON = datetime.datetime(2022, 2, 17, 12, 0, tzinfo=SITE_TZ)


def history(post):
    return list(Revision.objects.filter(post_id=post.pk).order_by("pk"))


def test_every_kind_of_write_leaves_a_revision_with_its_author(admin_client, admin_user):
    post = factories.post("原来的标题", tags=["甲"], when=NOON)  # the time change_data sends
    start = len(history(post)) - 1  # the factory's post (written, then tagged)
    admin_client.post(f"{CHANGELIST}{post.pk}/change/", change_data(post, title="编辑改的标题"))
    action(admin_client, "unpublish", [post])
    action(admin_client, "mark_important", [post])
    Post.objects.get(pk=post.pk).tags.add("乙")  # the ORM's own tags.add()
    found = history(post)[start:]
    assert [r.action for r in found] == ["系统", "后台编辑", "批量撤回", "标为重要", "系统"]
    assert [r.data["title"] for r in found[:2]] == ["原来的标题", "编辑改的标题"]
    assert found[2].data["status"] == "draft" and found[3].data["important"] and found[4].data["tags"] == ["甲", "乙"]
    assert found[1].user == admin_user and found[1].who == admin_user.username
    admin_client.post(f"{CHANGELIST}{post.pk}/change/", change_data(Post.objects.get(pk=post.pk), important="on"))
    assert len(history(post)) == start + 5  # an untouched save changes nothing readers see: no revision


def test_an_import_records_its_run_and_a_refused_re_send_shows(tmp_path, admin_client):
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2022-02-17-a.md").write_text("---\ntitle: 导入的\ndate: 2022-02-17 09:00:00 +0800\n---\n正文\n",
                                          encoding="utf-8")
    call_command("import_posts", str(tmp_path), "--quiet", stdout=io.StringIO())
    post = Post.objects.get()
    first = history(post)[0]
    assert first.action == "命令行导入" and first.run is not None and first.who == f"导入 #{first.run_id}"
    action(admin_client, "unpublish", [post])
    (posts / "2022-02-17-a.md").write_text("---\ntitle: 抓取的新标题\ndate: 2022-02-17 09:00:00 +0800\n---\n正文\n",
                                          encoding="utf-8")
    call_command("import_posts", str(tmp_path), "--quiet", stdout=io.StringIO())
    last = history(post)[-1]
    assert last.action.startswith("未采纳（命令行导入）：编辑修改过") and last.data["title"] == "导入的"


def test_the_admin_compares_two_revisions_and_restores_one(admin_client, client):
    post = factories.post("原来的标题", body="第一段\n\n第二段")
    admin_client.post(f"{CHANGELIST}{post.pk}/change/", change_data(
        post, title="改错的<标题>", body_markdown="第一段\n\n改过的第二段"))
    page = admin_client.get(f"{CHANGELIST}{post.pk}/history/").content.decode()
    assert "原来的标题" in page and "改错的&lt;标题&gt;" in page and "<标题>" not in page
    assert "改过的第二段" in page and 'class="diff"' in page
    old = history(post)[0]
    response = admin_client.post(f"{CHANGELIST}{post.pk}/revisions/{old.pk}/restore/", follow=True)
    assert "已恢复到修订" in response.content.decode()
    restored = Post.objects.get(pk=post.pk)
    assert restored.title == "原来的标题" and "改过的" not in restored.body_html and restored.held_at
    assert history(post)[-1].action == f"恢复到修订 #{old.pk}"
    assert "<h1>原来的标题</h1>" in client.get(post.url_path).content.decode()
    assert re.search(r"改错的", client.get("/").content.decode()) is None
