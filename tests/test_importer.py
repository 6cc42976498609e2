"""The import service through its command-line front end, on small trees written by the tests."""
import datetime
import io
import os
import stat
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from news.jekyll.dates import SITE_TZ
from news.models import Category, ImportRun, LegacyURL, Post, PostCategory, TaggedPost

pytestmark = pytest.mark.django_db

ROLLING = """layout: post
title: "{title}"
date: {date}
categories: {categories}
tags: {tags}"""


def rolling(site, name, title="标题", date="2022-02-17 17:38:20 +0800", categories="emnews",
            tags="东财滚动新闻", body="> 摘要\n\n<p>正文</p>\n\n<http://example.com/a>"):
    return site.post(name, ROLLING.format(title=title, date=date, categories=categories, tags=tags), body)


def run(*args, expect_failure=False):
    out, err = io.StringIO(), io.StringIO()
    if expect_failure:
        with pytest.raises(CommandError):
            call_command("import_posts", *map(str, args), stdout=out, stderr=err)
    else:
        call_command("import_posts", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def dump_content():
    """Every row of the content tables, to compare databases before and after a re-import."""
    tables = ["news_post", "news_category", "news_postcategory", "news_taggedpost", "taggit_tag",
              "news_legacyurl"]
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")
            rows[table] = cursor.fetchall()
    return rows


def test_import_creates_posts_with_fields(site):
    rolling(site, "2022-02-17-1.md", title="第一篇", categories="emnews other")
    out, _ = run(site.root, "--quiet")
    assert "新建 1" in out
    post = Post.objects.get()
    assert post.title == "第一篇"
    assert post.url_path == "/emnews/other/2022/02/17/1.html"
    assert post.get_absolute_url() == post.url_path
    assert post.published_at == datetime.datetime(2022, 2, 17, 17, 38, 20, tzinfo=SITE_TZ)
    assert [c.key for c in post.ordered_categories()] == ["emnews", "other"]
    assert list(post.tags.names()) == ["东财滚动新闻"]
    assert post.summary == "摘要" and post.source_url == "http://example.com/a"
    assert post.source_path == "_posts/2022-02-17-1.md" and len(post.content_hash) == 64
    assert post.status == Post.Status.PUBLISHED and post.imported_at
    # category display name falls back to the post's first tag
    assert Category.objects.get(key="emnews").name == "东财滚动新闻"
    link = PostCategory.objects.get(post=post, category__key="other")
    assert link.position == 1 and link.published_at == post.published_at


def test_reimport_is_unchanged_and_leaves_content_tables_identical(site):
    rolling(site, "2022-02-17-1.md")
    rolling(site, "2022-02-17-2.md", tags="甲 乙")
    run(site.root, "--quiet")
    before = dump_content()
    out, _ = run(site.root, "--quiet")
    assert "新建 0，更新 0，未变 2" in out
    assert dump_content() == before
    assert ImportRun.objects.count() == 2


def test_edited_file_updates_in_place_and_sets_tags(site):
    path = rolling(site, "2022-02-17-1.md", tags="甲 乙")
    run(site.root, "--quiet")
    post_id = Post.objects.get().id
    rolling(site, "2022-02-17-1.md", title="改过", tags="乙 丙", date="2022-02-18 09:00:00 +0800")
    out, _ = run(site.root, "--quiet")
    assert "更新 1" in out
    post = Post.objects.get()
    assert post.id == post_id and post.title == "改过"
    assert sorted(post.tags.names()) == ["丙", "乙"]
    assert TaggedPost.objects.count() == 2
    # the date moved the URL: the old address now redirects
    assert post.url_path == "/emnews/2022/02/18/1.html"
    assert LegacyURL.objects.get().path == "/emnews/2022/02/17/1.html"
    assert path.exists()


def test_dry_run_writes_nothing(site):
    rolling(site, "2022-02-17-1.md")
    out, _ = run(site.root, "--dry-run", "--quiet")
    assert "试运行" in out and "新建 1" in out
    assert not Post.objects.exists() and not Category.objects.exists()


def test_drafts_and_future_posts_are_imported(site):
    site.post("2022-02-17-draft.md", "title: 草稿\npublished: false")
    site.post("2099-01-01-future.md", "title: 未来")
    run(site.root, "--quiet")
    assert Post.objects.get(slug="draft").status == Post.Status.DRAFT
    future = Post.objects.get(slug="future")
    assert future.status == Post.Status.PUBLISHED
    assert not Post.objects.published().filter(pk=future.pk).exists()


def test_same_url_twice_is_a_reported_conflict(site):
    site.post("2022-02-16-dup.markdown", "title: 一")
    site.post("2022-02-16-dup.md", "title: 二")
    out, err = run(site.root, "--quiet", expect_failure=True)
    assert "冲突" in err and "2022-02-16-dup.md" in err
    assert Post.objects.get().title == "一"


def test_url_taken_by_an_existing_post_is_a_conflict(site, tmp_path):
    site.post("2022-02-16-dup.md", "title: 一")
    run(site.root, "--quiet")
    other = tmp_path / "other" / "_posts" / "sub"
    other.mkdir(parents=True)
    (other / "2022-02-16-dup.md").write_text("---\ntitle: 二\n---\n", encoding="utf-8")
    _, err = run(other.parent.parent, "--quiet", expect_failure=True)
    assert "已属于文章 _posts/2022-02-16-dup.md" in err
    assert Post.objects.get().title == "一"


@pytest.mark.parametrize("name, content, reason", [
    ("2022-02-17-yaml.md", "---\ntitle: a: b\n---\n", "YAML"),
    ("2022-02-17-nodate.md", "---\ndate:  +0800\n---\n", "date"),
    ("2022-13-45-badmonth.md", "---\ntitle: x\n---\n", "日期无效"),
    ("2022-02-17-gbk.md", "---\ntitle: 中文\n---\n".encode("gbk"), "UTF-8"),
    ("2022-02-17-bin.md", b"\x00\x01\x02binary", "二进制"),
])
def test_each_bad_file_fails_alone(site, name, content, reason):
    rolling(site, "2022-02-17-good.md")
    site.post(name, raw=content)
    out, err = run(site.root, "--quiet", expect_failure=True)
    assert name in err and reason in err
    assert "新建 1" in out and "失败 1" in out
    assert list(Post.objects.values_list("slug", flat=True)) == ["good"]


def test_oversized_file_fails(site):
    rolling(site, "2022-02-17-good.md")
    site.post("2022-02-17-big.md", raw="---\ntitle: x\n---\n" + "大" * 2000)
    _, err = run(site.root, "--quiet", "--max-file-size", "1000", expect_failure=True)
    assert "2022-02-17-big.md" in err and "上限 1000" in err
    assert Post.objects.count() == 1


def test_non_post_names_are_skipped_not_failed(site):
    rolling(site, "2022-02-17-good.md")
    site.post("-202205262391921712.md", raw="---\ntitle: x\n---\n")
    out, _ = run(site.root)
    assert "跳过" in out and "-202205262391921712.md" in out and "失败 0" in out


def test_leading_blank_line_post_gets_its_front_matter_and_a_redirect(site):
    site.post("2021-12-08-9.md", raw="\n---\ntitle: 标题\ndate: 2021-12-08 10:18:31\ncategories: emnews\ntags: 东财滚动新闻\n---\nx")
    out, _ = run(site.root)
    assert "注意" in out
    post = Post.objects.get()
    assert post.url_path == "/emnews/2021/12/08/9.html"
    assert LegacyURL.objects.get().path == "/2021/12/08/9.html"


def test_category_names_file_and_category_pages(site, tmp_path):
    rolling(site, "2022-02-17-1.md", categories="21caijing", tags="某某新闻")
    (site.root / "category").mkdir()
    (site.root / "category" / "emnews.html").write_text(
        "---\nlayout: category\ntitle: 东财滚动新闻\ncategory: emnews\n---\n", encoding="utf-8")
    tsv = tmp_path / "names.tsv"
    tsv.write_text("21caijing\t湖南日报新闻\nTechWeb\tA\nTechweb\tB\n", encoding="utf-8")
    run(site.root, "--quiet", "--category-names", tsv)
    names = dict(Category.objects.values_list("key", "name"))
    assert names == {"21caijing": "湖南日报新闻", "TechWeb": "A", "Techweb": "B", "emnews": "东财滚动新闻"}
    assert len(set(Category.objects.values_list("slug", flat=True))) == 4


def test_bad_category_names_file_is_a_clear_error(site, tmp_path):
    tsv = tmp_path / "names.tsv"
    tsv.write_text("no tab here\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 1 行"):
        call_command("import_posts", str(site.root), "--category-names", str(tsv))


def test_nested_folders(site):
    site.post("2008-11-21-outer.md", "categories: news", folder="es/_posts")
    site.post("2008-11-21-nested.md", "title: n", folder="_posts/sub/deeper")
    site.post("2008-11-21-hidden.md", "title: h", folder="_posts/_hidden")
    run(site.root, "--quiet")
    assert set(Post.objects.values_list("url_path", flat=True)) == {
        "/es/news/2008/11/21/outer.html", "/2008/11/21/nested.html"}


def test_single_file_and_posts_folder_paths(site):
    path = rolling(site, "2022-02-17-1.md")
    run(path, "--quiet")
    run(site.root / "_posts", "--quiet")
    post = Post.objects.get()
    assert post.source_path == "_posts/2022-02-17-1.md"


def test_missing_path_fails(tmp_path):
    _, err = run(tmp_path / "nope", "--quiet", expect_failure=True)
    assert "找不到" in err


# --- zips ---------------------------------------------------------------------------------

def make_zip(path, entries, symlinks=(), raw_names=()):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        for name, target in symlinks:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


GOOD = "---\ntitle: 好\ncategories: emnews\n---\n正文"


def test_zip_of_a_site_folder(tmp_path):
    archive = make_zip(tmp_path / "site.zip", {
        "mysite/_posts/2022-02-17-a.md": GOOD,
        "mysite/category/emnews.html": "---\ntitle: 东财滚动新闻\ncategory: emnews\n---\n",
        "mysite/index.md": "home",
    })
    run(archive, "--quiet")
    post = Post.objects.get()
    assert post.source_path == "_posts/2022-02-17-a.md" and post.url_path == "/emnews/2022/02/17/a.html"
    assert Category.objects.get().name == "东财滚动新闻"


@pytest.mark.parametrize("bad_name, reason", [
    ("/etc/2022-02-17-abs.md", "绝对路径"),
    ("_posts/../../2022-02-17-up.md", ".."),
])
def test_zip_with_hostile_paths(tmp_path, bad_name, reason):
    archive = make_zip(tmp_path / "bad.zip", {"_posts/2022-02-17-a.md": GOOD, bad_name: GOOD})
    _, err = run(archive, "--quiet", expect_failure=True)
    assert reason in err and bad_name.split("/")[-1] in err
    assert Post.objects.count() == 1


def test_zip_with_symlink(tmp_path):
    archive = make_zip(tmp_path / "link.zip", {"_posts/2022-02-17-a.md": GOOD},
                       symlinks=[("_posts/2022-02-17-link.md", "/etc/passwd")])
    _, err = run(archive, "--quiet", expect_failure=True)
    assert "符号链接" in err and Post.objects.count() == 1


def test_zip_bomb_is_refused_whole(tmp_path, settings):
    settings.FINEWS_IMPORT_MAX_ZIP_BYTES = 100_000
    archive = make_zip(tmp_path / "bomb.zip", {
        "_posts/2022-02-17-a.md": GOOD, "_posts/2022-02-17-zeros.md": b"0" * 200_000})
    assert os.path.getsize(archive) < 5_000
    _, err = run(archive, "--quiet", expect_failure=True)
    assert "zip 炸弹" in err and not Post.objects.exists()


def test_not_a_zip(tmp_path):
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"not a zip at all")
    _, err = run(bad, "--quiet", expect_failure=True)
    assert "不是有效的 zip" in err


def test_batches_and_parallel_parsing_give_the_same_result(site):
    for number in range(260):
        rolling(site, f"2022-02-17-{number:03d}.md", title=f"第{number}篇", tags=f"t{number % 7}")
    site.post("2022-02-17-bad.md", raw="---\ntitle: a: b\n---\n")
    out, err = run(site.root, "--quiet", "--batch-size", "50", "--workers", "2", expect_failure=True)
    assert "新建 260" in out and "失败 1" in out
    assert Post.objects.count() == 260 and TaggedPost.objects.count() == 260
    out, _ = run(site.root, "--quiet", "--batch-size", "50", expect_failure=True)
    assert "未变 260" in out


def test_reimport_of_an_edited_file_refreshes_its_cached_page(site, client):
    from django.core.cache import cache

    cache.clear()
    rolling(site, "2022-02-17-1.md", title="旧标题")
    run(site.root, "--quiet")
    url = Post.objects.get().url_path
    assert "旧标题" in client.get(url).content.decode()
    rolling(site, "2022-02-17-1.md", title="新标题")
    run(site.root, "--quiet")
    assert "新标题" in client.get(url).content.decode()


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("stream, args, shows_bar", [
    (FakeTerminal, [], True), (FakeTerminal, ["--quiet"], False), (io.StringIO, [], False)])
def test_progress_bar_only_on_a_terminal(site, monkeypatch, stream, args, shows_bar):
    import sys

    rolling(site, "2022-02-17-1.md")
    stderr = stream()
    monkeypatch.setattr(sys, "stderr", stderr)
    call_command("import_posts", str(site.root), *args, stdout=io.StringIO())
    assert ("1/1" in stderr.getvalue()) is shows_bar, stderr.getvalue()


def test_each_batch_commits_on_its_own(site, monkeypatch):
    """Ctrl-C in a later batch keeps the batches already written (and never half a post); the
    run's record says it was interrupted, with the counts committed; a re-run completes it."""
    from news.ingest.write import BatchWriter

    for number in range(6):
        rolling(site, f"2022-02-17-{number}.md")
    calls = {"n": 0}
    original = BatchWriter._store

    def crash_on_third_batch(self, items, existing):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("operator pressed Ctrl-C")
        return original(self, items, existing)

    monkeypatch.setattr(BatchWriter, "_store", crash_on_third_batch)
    with pytest.raises(CommandError) as raised:
        call_command("import_posts", str(site.root), "--quiet", "--batch-size", "2", stdout=io.StringIO())
    assert raised.value.returncode == 130
    assert Post.objects.count() == 4
    assert all(p.category_links.count() == 1 and p.tag_links.count() == 1 for p in Post.objects.all())
    run = ImportRun.objects.get()
    assert (run.state, run.created, run.finished_at is not None) == ("interrupted", 4, True)

    monkeypatch.setattr(BatchWriter, "_store", original)
    call_command("import_posts", str(site.root), "--quiet", stdout=io.StringIO())
    latest = ImportRun.objects.order_by("-started_at").first()
    assert (latest.state, latest.created, latest.unchanged) == ("finished", 2, 4)


def test_bad_category_names_and_pages_fail_alone(site, tmp_path):
    rolling(site, "2022-02-17-1.md", categories="good")
    rolling(site, "2022-02-17-2.md", categories="c" * 201)
    (site.root / "category").mkdir()
    (site.root / "category" / "broken.html").write_bytes(b"---\ntitle: [unclosed\n---\n")
    (site.root / "category" / "latin1.html").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    tsv = tmp_path / "names.tsv"
    tsv.write_text(f"good\t好来源\nlong\t{'名' * 201}\nnul\ta\0b\n", encoding="utf-8")
    _, err = run(site.root, "--quiet", "--category-names", tsv, expect_failure=True)
    assert "分类 long" in err and "超过 200 个字符" in err
    assert Category.objects.get(key="nul").name == "ab"  # a NUL, like every control character, removed
    assert "category/broken.html" in err and "category/latin1.html" in err
    assert "2022-02-17-2.md" in err and "分类" in err
    assert list(Post.objects.values_list("source_path", flat=True)) == ["_posts/2022-02-17-1.md"]
    assert Category.objects.get(key="good").name == "好来源"
    run_record = ImportRun.objects.get()
    assert (run_record.state, run_record.created, run_record.failed) == ("finished", 1, 4)


@pytest.mark.parametrize("date", ["0001-01-01", "0001-01-01 05:00:00 +0800", "9999-12-31 20:00:00 -0800"])
def test_dates_no_database_can_store_are_refused(site, admin_client, date):
    rolling(site, "2022-02-17-edge.md", date=date)
    rolling(site, "2022-02-17-fine.md")
    _, err = run(site.root, "--quiet", expect_failure=True)
    assert "2022-02-17-edge.md" in err and "超出可以保存的范围" in err
    assert admin_client.get("/admin/news/post/").status_code == 200


@pytest.mark.parametrize("date", ["0001-01-02 12:00:00 +0800", "9999-12-29 23:59:59 +0800"])
def test_dates_near_the_edges_round_trip(site, admin_client, client, date):
    rolling(site, "2022-02-17-edge.md", date=date)
    run(site.root, "--quiet")
    post = Post.objects.get()
    expected = datetime.datetime.fromisoformat(date.replace(" +0800", "+08:00"))
    assert post.published_at == expected
    assert admin_client.get("/admin/news/post/").status_code == 200
    assert admin_client.get(f"/admin/news/post/{post.pk}/change/").status_code == 200
    expected_status = 404 if date.startswith("9999") else 200  # a far-future post is scheduled
    assert client.get(post.url_path).status_code == expected_status


def test_hostile_files_fail_alone_and_good_ones_import(site):
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"] + [
        f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 9)]
    site.post("2022-02-17-bomb.md", raw="---\n" + "\n".join(bomb) + "\n---\n")
    site.post("2022-02-17-scripts.md", raw="---\ntitle: 脚本\n---\n" + "<script>" * 28_000 + "看得见")
    site.post("2022-02-17-blank.md", raw="---" + "\n" * 224_000 + "x")
    rolling(site, "2022-02-17-good.md", title="好文章")
    _, err = run(site.root, "--quiet", expect_failure=True)
    assert "2022-02-17-bomb.md" in err and "别名" in err
    assert "2022-02-17-blank.md" in err and "正文超过" in err  # 224,000 lines: refused at once
    assert set(Post.objects.values_list("title", flat=True)) == {"好文章", "脚本"}
    assert Post.objects.get(title="脚本").body_html == ""  # inside an unclosed <script>, as browsers read it


def test_a_post_over_the_time_budget_fails_alone_with_a_reason(site, settings):
    """One per-post budget on every path (all of them parse through parse_one): here a folder import
    with a budget far below what a 1 MB body takes; the small post beside it is in budget."""
    settings.FINEWS_IMPORT_POST_SECONDS = 0.05  # the slow post takes ~1 s, the good one ~1 ms
    rolling(site, "2022-02-17-good.md")
    site.post("2022-02-17-slow.md", raw="---\ntitle: 慢\n---\n" + "段落 **粗体** [链接](/a) 与 *斜体* 和 `代码`\n\n" * 9_000)
    out, err = run(site.root, "--quiet", expect_failure=True)
    assert "2022-02-17-slow.md" in err and "0.05 秒的上限" in err
    assert "新建 1" in out and "失败 1" in out
    assert list(Post.objects.values_list("slug", flat=True)) == ["good"]


def test_the_time_budget_is_wall_time_left_on_its_own_after(site):
    from news.ingest.parse import FAILED, parse_one

    data = ("---\ntitle: 慢\n---\n" + "段落 **粗体** [链接](/a) 与 *斜体* 和 `代码`\n\n" * 9_000).encode()
    assert parse_one("_posts/2022-02-17-slow.md", data, (), "x", budget=0.05).outcome == FAILED
    assert parse_one("_posts/2022-02-17-slow.md", data, (), "x", budget=None).post.title == "慢"
    import signal
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # no alarm left to go off later
