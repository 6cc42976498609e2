"""Every kind of write makes stale exactly the pages that show it: they are fresh at once, while
fifty unrelated articles and twenty unrelated category pages stay cache hits (``X-Cache: HIT``).
The same writes through gunicorn and Redis: tests/test_live_invalidation.py."""
import io
import json

import pytest
from django.core.management import call_command
from taggit.models import Tag

from news.jekyll.dates import SITE_TZ
from news.models import Category, IngestToken, Post

from . import newsroom
from .forms import browser_form

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/news/post/"


def admin_save(admin_client, **_):
    post = Post.objects.get(title="目标1")
    page = admin_client.get(f"{CHANGELIST}{post.pk}/change/").content.decode()
    data = {**browser_form(page, "post_form"), "title": "目标1（改）", "_save": "保存"}
    assert admin_client.post(f"{CHANGELIST}{post.pk}/change/", data).status_code == 302


def post_action(admin_client, name, title, **extra):
    post = Post.objects.get(title=title)
    response = admin_client.post(CHANGELIST, {"action": name, "_selected_action": [post.pk], **extra}, follow=True)
    assert response.status_code == 200


def do_import(site, names=None, **_):
    if names is None:
        site.post("2022-03-01-imported.md", raw=newsroom.NEW_POST.format(title="导入的新闻"))
        call_command("import_posts", str(site.root), "--quiet", stdout=io.StringIO())
    else:
        (site.root / "names.tsv").write_text(names, "utf-8")
        call_command("import_posts", str(site.root), "--category-names", str(site.root / "names.tsv"),
                     "--quiet", stdout=io.StringIO())


def api(client, **_):
    _, key = IngestToken.issue("scraper")
    body = {"path": "_posts/2022-03-01-api.md", "content": newsroom.NEW_POST.format(title="接口送来的")}
    response = client.post("/api/posts/", json.dumps(body), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201, response.content


WRITES = {
    "admin_save": admin_save,
    "unpublish": lambda admin_client, **_: post_action(admin_client, "unpublish", "目标2"),
    "publish": lambda admin_client, **_: post_action(admin_client, "publish", "目标2"),
    "move": lambda admin_client, **_: post_action(admin_client, "move_to_category", "另一1", category_key="tgt"),
    "add_tag": lambda admin_client, **_: post_action(admin_client, "add_tag", "目标3", tag_name="另一标签"),
    "remove_tag": lambda admin_client, **_: post_action(admin_client, "remove_tag", "目标3", tag_name="目标标签"),
    "merge": lambda admin_client, **_: admin_client.post("/admin/news/category/", {
        "action": "merge", "_selected_action": [Category.objects.get(key="oth2").pk], "target_key": "tgt"}),
    "import": do_import,
    "import_rename": lambda site, **_: do_import(site, "tgt\t新名字的目标源\n"),
    "api": api,
}
WRITES.update({name: lambda kind=name, **_: newsroom.ORM_WRITES[kind]() for name in newsroom.ORM_WRITES})
BEFORE = {"publish": lambda: Post.objects.filter(title="目标2").set_status(Post.Status.DRAFT)}


def read(client, page):
    response = client.get(page)
    return response, response.content.decode() if response.status_code == 200 else ""


@pytest.mark.parametrize("kind", list(newsroom.EXPECT))
def test_a_write_refreshes_its_pages_and_no_others(kind, client, admin_client, site):
    newsroom.build()
    BEFORE.get(kind, lambda: None)()
    articles, categories = newsroom.unrelated_pages()
    watched = [page for page, _, _ in newsroom.EXPECT[kind]]
    for page in watched + articles + categories:
        client.get(page)
    for page in watched + articles + categories:
        response = client.get(page)
        assert response.status_code != 200 or response["X-Cache"] == "HIT", page

    WRITES[kind](admin_client=admin_client, client=client, site=site)

    for page, text, shown in newsroom.EXPECT[kind]:
        response, html = read(client, page)
        assert (text in html) is shown, (page, text, response.status_code)
    for page in articles + categories:
        assert client.get(page)["X-Cache"] == "HIT", page


def test_an_edited_title_shows_on_its_article_and_its_neighbours(client, admin_client):
    newsroom.build()
    first, second, third = (Post.objects.get(title=f"目标{n}") for n in (1, 2, 3))
    for post in (first, second, third):
        client.get(post.url_path)
    admin_save(admin_client)
    assert "目标1（改）" in read(client, first.url_path)[1]
    assert "目标1（改）" in read(client, second.url_path)[1]  # its "older" link
    assert client.get(third.url_path)["X-Cache"] == "HIT"  # not next to it


def test_a_renamed_source_or_tag_shows_on_its_articles(client, site):
    newsroom.build()
    post = Post.objects.get(title="目标1")
    tag_id = Tag.objects.get(name="目标标签").pk
    day = post.published_at.astimezone(SITE_TZ).strftime("/%Y/%m/%d/")
    lists = [post.url_path, "/tag/目标标签/", f"/live/tag/{tag_id}/", day]  # lists where sources mix name them
    for page in lists:
        client.get(page)
    do_import(site, "tgt\t新名字的目标源\n")
    for page in lists:
        assert "新名字的目标源" in read(client, page)[1], page
    tag = Tag.objects.get(name="目标标签")
    tag.name = "又一个名字"
    tag.save()
    assert "又一个名字" in read(client, post.url_path)[1]


def test_a_change_spanning_a_crowded_range_makes_every_article_stale(client, monkeypatch):
    from news.changes import stamps

    newsroom.build()
    monkeypatch.setattr(stamps, "NEIGHBOUR_RANGE", 2)
    far = Post.objects.get(title="无关0-0")
    client.get(far.url_path)
    assert client.get(far.url_path)["X-Cache"] == "HIT"
    Post.objects.filter(title__startswith="目标").set_status(Post.Status.DRAFT)  # four posts in tgt
    assert client.get(far.url_path)["X-Cache"] == "MISS"
