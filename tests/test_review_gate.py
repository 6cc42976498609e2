"""Every way a post becomes visible to readers passes 审核 (the ``publish_post`` permission), or,
for a source's re-send, the token's 先送审核 rule and the editor's hold (issue 33, item 2)."""
import datetime
import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from news.jekyll.dates import SITE_TZ
from news.models import Post, Revision

from . import factories
from .test_admin import CHANGELIST, action, change_data, messages_of
from .test_api import GOOD, new_key
from .test_ownership import PATH, sender

pytestmark = pytest.mark.django_db


def member(name, group):
    user = User.objects.create_user(name, password=f"pw-{name}-2026")
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor():
    return member("bianji", "编辑")


@pytest.fixture
def reviewer():
    return member("shenhe", "审核")


def scheduled_post():
    later = timezone.now() + datetime.timedelta(days=3)
    return factories.post("排期的快讯", when=later)


def form_time(post, when):
    local = timezone.localtime(when, SITE_TZ)
    return change_data(post, published_at_0=local.strftime("%Y-%m-%d"), published_at_1=local.strftime("%H:%M:%S"))


def test_an_editor_cannot_move_a_scheduled_post_into_the_past(editor, reviewer, client):
    post = scheduled_post()
    assert client.get(post.url_path).status_code == 404
    response = editor.post(f"{CHANGELIST}{post.pk}/change/", form_time(post, timezone.now() - datetime.timedelta(hours=1)))
    assert response.status_code == 200 and "需要审核权限" in response.content.decode()
    assert Post.objects.get(pk=post.pk).is_scheduled and client.get(post.url_path).status_code == 404
    # Another future time is the editor's to choose; the past is the reviewer's.
    later = timezone.now() + datetime.timedelta(days=5)
    assert editor.post(f"{CHANGELIST}{post.pk}/change/", form_time(post, later)).status_code == 302
    post.refresh_from_db()
    assert reviewer.post(f"{CHANGELIST}{post.pk}/change/",
                         form_time(post, timezone.now() - datetime.timedelta(hours=1))).status_code == 302
    assert client.get(post.url_path).status_code == 200


def test_an_editor_cannot_hand_a_taken_down_post_back_to_its_source(editor, reviewer, client):
    send = sender(new_key("scraper"))
    assert send().status_code == 201
    post = Post.objects.get()
    action(editor, "unpublish", [post])
    response = action(editor, "release", [post])
    assert any("需要审核权限" in message for message in messages_of(response))
    assert Post.objects.get().held_at is not None
    assert send(GOOD.replace("正文", "抓取器又送来一次")).status_code == 409
    assert client.get(post.url_path).status_code == 404  # taken down stays down
    # A reviewer may hand it back, knowing the source decides again.
    assert "已把 1 篇文章交还来源。" in messages_of(action(reviewer, "release", [post]))
    assert send(GOOD.replace("正文", "第三次")).status_code == 200
    assert client.get(post.url_path).status_code == 200


def test_an_editor_still_releases_published_posts(editor):
    post = factories.post("编辑改过的")
    Post.objects.filter(pk=post.pk).update(held_at=timezone.now())
    assert "已把 1 篇文章交还来源。" in messages_of(action(editor, "release", [post]))
    assert Post.objects.get(pk=post.pk).held_at is None


def test_restoring_a_version_that_would_show_a_scheduled_post_needs_review(editor, client):
    post = scheduled_post()
    shown = Revision.objects.filter(post_id=post.pk).latest("pk")
    shown.data = {**shown.data, "published_at": "2022-02-17T12:00:00+08:00"}
    shown.save()
    response = editor.post(f"{CHANGELIST}{post.pk}/revisions/{shown.pk}/restore/", follow=True)
    assert "需要审核权限" in response.content.decode()
    assert Post.objects.get(pk=post.pk).is_scheduled and client.get(post.url_path).status_code == 404


def test_an_editors_import_does_not_bring_a_scheduled_post_forward(tmp_path, client):
    from news.ingest.importer import Importer

    later = timezone.localtime(timezone.now() + datetime.timedelta(days=3), SITE_TZ)
    posts = tmp_path / "_posts"
    posts.mkdir()
    path = posts / "2022-02-17-s.md"
    path.write_text(GOOD.replace("2022-02-17 17:38:20", later.strftime("%Y-%m-%d %H:%M:%S")), encoding="utf-8")
    call_command("import_posts", str(tmp_path), "--quiet", stdout=io.StringIO())
    post = Post.objects.get()
    assert post.is_scheduled
    path.write_text(GOOD, encoding="utf-8")  # the file's time is now in the past
    editor = User.objects.create_user("bianji2", password="pw-bianji-2026")
    editor.groups.add(Group.objects.get(name="编辑"))
    Importer(user=editor).import_paths([tmp_path])
    assert Post.objects.get().status == "review" and client.get(Post.objects.get().url_path).status_code == 404


def test_a_reviewing_tokens_re_send_does_not_bring_a_scheduled_post_forward(client):
    from news.models import IngestToken

    later = timezone.localtime(timezone.now() + datetime.timedelta(days=3), SITE_TZ)
    send = sender(new_key("reviewed"))
    IngestToken.objects.filter(name="reviewed").update(review=True)
    assert send(GOOD.replace("2022-02-17 17:38:20", later.strftime("%Y-%m-%d %H:%M:%S"))).status_code == 201
    Post.objects.update(status="published")  # a reviewer published it, for later
    assert Post.objects.get().is_scheduled
    assert send(GOOD).status_code == 200
    assert Post.objects.get().status == "review" and client.get(Post.objects.get().url_path).status_code == 404
    assert Post.objects.get().source_path == PATH


def test_restoring_a_published_version_onto_a_draft_needs_review_even_for_later(editor, reviewer, client):
    """Found by review: a revision 已发布 with a future time, restored onto a draft, scheduled the post
    past 审核 (the form refuses that change to an editor)."""
    post = factories.post("草稿里的快讯")
    action(editor, "unpublish", [post])
    assert Post.objects.get(pk=post.pk).status == Post.Status.DRAFT
    later = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    old = Revision.objects.filter(post_id=post.pk, data__status="published").earliest("pk")
    old.data = {**old.data, "published_at": later}
    old.save()
    response = editor.post(f"{CHANGELIST}{post.pk}/revisions/{old.pk}/restore/", follow=True)
    assert "需要审核权限" in response.content.decode()
    assert Post.objects.get(pk=post.pk).status == Post.Status.DRAFT
    reviewer.post(f"{CHANGELIST}{post.pk}/revisions/{old.pk}/restore/")
    assert Post.objects.get(pk=post.pk).is_scheduled


def test_an_editor_cannot_hand_a_scheduled_post_back_to_its_source(editor, reviewer):
    """A source's re-send dated earlier would show a scheduled post at once: handing it back is 审核's."""
    post = scheduled_post()
    Post.objects.filter(pk=post.pk).update(held_at=timezone.now())
    assert any("需要审核权限" in message for message in messages_of(action(editor, "release", [post])))
    assert Post.objects.get(pk=post.pk).held_at is not None
    assert "已把 1 篇文章交还来源。" in messages_of(action(reviewer, "release", [post]))
