"""Editors can trust every save: each defect found on the old main, reproduced through the admin
as a browser submits it, through the models' public API, or through the reader pages."""
import datetime
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.forms.models import model_to_dict

from news.jekyll.dates import SITE_TZ
from news.models import Category, LegacyURL, Post

from . import factories
from .forms import browser_form

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/news/post/"
MIXED_BODY = "> 摘要\n\n<p>第一段</p>\r\n<p>第二段</p>  \n\n<http://src.example/1>\n"


def stored(post):
    post.refresh_from_db()
    return {**model_to_dict(post, exclude=["categories", "tags"]),
            "url_path": post.url_path, "body_html": post.body_html, "source_path": post.source_path,
            "updated_at": post.updated_at, "content_hash": post.content_hash}


def scraped_post():
    """A post as the importer stores it: seconds in its time, mixed line endings in its body."""
    return factories.post("原标题", when=datetime.datetime(2022, 2, 17, 17, 38, 20, tzinfo=SITE_TZ),
                          body=MIXED_BODY)


def submit(client, post, **changes):
    page = client.get(f"{CHANGELIST}{post.pk}/change/").content.decode()
    data = {**browser_form(page, "post_form"), **changes, "_save": "保存"}
    return client.post(f"{CHANGELIST}{post.pk}/change/", data)


def test_an_untouched_form_changes_nothing(admin_client, client):
    post = scraped_post()
    before = stored(post)
    response = submit(admin_client, post)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert stored(post) == before
    entry = LogEntry.objects.get(object_id=str(post.pk))
    assert entry.get_change_message() == "没有字段被修改。"
    assert "17:38:20" in client.get(post.url_path).content.decode()


def test_editing_the_title_changes_only_the_title(admin_client):
    post = scraped_post()
    before = stored(post)
    assert submit(admin_client, post, title="新标题").status_code == 302
    after = stored(post)
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"title", "updated_at"}
    assert after["body_markdown"] == MIXED_BODY


def test_the_time_field_shows_seconds(admin_client):
    post = scraped_post()
    page = admin_client.get(f"{CHANGELIST}{post.pk}/change/").content.decode()
    assert browser_form(page, "post_form")["published_at_1"] == "17:38:20"


def test_editing_the_body_rerenders_it(admin_client):
    post = scraped_post()
    assert submit(admin_client, post, body_markdown="~~旧~~ 新\r\n\r\n# 大标题").status_code == 302
    post.refresh_from_db()
    assert post.body_markdown == "~~旧~~ 新\n\n# 大标题"
    assert "<s>旧</s>" in post.body_html and "<h1>大标题</h1>" in post.body_html


def add_form(client, slug, when="2022-03-01", categories=()):
    page = client.get(f"{CHANGELIST}add/").content.decode()
    data = browser_form(page, "post_form")
    data.update({"title": "新建", "slug": slug, "published_at_0": when, "published_at_1": "09:30:00",
                 "body_markdown": "正文", "_save": "保存",
                 "category_links-TOTAL_FORMS": len(categories)})
    for i, category in enumerate(categories):
        data.update({f"category_links-{i}-position": i, f"category_links-{i}-category": category.pk})
    return client.post(f"{CHANGELIST}add/", data)


def test_same_slug_on_the_same_day_is_a_form_error(admin_client):
    assert add_form(admin_client, "dup").status_code == 302
    response = add_form(admin_client, "dup")
    assert response.status_code == 200
    assert "这一天已有同一 slug 的文章" in response.content.decode()
    assert Post.objects.filter(slug="dup").count() == 1


def test_a_taken_url_renames_the_slug_and_saves_it(admin_client):
    emnews = factories.category("emnews")
    factories.post(slug="taken", when=datetime.datetime(2022, 3, 1, 8, tzinfo=SITE_TZ))
    response = add_form(admin_client, "taken", categories=[emnews])
    assert response.status_code == 302
    post = Post.objects.get(source_path="admin/2022-03-01-taken")
    assert (post.slug, post.url_path) == ("taken-2", "/emnews/2022/03/01/taken-2.html")


def test_tags_and_categories_can_be_added_through_the_relations(client):
    post = factories.post(categories=["a"], tags=["x"])
    post.tags.add("新", "x")
    post.categories.add(factories.category("b"))
    links = list(post.tag_links.order_by("position"))
    assert [(link.tag.name, link.position) for link in links] == [("x", 0), ("新", 1)]
    assert all(link.published_at == post.published_at and link.is_published for link in links)
    assert [c.key for c in post.ordered_categories()] == ["a", "b"]
    assert post.title in client.get("/tag/新/").content.decode()
    assert post.title in client.get("/category/b.html").content.decode()
    category = factories.category("c")
    category.posts.add(post)
    assert post.title in client.get("/category/c.html").content.decode()


def test_one_tag_slug_scheme(admin_client):
    factories.post(tags=["央行 动态"])
    post = factories.post(tags=[])
    post.tags.add("央行 动态!")
    from taggit.models import Tag
    assert sorted(Tag.objects.values_list("slug", flat=True)) == ["央行-动态", "央行-动态_1"]


def test_bulk_unpublish_from_a_status_filtered_list_writes_history(admin_client):
    posts = [factories.post() for _ in range(2)]
    response = admin_client.post(f"{CHANGELIST}?state=published", {
        "action": "unpublish", "_selected_action": [p.pk for p in posts]})
    assert response.status_code == 302
    assert {e.object_id for e in LogEntry.objects.filter(change_message="批量撤回为草稿")} == {
        str(p.pk) for p in posts}


def test_merge_writes_history_redirects_the_feed_and_refreshes_articles(admin_client, client):
    factories.category("old", "旧名")
    factories.category("new", "新名")
    post = factories.post(categories=["old"])
    assert "旧名" in client.get(post.url_path).content.decode()  # now cached
    old = Category.objects.get(key="old")
    admin_client.post("/admin/news/category/", {
        "action": "merge", "_selected_action": [old.pk], "target_key": "new"})
    assert LogEntry.objects.filter(object_id=str(post.pk), change_message__contains="合并").count() == 1
    feed = client.get("/category/old/feed.xml")
    assert (feed.status_code, feed["Location"]) == (301, "/category/new/feed.xml")
    assert "新名" in client.get(post.url_path).content.decode()


def test_a_scheduled_post_says_so_and_has_a_filter(admin_client):
    later = datetime.datetime.now(SITE_TZ) + datetime.timedelta(days=2)
    factories.post("以后发", when=later)
    factories.post("已经发")
    html = admin_client.get(CHANGELIST, {"state": "scheduled"}).content.decode()
    assert "以后发" in html and "已经发" not in html and "已排期" in html
    html = admin_client.get(CHANGELIST, {"state": "published"}).content.decode()
    assert "已经发" in html and "以后发" not in html


@pytest.mark.parametrize("how", ["path", "url", "id", "source_name", "source_key", "title", "body", "original",
                                 "one_character"])
def test_find_a_post_by_what_an_editor_pastes(admin_client, how):
    factories.category("shzqb", "上海证券报")
    post = factories.post("降准消息", slug="202202172280203741", categories=["shzqb"], body="正文提到稀土出口。")
    post.source_url = "http://finance.eastmoney.com/a/202202172280203741.html"
    post.save()
    factories.post("别的")
    term = {"path": post.url_path, "url": "https://finews.example.com" + post.url_path,
            "id": "202202172280203741", "source_name": "上海证券报", "source_key": "shzqb",
            "title": "降准", "body": "稀土", "original": post.source_url, "one_character": "准"}[how]
    html = admin_client.get(CHANGELIST, {"q": term}).content.decode()
    assert "降准消息" in html and "别的" not in html


def test_import_needs_change_permission_too(client, tmp_path):
    post = factories.post("原来的", slug="kept")
    user = User.objects.create_user("adder", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["add_post", "view_post"]))
    client.force_login(user)
    assert client.get(f"{CHANGELIST}import/").status_code == 403
    assert "导入文章" not in client.get(CHANGELIST).content.decode()
    upload = io.BytesIO(b"---\ntitle: overwritten\n---\n")
    upload.name = f"{post.published_at.astimezone(SITE_TZ):%Y-%m-%d}-kept.md"
    assert client.post(f"{CHANGELIST}import/", {"files": [upload]}).status_code == 403
    assert Post.objects.get(pk=post.pk).title == "原来的"


def test_the_two_groups_exist_after_migrate():
    editors = Group.objects.get(name="编辑")
    codes = set(editors.permissions.values_list("codename", flat=True))
    assert {"add_post", "change_post", "view_importrun"} <= codes and "delete_post" not in codes
    admins = Group.objects.get(name="管理员")
    assert admins.permissions.filter(codename="delete_post").exists()


def test_drafts_show_only_to_those_who_may_change_posts(client):
    draft = factories.post("草稿", status="draft")
    viewer = User.objects.create_user("v", password="pw", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_post"))
    client.force_login(viewer)
    assert client.get(draft.url_path).status_code == 404
    editor = User.objects.create_user("e", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="编辑"))
    client.force_login(editor)
    assert client.get(draft.url_path).status_code == 200


def test_a_drafts_old_address_does_not_reveal_it(client):
    draft = factories.post("草稿", status="draft")
    LegacyURL.objects.point(["/old/address.html"], draft)
    assert client.get("/old/address.html").status_code == 404
    draft.status = Post.Status.PUBLISHED
    draft.save()
    assert client.get("/old/address.html")["Location"] == draft.url_path


def test_feed_entries_carry_their_edit_time_and_an_author(client):
    factories.category("emnews", "东财滚动新闻")
    post = factories.post("有作者")
    post.title = "改过"
    post.save()
    xml = client.get("/feed.xml").content.decode()
    edited = post.feed_entry.edited_at
    assert edited and f"<updated>{edited.astimezone(SITE_TZ).isoformat()}</updated>" in xml
    assert "<author><name>东财滚动新闻</name></author>" in xml


def test_a_changed_date_keeps_the_old_address_working(client):
    post = factories.post("搬家")
    old = post.url_path
    post.url_path = "/moved/x.html"
    post.save()
    assert client.get(old)["Location"] == "/moved/x.html"
    assert post.category_links.get().published_at == post.published_at


def test_import_run_pages_show_beijing_time(admin_client, site):
    site.post("2022-02-17-1.md", title="x")
    call_command("import_posts", str(site.root), "--quiet", stdout=io.StringIO())
    from news.models import ImportRun
    run = ImportRun.objects.get()
    assert run.state == "finished"
    local = run.started_at.astimezone(SITE_TZ)
    assert f"{local:%Y-%m-%d %H:%M}" in str(run)
    html = admin_client.get("/admin/news/importrun/").content.decode()
    assert "已完成" in html


def test_body_html_is_always_the_sanitised_rendering():
    post = Post(title="x", slug="x", published_at=datetime.datetime(2022, 2, 17, tzinfo=SITE_TZ),
                body_markdown="正文", body_html="<script>alert(1)</script>")
    post.save()
    assert post.body_html == "<p>正文</p>\n"
    post.body_html = "<img src=x onerror=alert(1)>"
    post.save()
    post.refresh_from_db()
    assert post.body_html == "<p>正文</p>\n"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_the_database_cannot_keep_are_form_errors(admin_client, day):
    response = add_form(admin_client, "edge", when=day)
    assert response.status_code == 200 and "发布时间须在公元 1 年到 9999 年之间" in response.content.decode()
    assert admin_client.get(CHANGELIST).status_code == 200
