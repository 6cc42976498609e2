"""Who may overwrite what (issue 17): a token updates only the posts it created; what an editor
changed or deleted stays so against scraper re-sends and imports, until released or forced."""
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from news.models import ImportRun, Post, Revision, Tombstone

from .test_admin import CHANGELIST, action, change_data
from .test_api import GOOD, new_key

pytestmark = pytest.mark.django_db
PATH = "_posts/2022-02-17-api1.md"


def sender(key):
    client = Client()

    def send(content=GOOD, path=PATH):
        body = json.dumps({"path": path, "content": content}, ensure_ascii=False)
        return client.post("/api/posts/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")

    return send


@pytest.fixture
def scraper_a():
    return sender(new_key("scraper-a"))


@pytest.fixture
def scraper_b():
    return sender(new_key("scraper-b"))


def attempts(post):
    return list(Revision.objects.filter(post_id=post.pk).order_by("pk").values_list("action", flat=True))


def changed(text):
    return GOOD.replace("正文", text)


def test_another_tokens_post_is_not_overwritten(scraper_a, scraper_b, client):
    assert scraper_a().status_code == 201
    post = Post.objects.get()
    response = scraper_b(changed("乙的版本"))
    assert response.status_code == 409 and response.json()["status"] == "kept"
    assert "不是本令牌创建的" in response.json()["error"]
    assert "乙的版本" not in Post.objects.get().body_html and Post.objects.get().token.name == "scraper-a"
    assert "乙的版本" not in client.get(post.url_path).content.decode()
    assert attempts(post)[-1].startswith("未采纳（接口）：这篇文章不是本令牌创建的")
    assert attempts(post)[-1] and Revision.objects.filter(post_id=post.pk).latest("pk").token.name == "scraper-b"
    assert scraper_a(changed("甲的更正")).status_code == 200  # its owner still may


def test_an_unpublished_post_stays_unpublished(scraper_a, admin_client, client):
    scraper_a()
    post = Post.objects.get()
    action(admin_client, "unpublish", [post])
    response = scraper_a(changed("抓取器又送来一次"))
    assert response.status_code == 409 and "编辑修改过" in response.json()["error"]
    assert client.get(post.url_path).status_code == 404
    assert Post.objects.get().status == "draft"
    assert attempts(post)[-2:] == ["批量撤回", "未采纳（接口）：编辑修改过这篇文章，保留编辑修改（在后台“交还来源”，或 import_posts --force 覆盖）"]


def test_an_edited_title_survives_a_re_send(scraper_a, admin_client):
    scraper_a()
    post = Post.objects.get()
    admin_client.post(f"{CHANGELIST}{post.pk}/change/", change_data(post, title="编辑改好的标题"))
    assert scraper_a(changed("新正文")).status_code == 409
    assert Post.objects.get().title == "编辑改好的标题"
    # Released back to its source, the next re-send updates it again.
    action(admin_client, "release", [post])
    assert scraper_a(changed("新正文")).status_code == 200
    assert Post.objects.get().title == "接口送来的快讯" and Post.objects.get().held_at is None


def test_a_deleted_post_is_not_made_again(scraper_a, admin_client):
    scraper_a()
    post = Post.objects.get()
    admin_client.post(f"{CHANGELIST}{post.pk}/delete/", {"post": "yes"})
    assert not Post.objects.exists() and Tombstone.objects.filter(source_path=PATH).exists()
    response = scraper_a(changed("再送一次"))
    assert response.status_code == 409 and "已删除" in response.json()["error"]
    assert not Post.objects.exists()
    assert "接口送来的快讯" in admin_client.get("/admin/news/tombstone/").content.decode()
    assert attempts(post)[-2].startswith("删除") and attempts(post)[-1].startswith("未采纳（接口）：编辑已删除")


def test_the_command_line_import_keeps_editors_changes_unless_forced(tmp_path, admin_client):
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2022-02-17-a.md").write_text(GOOD, encoding="utf-8")
    (posts / "2022-02-17-b.md").write_text(GOOD.replace("快讯", "另一条"), encoding="utf-8")
    call_command("import_posts", str(tmp_path), "--quiet", stdout=io.StringIO())
    edited, deleted = Post.objects.order_by("source_path")
    admin_client.post(f"{CHANGELIST}{edited.pk}/change/", change_data(edited, title="编辑的标题"))
    deleted.delete()
    for path in posts.iterdir():
        path.write_text(path.read_text(encoding="utf-8").replace("正文", "改过的正文"), encoding="utf-8")

    out = io.StringIO()
    call_command("import_posts", str(tmp_path), "--quiet", stdout=out)
    assert "保留编辑修改 2；" in out.getvalue() and "2022-02-17-a.md: 编辑修改过这篇文章" in out.getvalue()
    assert "2022-02-17-b.md: 编辑已删除这篇文章" in out.getvalue()
    assert Post.objects.get().title == "编辑的标题" and ImportRun.objects.latest("pk").kept == 2

    call_command("import_posts", str(tmp_path), "--quiet", "--force", stdout=io.StringIO())
    assert sorted(Post.objects.values_list("title", flat=True)) == ["接口送来的另一条", "接口送来的快讯"]
    assert not Post.objects.filter(held_at__isnull=False).exists() and not Tombstone.objects.exists()


def test_held_posts_are_listed_for_editors(scraper_a, admin_client):
    scraper_a()
    post = Post.objects.get()
    assert "接口送来的快讯" not in admin_client.get(CHANGELIST, {"held": "yes"}).content.decode()
    action(admin_client, "mark_important", [post])
    assert "接口送来的快讯" in admin_client.get(CHANGELIST, {"held": "yes"}).content.decode()


def test_a_scheduled_re_send_of_a_held_post_is_on_record_once(scraper_a, admin_client):
    scraper_a()
    post = Post.objects.get()
    action(admin_client, "mark_important", [post])
    before = len(attempts(post))
    assert [scraper_a(changed("又来")).status_code for _ in range(4)] == [409] * 4
    assert len(attempts(post)) == before + 1


def test_a_merged_source_stays_merged_when_an_import_names_it(tmp_path, admin_client):
    from news.ingest.importer import Importer
    from news.models import Category

    from . import factories

    factories.category("a", "甲")
    factories.category("b", "乙")
    factories.post("甲的", categories=["a"])
    admin_client.post("/admin/news/category/", {"action": "merge", "_selected_action": [
        Category.objects.get(key="a").pk], "target_key": "b"})
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2022-02-17-n.md").write_text(GOOD.replace("emnews", "a"), encoding="utf-8")
    Importer(category_names={"a": "甲"}).import_paths([tmp_path])
    assert not Category.objects.filter(key="a").exists()
    assert admin_client.get("/category/a.html").status_code == 301
