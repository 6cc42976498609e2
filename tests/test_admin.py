"""The editors' admin through the test client: lists, filters, edits, bulk actions, permissions."""
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from news.models import Category, CategoryAlias, Post

from . import factories

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/news/post/"


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="pw-editor-123", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(
        codename__in=["view_post", "change_post", "add_post", "view_category", "change_category",
                      "view_tag", "view_importrun"]))
    client.force_login(user)
    return client


@pytest.fixture
def viewer(client):
    user = User.objects.create_user("viewer", password="pw-viewer-123", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_post", "view_category"]))
    client.force_login(user)
    return client


def rows(response):
    return re.findall(r'<th class="field-title_or_slug"><a href="[^"]+">([^<]+)</a>', response.content.decode())


def test_admin_is_chinese_with_site_header(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "金融消息 管理" in html and "内容管理" in html
    assert "文章" in html


def test_post_list_columns_and_search(admin_client):
    factories.category("emnews", "东财滚动新闻")
    post = factories.post("央行降准", tags=["东财滚动新闻", "货币"])
    factories.post("别的新闻")
    html = admin_client.get(CHANGELIST).content.decode()
    assert "央行降准" in html and "东财滚动新闻、货币" in html and "emnews" in html
    assert post.url_path in html and "2022-02-17" in html
    assert rows(admin_client.get(CHANGELIST, {"q": "降准"})) == ["央行降准"]


def test_search_by_source_url(admin_client):
    post = factories.post("有来源")
    post.source_url = "http://finance.example.com/1.html"
    post.save()
    factories.post("无来源")
    assert rows(admin_client.get(CHANGELIST, {"q": "http://finance.example.com/1.html"})) == ["有来源"]


def test_filters(admin_client):
    factories.post("草稿", status="draft", categories=["a"])
    factories.post("已发", categories=["b"])
    assert rows(admin_client.get(CHANGELIST, {"status__exact": "draft"})) == ["草稿"]
    assert rows(admin_client.get(CHANGELIST, {"category": "b"})) == ["已发"]
    factories.category("c", "丙新闻")
    factories.post("丙", categories=["c"])
    assert rows(admin_client.get(CHANGELIST, {"category": "丙新闻 (c)"})) == ["丙"]
    assert rows(admin_client.get(CHANGELIST, {"published_at__year": "2022", "published_at__month": "2"}))
    # the category filter never lists every category
    for n in range(30):
        factories.category(f"many{n}")
    assert "many17" not in admin_client.get(CHANGELIST).content.decode()


def test_category_autocomplete_endpoint(admin_client):
    factories.category("emnews", "东财滚动新闻")
    response = admin_client.get(reverse("admin:autocomplete"), {
        "app_label": "news", "model_name": "postcategory", "field_name": "category", "term": "东财"})
    assert [r["text"] for r in response.json()["results"]] == ["东财滚动新闻 (emnews)"]


@pytest.mark.parametrize("count", [3, 40])
def test_list_query_count_does_not_grow(admin_client, django_assert_max_num_queries, count):
    for n in range(count):
        factories.post(categories=["emnews", f"c{n % 3}"], tags=["东财滚动新闻", f"t{n % 5}"])
    with django_assert_max_num_queries(12):
        assert admin_client.get(CHANGELIST).status_code == 200


@pytest.mark.parametrize("tags", [1, 15])
def test_change_page_query_count_does_not_grow(admin_client, django_assert_max_num_queries, tags):
    post = factories.post(tags=[f"t{n}" for n in range(tags)], categories=["a", "b", "c"])
    with django_assert_max_num_queries(22):
        assert admin_client.get(f"{CHANGELIST}{post.pk}/change/").status_code == 200


def change_data(post, **overrides):
    links = list(post.category_links.all())
    tags = list(post.tag_links.all())
    data = {
        "title": post.title, "slug": post.slug, "published_at_0": "2022-02-17",
        "published_at_1": "12:00:00", "status": post.status, "body_markdown": post.body_markdown,
        "category_links-TOTAL_FORMS": len(links), "category_links-INITIAL_FORMS": len(links),
        "category_links-MIN_NUM_FORMS": 0, "category_links-MAX_NUM_FORMS": 1000,
        "tag_links-TOTAL_FORMS": len(tags), "tag_links-INITIAL_FORMS": len(tags),
        "tag_links-MIN_NUM_FORMS": 0, "tag_links-MAX_NUM_FORMS": 1000,
        "security_choices-TOTAL_FORMS": 0, "security_choices-INITIAL_FORMS": 0,
    }
    for i, link in enumerate(links):
        data.update({f"category_links-{i}-id": link.pk, f"category_links-{i}-post": post.pk,
                     f"category_links-{i}-position": link.position, f"category_links-{i}-category": link.category_id})
    for i, link in enumerate(tags):
        data.update({f"tag_links-{i}-id": link.pk, f"tag_links-{i}-content_object": post.pk,
                     f"tag_links-{i}-position": link.position, f"tag_links-{i}-tag": link.tag_id})
    data.update(overrides)
    return data


def test_edit_resanitises_the_body(admin_client):
    post = factories.post("原标题")
    url_before = post.url_path
    body = "> 新摘要\n\n<p>正文</p><script>alert('x')</script><p onclick=\"x()\">点</p>\n\n<http://src.example/a>"
    response = admin_client.post(f"{CHANGELIST}{post.pk}/change/", change_data(post, title="新标题", body_markdown=body))
    assert response.status_code == 302, response.content.decode()[:2000]
    post.refresh_from_db()
    assert post.title == "新标题" and post.url_path == url_before
    assert "<script" not in post.body_html and "alert" not in post.body_html and "onclick" not in post.body_html
    assert "<p>正文</p>" in post.body_html
    assert post.summary == "新摘要" and post.source_url == "http://src.example/a"
    assert LogEntry.objects.filter(object_id=str(post.pk)).exists()
    page = admin_client.get(f"{CHANGELIST}{post.pk}/change/").content.decode()
    assert "渲染预览" in page and '<div class="finews-preview"><blockquote>' in page
    assert "<p>正文</p>" in page and 'class="viewsitelink">在站点上查看<' in page


def test_new_post_in_admin_gets_a_jekyll_url(admin_client):
    category = factories.category("emnews")
    data = {
        "title": "新建文章", "slug": "admin-made", "published_at_0": "2022-03-01",
        "published_at_1": "09:30:00", "status": "published", "body_markdown": "正文",
        "category_links-TOTAL_FORMS": 1, "category_links-INITIAL_FORMS": 0,
        "category_links-MIN_NUM_FORMS": 0, "category_links-MAX_NUM_FORMS": 1000,
        "category_links-0-position": 0, "category_links-0-category": category.pk,
        "tag_links-TOTAL_FORMS": 0, "tag_links-INITIAL_FORMS": 0,
        "tag_links-MIN_NUM_FORMS": 0, "tag_links-MAX_NUM_FORMS": 1000,
        "security_choices-TOTAL_FORMS": 0, "security_choices-INITIAL_FORMS": 0,
    }
    response = admin_client.post(f"{CHANGELIST}add/", data)
    assert response.status_code == 302
    post = Post.objects.get(slug="admin-made")
    assert post.url_path == "/emnews/2022/03/01/admin-made.html"
    assert admin_client.get(post.url_path).status_code == 200


def action(client, name, posts, **extra):
    return client.post(CHANGELIST, {"action": name, "_selected_action": [p.pk for p in posts], **extra}, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_publish_and_unpublish_actions_report_counts(admin_client, client):
    posts = [factories.post(status="draft") for _ in range(3)]
    response = action(admin_client, "publish", posts[:2])
    assert "已发布 2 篇文章。" in messages_of(response)
    assert Post.objects.filter(status="published").count() == 2
    response = action(admin_client, "unpublish", posts)
    assert "已撤回 2 篇文章。" in messages_of(response)
    assert LogEntry.objects.filter(object_id=str(posts[0].pk), change_message="批量撤回为草稿").exists()
    assert client.get(posts[0].url_path).status_code == 404


def test_move_and_tag_actions(admin_client):
    posts = [factories.post(categories=["a"], tags=["x"]) for _ in range(2)]
    factories.category("target", "目标")
    response = action(admin_client, "move_to_category", posts, category_key="target")
    assert "已把 2 篇文章移动到 目标 (target)。" in messages_of(response)
    assert all([c.key for c in p.ordered_categories()] == ["target"] for p in posts)
    response = action(admin_client, "move_to_category", posts, category_key="nope")
    assert "没有分类键为“nope”的分类。" in messages_of(response)
    response = action(admin_client, "add_tag", posts, tag_name="新标签")
    assert "已给 2 篇文章添加标签 新标签。" in messages_of(response)
    assert all("新标签" in p.tags.names() for p in posts)
    response = action(admin_client, "remove_tag", posts[:1], tag_name="x")
    assert "已从 1 篇文章移除标签 x。" in messages_of(response)
    assert list(posts[0].tags.names()) == ["新标签"]
    response = admin_client.get("/tag/新标签/")
    assert response.status_code == 200


def test_editor_without_change_permission_sees_no_actions(viewer):
    post = factories.post("只读")
    html = viewer.get(CHANGELIST).content.decode()
    assert "只读" in html and 'name="action"' not in html
    post.status = Post.Status.DRAFT
    post.save()
    response = viewer.post(CHANGELIST, {"action": "publish", "_selected_action": [post.pk]})
    assert Post.objects.get().status == "draft"
    assert response.status_code == 200 and not LogEntry.objects.exists()
    assert viewer.get(f"{CHANGELIST}import/").status_code == 403
    assert viewer.post(f"{CHANGELIST}{post.pk}/change/", {"title": "x"}).status_code == 403


def test_non_staff_is_sent_to_login(client):
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_category_admin_counts_and_merge(admin_client, client):
    factories.category("old", "旧")
    factories.category("new", "新")
    a = factories.post(categories=["old"])
    b = factories.post(categories=["old", "new"])
    html = admin_client.get("/admin/news/category/").content.decode()
    assert re.search(r'field-post_count">2<', html) and "/category/old.html" in html
    old = Category.objects.get(key="old")
    response = admin_client.post("/admin/news/category/", {
        "action": "merge", "_selected_action": [old.pk], "target_key": "new"}, follow=True)
    assert "已把 1 个分类合并到 新 (new)；旧分类地址会跳转到新分类。" in messages_of(response)
    assert not Category.objects.filter(key="old").exists()
    assert CategoryAlias.objects.get(key="old").category.key == "new"
    assert Category.objects.get(key="new").posts.count() == 2
    assert client.get("/category/old.html")["Location"] == "/category/new.html"
    assert client.get(a.url_path).status_code == 200 and client.get(b.url_path).status_code == 200


def test_import_runs_are_read_only(admin_client):
    from news.models import ImportRun
    run = ImportRun.objects.create(origin="command", source="x", created=3, errors=[{"file": "a.md", "reason": "坏"}])
    html = admin_client.get(f"/admin/news/importrun/{run.pk}/change/").content.decode()
    assert "a.md：坏" in html and 'name="_save"' not in html
    assert admin_client.get("/admin/news/importrun/add/").status_code == 403


def test_date_hierarchy_lists_only_periods_with_posts(admin_client):
    import datetime

    from django.db.models import QuerySet

    from news.jekyll.dates import SITE_TZ
    for month in (1, 3, 7):
        factories.post(f"{month}月", when=datetime.datetime(2022, month, 31 if month != 3 else 1, 23, 30, tzinfo=SITE_TZ))
    factories.post("另一年", when=datetime.datetime(2023, 5, 1, tzinfo=SITE_TZ))
    years = Post.objects.datetimes("published_at", "year")
    assert isinstance(years, QuerySet) and [d.year for d in years] == [2022, 2023]  # Django's contract kept
    assert [d.year for d in years.reverse()] == [2023, 2022]
    months = Post.objects.filter(published_at__year=2022).datetimes("published_at", "month")
    assert [(d.year, d.month) for d in months] == [(2022, 1), (2022, 3), (2022, 7)]
    days = Post.objects.filter(published_at__year=2022, published_at__month=1).datetimes("published_at", "day", "DESC")
    assert [(d.month, d.day) for d in days] == [(1, 31)]
    html = admin_client.get(CHANGELIST, {"published_at__year": "2022"}).content.decode()
    assert "2022年1月" in html and "2022年3月" in html and "2022年2月" not in html
    assert rows(admin_client.get(CHANGELIST, {"q": "月", "published_at__year": "2022"})) == ["7月", "3月", "1月"]


def test_admin_is_chinese_even_for_an_english_browser(admin_client):
    html = admin_client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "选择 文章 来修改" in html and "Select 文章 to change" not in html


def test_the_post_list_never_counts_the_whole_table(admin_client, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from news.admin.lookup import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "CAP", 3)
    for n in range(5):
        factories.post(f"第{n}篇")
    with CaptureQueriesContext(connection) as queries:
        html = admin_client.get(CHANGELIST).content.decode()
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 3" in sql or "LIMIT 1001" in sql and "'review'" in sql for sql in counts), counts
    assert "3 文章" in html  # what it counted, capped
    assert "文章超过 3 篇：列表只数到 3" in html and "“选中所有”会作用于全部符合当前条件的文章" in html


def test_marking_important_shows_on_home_and_in_the_important_view_at_once(admin_client, client):
    from django.core.cache import cache

    cache.clear()
    posts = [factories.post(f"快讯{n}") for n in range(3)]
    assert "快讯1" not in client.get("/?important=1").content.decode()  # cached now
    response = action(admin_client, "mark_important", posts[1:2])
    assert messages_of(response) == ["已把 1 篇文章标为重要。"]
    assert LogEntry.objects.get(object_id=str(posts[1].pk)).change_message == "批量标为重要"
    home = client.get("/").content.decode()
    assert f'<li data-id="{posts[1].pk}" class="imp">' in home and '<strong class="mark">重要</strong>' in home
    important = client.get("/?important=1").content.decode()
    assert "快讯1" in important and "快讯0" not in important and "快讯2" not in important
    # the form's field, as an editor unticks it
    response = admin_client.post(f"{CHANGELIST}{posts[1].pk}/change/", change_data(posts[1]))  # no "important": unticked
    assert response.status_code == 302
    assert not Post.objects.get(pk=posts[1].pk).important
    assert "重要" in LogEntry.objects.filter(object_id=str(posts[1].pk)).latest("pk").get_change_message()
    assert "快讯1" not in client.get("/?important=1").content.decode()
    assert action(admin_client, "unmark_important", posts).status_code == 200


def test_bulk_publish_is_set_based(admin_client):
    """Publishing posts in bulk: one UPDATE of the posts, one per link table and one holding them
    against imports, whatever their number (it was two more per post), and the whole action's
    queries (history, revisions, stale pages) do not grow with it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    totals = {}
    for count in (5, 50):
        posts = [factories.post(f"草稿{count}-{i}", status=Post.Status.DRAFT) for i in range(count)]
        with CaptureQueriesContext(connection) as queries:
            response = action(admin_client, "publish", posts)
        assert f"已发布 {count} 篇文章" in response.content.decode()
        writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")
                  and any(table in q["sql"] for table in ('"news_post"', "news_postcategory", "news_taggedpost"))]
        assert len(writes) == 4, writes  # status, the two link tables, the editor's hold
        totals[count] = len(queries.captured_queries)
    assert totals[50] == totals[5], totals
    assert Post.objects.published().count() == 55
