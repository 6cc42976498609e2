"""Through gunicorn (two workers) and a private Redis: each kind of write, made in another process
or over HTTP, shows on the pages it touches within a second, and fifty unrelated articles and
twenty unrelated category pages still answer ``X-Cache: HIT``. The same writes in-process:
tests/test_invalidation.py."""
import json
import re

import pytest

from . import newsroom
from .forms import browser_form
from .live import Client, PrivateRedis, Site, within

pytestmark = pytest.mark.skipif(not PrivateRedis.available, reason="redis-server not installed")

# Renaming the tag last: the other checks read its page.
ORDER = [kind for kind in newsroom.EXPECT if kind != "tag_rename"] + ["tag_rename"]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    redis = PrivateRedis()
    site = Site(tmp_path_factory.mktemp("live"), redis.url)
    try:
        site.start()
        pages = json.loads(site.shell(
            "import json; from tests import newsroom; newsroom.build(); print(json.dumps(newsroom.unrelated_pages()))"
        ).strip().splitlines()[-1])
        editor = Client(site.base)
        editor.login("chief", "pw-chief-2026")
        key = site.manage("ingest_token", "scraper").strip().splitlines()[-1]
        yield site, editor, key, pages
    finally:
        site.stop()
        redis.stop()


def selected_id(editor, changelist, query):
    _, html, _ = editor.get(f"{changelist}?q={query}")
    return re.search(r'name="_selected_action" value="(\d+)"', html).group(1)


def action(editor, name, title, **extra):
    post_id = selected_id(editor, "/admin/news/post/", title)
    status, _, _ = editor.post("/admin/news/post/", {"action": name, "_selected_action": post_id, **extra})
    assert status == 302


def admin_save(site, editor, **_):
    post_id = selected_id(editor, "/admin/news/post/", "目标1")
    _, page, _ = editor.get(f"/admin/news/post/{post_id}/change/")
    data = {**browser_form(page, "post_form"), "title": "目标1（改）", "_save": "保存"}
    assert editor.post(f"/admin/news/post/{post_id}/change/", data)[0] == 302


def merge(site, editor, **_):
    category_id = selected_id(editor, "/admin/news/category/", "oth2")
    editor.post("/admin/news/category/", {"action": "merge", "_selected_action": category_id, "target_key": "tgt"})


def do_import(site, tmp_path, names=None, **_):
    posts = tmp_path / "tree" / "_posts"
    posts.mkdir(parents=True)
    if names is None:
        (posts / "2022-03-01-imported.md").write_text(newsroom.NEW_POST.format(title="导入的新闻"), "utf-8")
        site.manage("import_posts", str(tmp_path / "tree"), "--quiet")
    else:
        (tmp_path / "names.tsv").write_text(names, "utf-8")
        site.manage("import_posts", str(tmp_path / "tree"), "--category-names", str(tmp_path / "names.tsv"), "--quiet")


def api(site, key, **_):
    body = json.dumps({"path": "_posts/2022-03-01-api.md", "content": newsroom.NEW_POST.format(title="接口送来的")})
    status, text, _ = Client(site.base).request("/api/posts/", body.encode(), {
        "Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    assert status == 201, text


WRITES = {
    "admin_save": admin_save,
    "unpublish": lambda editor, **_: action(editor, "unpublish", "目标2"),
    "publish": lambda editor, **_: action(editor, "publish", "目标2"),
    "move": lambda editor, **_: action(editor, "move_to_category", "另一1", category_key="tgt"),
    "add_tag": lambda editor, **_: action(editor, "add_tag", "目标3", tag_name="另一标签"),
    "remove_tag": lambda editor, **_: action(editor, "remove_tag", "目标3", tag_name="目标标签"),
    "merge": merge,
    "import": do_import,
    "import_rename": lambda **kw: do_import(names="tgt\t新名字的目标源\n", **kw),
    "api": api,
}
WRITES.update({name: lambda site, kind=name, **_: site.shell(f"from tests import newsroom; newsroom.ORM_WRITES[{kind!r}]()")
               for name in newsroom.ORM_WRITES})


@pytest.mark.parametrize("kind", ORDER)
def test_a_write_in_another_process_reaches_readers_within_a_second(kind, live, tmp_path):
    site, editor, key, (articles, categories) = live
    reader = Client(site.base)
    watched = [page for page, _, _ in newsroom.EXPECT[kind]]
    for page in (watched + articles + categories) * 2:
        reader.get(page)
    for page in watched + articles + categories:  # cached before the write, so a stale copy would show
        status, _, headers = reader.get(page)
        assert status != 200 or headers["X-Cache"] == "HIT", page

    WRITES[kind](site=site, editor=editor, key=key, tmp_path=tmp_path)

    for page, text, shown in newsroom.EXPECT[kind]:
        def holds(page=page, text=text, shown=shown):
            status, html, _ = reader.get(page)
            return (text in html and status == 200) is shown
        assert within(1.0, holds), (page, text, shown)
    for page in articles + categories:
        assert reader.get(page)[2]["X-Cache"] == "HIT", page

