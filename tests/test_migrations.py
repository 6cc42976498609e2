"""Migrations on a site that already has posts: ``migrate`` does not build the search index (at a
million posts that took ~20 minutes in one transaction); search says the index is being built,
still finds what is written meanwhile, and finds everything once ``rebuild_search_index`` ran.

The site is taken back to migration 0005 (before search existed) with its posts in place, then
migrated forward as an operator would, on a database of the test's own.
"""
import urllib.parse

from .live import Client, Site
from .test_import_faults import database  # noqa: F401 (the fixture: a database of the test's own)

POST = "---\ntitle: {title}\ndate: 2022-02-1{day} 17:38:20 +0800\ncategories: emnews\n---\n{body}\n"
BUILDING = "搜索索引正在建立"


def write_posts(folder, posts):
    (folder / "_posts").mkdir(parents=True)
    for day, (title, body) in enumerate(posts, start=1):
        (folder / "_posts" / f"2022-02-1{day}-{folder.name}{day}.md").write_text(POST.format(title=title, body=body, day=day))
    return folder


def test_migrate_leaves_the_index_to_the_rebuild_and_search_says_so(database, tmp_path):  # noqa: F811
    site = Site(tmp_path, "", DATABASE_URL=database.url)
    old = write_posts(tmp_path / "old", [("早已有的稿件", "铜价 旧库词甲"), ("另一篇旧稿", "旧库词乙 说明")])
    site.manage("import_posts", str(old), "--quiet")
    site.manage("migrate", "news", "0005_updated_at_index")  # the site as it was before search
    out = site.manage("migrate", "--noinput")
    assert "Applying news.0006_search_index... OK" in out and "Applying news.0016" in out
    site.start()
    try:
        client = Client(site.base)

        def search(word):
            status, page, _ = client.get("/search/?q=" + urllib.parse.quote(word))
            assert status == 200, page[:500]
            return page

        page = search("旧库词甲")
        assert BUILDING in page and "没有找到包含“旧库词甲”" in page  # not indexed yet, and says why
        admin = site.shell(  # an editor's word search in the admin says so too
            "from django.contrib.auth.models import User\nfrom django.test import Client\n"
            "c = Client(); c.force_login(User.objects.create_superuser('boss', password='x'))\n"
            "print(c.get('/admin/news/post/', {'q': '旧库词甲'}).content.decode())")
        assert BUILDING in admin and "0 文章" in admin
        new = write_posts(tmp_path / "new", [("迁移之后的快讯", "新库词丙")])
        site.manage("import_posts", str(new), "--quiet")
        assert "迁移之后的快讯" in search("新库词丙")  # what is written meanwhile is found at once

        out = site.manage("rebuild_search_index")
        assert "已重建搜索索引：3 篇文章" in out
        page = search("旧库词甲")
        assert "早已有的稿件" in page and BUILDING not in page
        admin = site.shell("from django.contrib.auth.models import User\nfrom django.test import Client\n"
                           "c = Client(); c.force_login(User.objects.get(username='boss'))\n"
                           "print(c.get('/admin/news/post/', {'q': '旧库词甲'}).content.decode())")
        assert "早已有的稿件" in admin and BUILDING not in admin
        assert "另一篇旧稿" in search("旧库词乙") and "迁移之后的快讯" in search("新库词丙")
    finally:
        site.stop()


def test_a_new_site_has_a_built_index(database, tmp_path):  # noqa: F811
    site = Site(tmp_path, "", DATABASE_URL=database.url)  # migrated while it had no posts
    site.manage("import_posts", str(write_posts(tmp_path / "p", [("头一篇", "首批词丁")])), "--quiet")
    out = site.shell("from django.test import Client; print(Client().get('/search/?q=首批词丁').content.decode())")
    assert "头一篇" in out and BUILDING not in out


def test_jobs_queued_before_the_upgrade_run_from_their_new_module(database, tmp_path):  # noqa: F811
    site = Site(tmp_path, "", DATABASE_URL=database.url)
    site.manage("migrate", "news", "0016")
    site.shell(  # a job the previous release queued: its row names the function where it was then
        "from django_tasks_db.models import DBTaskResult\n"
        "from news.cache.tasks import mark_everything_stale\n"
        "job = mark_everything_stale.enqueue()\n"
        "DBTaskResult.objects.filter(id=job.id).update(task_path='news.tasks.mark_everything_stale')\n")
    site.manage("migrate", "--noinput")
    out = site.shell("from django_tasks_db.models import DBTaskResult\n"
                     "row = DBTaskResult.objects.get()\n"
                     "print(row.task_path, row.task.name, row.status)")
    assert out.strip().splitlines()[-1].split() == ["news.cache.tasks.mark_everything_stale", "mark_everything_stale", "READY"]


def test_feed_entries_are_made_for_the_posts_a_site_has(database, tmp_path):  # noqa: F811
    site = Site(tmp_path, "", DATABASE_URL=database.url)
    old = write_posts(tmp_path / "old", [("订阅里的旧文", "正文")])
    site.manage("import_posts", str(old), "--quiet")
    site.manage("migrate", "news", "0018_json_as_text")  # the site as it was before feed entries
    assert "Applying news.0019_feed_entries... OK" in site.manage("migrate", "--noinput")
    out = site.shell("from news.models import FeedEntry\nprint([(e.path, e.digest, e.edited_at) "
                     "for e in FeedEntry.objects.all()])")
    assert out.strip().endswith("[('/emnews/2022/02/11/old1', '', None)]")
    # Its first write records the text without calling it an edit; the next change is one.
    out = site.shell("from news.models import Post\np = Post.objects.get(); p.summary = '摘要'; p.save()\n"
                     "p.feed_entry.refresh_from_db(); print(bool(p.feed_entry.digest), p.feed_entry.edited_at)")
    assert out.strip().endswith("True None")
