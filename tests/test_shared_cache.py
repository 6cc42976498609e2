"""Without Redis (the embedded default, ``make run``) every process of the box shares one page cache:
a post imported by another process — ``import_posts``, the job worker — is on the pages that show
it at once, not after each process's own copy expires (issue 34)."""
import urllib.parse

import pytest

from .live import Client, Site

POST = "---\ntitle: {title}\ndate: 2022-02-17 1{hour}:00:00 +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n正文\n"


def write(folder, name, title, hour):
    (folder / "_posts").mkdir(parents=True, exist_ok=True)
    (folder / "_posts" / f"2022-02-17-{name}.md").write_text(POST.format(title=title, hour=hour), encoding="utf-8")
    return folder


@pytest.fixture
def site(tmp_path):
    running = Site(tmp_path, "")  # no REDIS_URL: the file cache beside the SQLite file
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_an_import_by_another_process_is_on_the_pages_at_once(site, tmp_path):
    site.manage("import_posts", str(write(tmp_path / "one", "first", "第一篇快讯", 0)), "--quiet")
    reader = Client(site.base)
    pages = ["/", "/category/emnews.html", "/emnews/", "/tag/" + urllib.parse.quote("东财滚动新闻") + "/", "/feed.xml"]
    for page in pages:
        status, text, headers = reader.get(page)
        assert status == 200 and "第一篇快讯" in text, page
        assert reader.get(page)[2]["X-Cache"] == "HIT", page  # kept: the next copy comes from the cache

    site.manage("import_posts", str(write(tmp_path / "two", "second", "另一个进程导入的快讯", 1)), "--quiet")
    for page in pages:
        status, text, _ = reader.get(page)
        assert status == 200 and "另一个进程导入的快讯" in text, page
    assert (tmp_path / "live.sqlite3.cache").is_dir()  # beside the database, its own
