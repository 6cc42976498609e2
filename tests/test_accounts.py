"""Accounts: belonging to an editors' group is what lets a user into the admin (news/accounts.py)."""
import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def signs_in(username, password):
    client = Client()
    client.post("/admin/login/?next=/admin/", {"username": username, "password": password})
    return client.get("/admin/").status_code == 200


def test_a_user_put_in_the_editors_group_through_the_admin_signs_in_and_out(admin_client):
    User.objects.create_user("xiaowang", password="pw-xiaowang-2026")
    assert not signs_in("xiaowang", "pw-xiaowang-2026")
    user = User.objects.get(username="xiaowang")
    editors = Group.objects.get(name="编辑")
    url = f"/admin/auth/user/{user.pk}/change/"
    form = {"username": "xiaowang", "is_active": "on", "groups": [editors.pk],
            "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-12-01", "date_joined_1": "09:00:00",
            "initial-date_joined_0": "2026-12-01", "initial-date_joined_1": "09:00:00"}
    response = admin_client.post(url, form)  # 工作人员状态 left unticked, as the README's editor would
    assert response.status_code == 302, response.content.decode()[:3000]
    assert signs_in("xiaowang", "pw-xiaowang-2026")
    response = admin_client.post(url, {**form, "groups": []})
    assert response.status_code == 302
    assert not signs_in("xiaowang", "pw-xiaowang-2026")


def test_group_membership_through_the_orm_counts_too():
    user = User.objects.create_user("laoli", password="pw-laoli-2026")
    admins = Group.objects.get(name="管理员")
    admins.user_set.add(user)
    assert User.objects.get(pk=user.pk).is_staff
    admins.user_set.clear()
    assert not User.objects.get(pk=user.pk).is_staff
    boss = User.objects.create_superuser("boss", password="pw-boss-2026")
    boss.groups.add(admins)
    boss.groups.clear()
    assert User.objects.get(pk=boss.pk).is_staff  # a superuser keeps the admin


def test_the_admins_group_holds_every_news_permission_after_migrate():
    wanted = set(Permission.objects.filter(content_type__app_label="news").values_list("codename", flat=True))
    held = set(Group.objects.get(name="管理员").permissions.filter(content_type__app_label="news")
               .values_list("codename", flat=True))
    models = {model._meta.model_name for model in apps.get_app_config("news").get_models()}
    assert {"delete_ingesttoken", "change_ingesttoken", "view_tombstone", "delete_tombstone"} <= held
    assert held == wanted and all(f"view_{name}" in held for name in models)


def test_the_command_makes_an_editor(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password-2026\n"))
    out = io.StringIO()
    call_command("create_editor", "xiaozhang", stdout=out)
    assert "已创建 xiaozhang" in out.getvalue()
    assert signs_in("xiaozhang", "a-long-password-2026")
    assert not User.objects.get(username="xiaozhang").has_perm("news.delete_post")


def test_editors_submit_for_review_and_reviewers_publish(client):
    from news.models import Post

    from . import factories
    from .test_admin import CHANGELIST, action, change_data

    editor = User.objects.create_user("bianji", password="pw-bianji-2026")
    editor.groups.add(Group.objects.get(name="编辑"))
    reviewer = User.objects.create_user("shenhe", password="pw-shenhe-2026")
    reviewer.groups.add(Group.objects.get(name="审核"))
    post = factories.post("草稿一篇", status="draft")
    editing, reviewing = Client(), Client()
    editing.force_login(editor)
    reviewing.force_login(reviewer)

    refused = editing.post(f"{CHANGELIST}{post.pk}/change/", change_data(post, status="published"))
    assert refused.status_code == 200 and "发布需要审核权限" in refused.content.decode()
    assert 'value="publish"' not in editing.get(CHANGELIST).content.decode()  # the publish action is not offered
    action(editing, "submit_review", [post])
    assert Post.objects.get(pk=post.pk).status == "review"
    assert "待审核（1）" in reviewing.get(CHANGELIST).content.decode()
    assert "草稿一篇" in reviewing.get(CHANGELIST, {"state": "review"}).content.decode()
    assert client.get(post.url_path).status_code == 404  # readers never see a post awaiting review
    action(reviewing, "publish", [post])
    assert Post.objects.get(pk=post.pk).status == "published" and client.get(post.url_path).status_code == 200
    assert '<option value="review" selected>待审核</option>' in editing.get(f"{CHANGELIST}add/").content.decode()


def test_a_token_may_send_its_posts_to_review():
    import json

    from news.models import IngestToken, Post

    from .test_api import GOOD, new_key

    key = new_key("reviewed")
    IngestToken.objects.filter(name="reviewed").update(review=True)
    response = Client().post("/api/posts/", json.dumps({"path": "_posts/2022-02-17-r.md", "content": GOOD}),
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201 and Post.objects.get().status == "review"


def test_what_may_not_publish_does_not_publish(client, tmp_path):
    import json

    from news.ingest.importer import Importer
    from news.models import IngestToken, Post, Revision

    from . import factories
    from .test_admin import CHANGELIST, action
    from .test_api import GOOD, new_key

    # A token that sends to review: its re-send keeps the post waiting.
    key = new_key("reviewed")
    IngestToken.objects.filter(name="reviewed").update(review=True)

    def send(content):
        return Client().post("/api/posts/", json.dumps({"path": "_posts/2022-02-17-r.md", "content": content}),
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert send(GOOD).status_code == 201
    assert send(GOOD.replace("正文", "更正")).status_code == 200 and Post.objects.get().status == "review"

    # An editor's upload goes to review; restoring a published version needs the permission.
    editor = User.objects.create_user("bianji", password="pw-bianji-2026")
    editor.groups.add(Group.objects.get(name="编辑"))
    (tmp_path / "2022-02-17-e.md").write_text(GOOD.replace("快讯", "编辑传的"), encoding="utf-8")
    Importer(user=editor).import_paths([tmp_path / "2022-02-17-e.md"])
    assert Post.objects.get(title="接口送来的编辑传的").status == "review"
    post = factories.post("已发布的")
    published = Revision.objects.filter(post_id=post.pk).latest("pk")
    editing = Client()
    editing.force_login(editor)
    action(editing, "unpublish", [post])
    response = editing.post(f"{CHANGELIST}{post.pk}/revisions/{published.pk}/restore/", follow=True)
    assert "需要审核权限" in response.content.decode() and Post.objects.get(pk=post.pk).status == "draft"


def test_deleting_a_group_takes_the_admin_from_its_members():
    user = User.objects.create_user("laowang", password="pw-laowang-2026")
    group = Group.objects.create(name="临时")
    Group.objects.get(name="编辑").user_set.add(user)
    group.user_set.add(user)
    Group.objects.get(name="编辑").delete()
    assert not User.objects.get(pk=user.pk).is_staff


def test_reader_pages_do_not_vary_on_cookies(client):
    from . import factories

    factories.post("一条")
    assert "Cookie" not in client.get("/").get("Vary", "")
