"""``rebuild_search_index`` on a live site: the scraper's API writes and readers' searches go on
while the index is rebuilt (the old version held one transaction for the whole build: an API
write hung until gunicorn's timeout and 500'd, searches too), and what they wrote meanwhile is
in the new index.

finews runs under gunicorn on the test's own database (a SQLite file, or a throwaway PostgreSQL
database when the suite runs on PostgreSQL); the rebuild runs as the operator runs it, throttled
(``--pause``) so the build lasts long enough to write and search in the middle of it.
"""
import json
import subprocess
import sys
import urllib.parse

from news.demo import write_site

from .live import ROOT, Client, Site
from .test_import_faults import database  # noqa: F401 (the fixture: a database of the test's own)

POST = "---\ntitle: {title}\ndate: 2022-02-17 17:38:20 +0800\ncategories: emnews\n---\n{body}\n"


def test_writes_and_searches_go_on_during_a_rebuild_and_land_in_the_new_index(database, tmp_path):  # noqa: F811
    site = Site(tmp_path, "", DATABASE_URL=database.url).start()
    try:
        write_site(tmp_path / "site", posts=1200, sources=5, body_bytes=600, seed=4)
        site.manage("import_posts", str(tmp_path / "site"), "--quiet")
        key = site.manage("ingest_token", "scraper").strip().splitlines()[-1]
        api = Client(site.base)

        def send(path, title, body):
            data = json.dumps({"path": path, "content": POST.format(title=title, body=body)}, ensure_ascii=False)
            return api.request("/api/posts/", data.encode(), {"Authorization": f"Bearer {key}",
                                                               "Content-Type": "application/json"})

        def found(word):
            status, page, _ = api.get("/search/?q=" + urllib.parse.quote(word))
            assert status == 200, (status, page[:500])
            return page

        assert send("_posts/2022-02-17-before.md", "改版之前的稿件", "原来的说法 旧词甲")[0] == 201
        assert send("_posts/2022-02-17-steady.md", "一直在的稿件", "常驻词丁")[0] == 201
        assert "改版之前的稿件" in found("旧词甲")

        rebuild = subprocess.Popen(
            [sys.executable, "manage.py", "rebuild_search_index", "--batch", "200", "--pause", "1"],
            cwd=ROOT, env=site.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert "已索引 200" in rebuild.stdout.readline()  # the build is under way, between two chunks

        status, answer, _ = send("_posts/2022-02-17-during.md", "重建途中的快讯", "新词乙 出现")
        assert status == 201, answer
        assert send("_posts/2022-02-17-before.md", "改版之后的稿件", "改过的说法 新词丙")[0] == 200
        assert "一直在的稿件" in found("常驻词丁")  # the live index still answers
        assert rebuild.poll() is None  # all of that while the rebuild was still running

        out, err = rebuild.communicate(timeout=300)
        assert rebuild.returncode == 0, err
        assert "已重建搜索索引" in out
        assert "重建途中的快讯" in found("新词乙")  # written during the build, in the new index
        assert "改版之后的稿件" in found("新词丙")
        assert "一直在的稿件" in found("常驻词丁")
        assert "没有找到包含“旧词甲”" in found("旧词甲")  # the edit replaced the old words
    finally:
        site.stop()
