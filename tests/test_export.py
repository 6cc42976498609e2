"""``manage.py export_jekyll``: the site written back out as a Jekyll tree that reads back — into
an empty finews and into real Jekyll — as the same posts, at the same URLs, in the same listings."""
import datetime
import html
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from unittest import mock
from urllib.parse import unquote

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from taggit.models import Tag

from news.jekyll.dates import SITE_TZ
from news.jekyll.exportable import exportable_body
from news.jekyll.post import source_kind
from news.models import Category, CategoryAlias, LegacyURL, Post, Revision, Tombstone

from . import factories
from .pages import wall_items

pytestmark = pytest.mark.django_db

SEED = "_posts/2022-02-17-202202172280203741.md"
EDITED_TITLE = "改过的标题 <b>不是标签</b> & 符号"
# Imported from folders whose category an editor then took away: Jekyll would give them that
# category again there, so the export names them in _posts/.
MOVED = {"a/_posts/2022-03-04-same.md", "b/_posts/2022-03-04-same.md", "macro2/_posts/2022-02-23-plain.txt"}


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def written_in_finews(title, slug, when, categories, tags=(), body="正文。", status="published"):
    """A post made as the admin makes one: no source file, its URL settled once it has categories."""
    post = Post(title=title, slug=slug, published_at=when, status=status, body_markdown=body)
    post.save()
    post.set_categories([factories.category(key) for key in categories])
    post.tags.add(*tags)
    post.settle_url()
    return post


def snapshot():
    """Everything a post is, by URL (a post written in finews gets a file name on export, so its
    source path is the one thing allowed to change)."""
    posts = {}
    for post in Post.objects.prefetch_related("category_links__category", "tag_links__tag"):
        # What the export adds to the front matter for Jekyll's sake: the layout every post file
        # names (finews's own posts had none), the raw title, permalink and Liquid switch.
        extra = {"layout": "post", **{k: v for k, v in post.extra.items()
                                      if k not in ("permalink", "render_with_liquid", "title")}}
        posts[post.url_path] = {
            "title": post.title, "slug": post.slug, "published_at": post.published_at,
            "categories": [link.category.key for link in post.category_links.all()],
            "tags": [link.tag.name for link in post.tag_links.order_by("position")],
            "status": post.status, "important": post.important, "body_markdown": post.body_markdown,
            "body_html": post.body_html, "summary": post.summary, "source_url": post.source_url,
            "source_path": None if post.source_path.startswith("admin/") or post.source_path in MOVED
            else post.source_path,
            "extra": extra,
        }
    names = dict(Category.objects.filter(post_links__isnull=False).values_list("key", "name").distinct())
    return posts, names


def empty_the_site():
    """What an empty finews holds: nothing (deleting through the models, as an operator would)."""
    Post.objects.all().delete()
    for model in (Tombstone, Revision, LegacyURL, CategoryAlias, Category, Tag):
        model.objects.all().delete()


@pytest.fixture
def edited_site(corpus_dir):
    """The sample corpus imported, then changed in finews the ways editors change it."""
    run("import_posts", str(corpus_dir), "--category-names", str(corpus_dir / "categories.tsv"))
    seed = Post.objects.get(source_path=SEED)
    seed.title = EDITED_TITLE
    seed.save()
    unpublished = Post.objects.get(source_path="_posts/2021-12-08-202112082206672930.md")
    unpublished.status = Post.Status.DRAFT
    unpublished.save()
    marked = Post.objects.get(source_path="_posts/2021-12-08-202112082206703990.md")
    marked.important = True
    marked.extra = {**marked.extra, "author": "张三", "meta": {"a": [1, 2]}, "when": "2022-01-01", "n": 7}
    marked.save()
    merged_into = factories.category("shzqb", "上海证券报")
    Category.objects.get(key="shanghaizhengquanbao").merge_into(merged_into)
    moved = Post.objects.get(source_path="_posts/2021-12-08-202112082206704122.md")
    moved.set_categories([factories.category("sitenews"), factories.category("emnews")])
    Post.objects.get(source_path="_posts/2021-12-08-202112082207166310.md").delete()
    when = datetime.datetime(2022, 3, 1, 9, 30, 0, 123456, tzinfo=SITE_TZ)
    cut = written_in_finews("央行降准 0.25 个百分点", "央行降准", when, ["宏观 经济"], ["央行", "货币 政策"],
                            body="> 摘要一句。\n\n正文里有 {{ site.title }} 和 {% raw %} 字样。\n\n<https://example.com/a>")
    cut.set_categories([factories.category("宏观 经济"), factories.category("央行")])  # its URL stays
    factories.post("同名的导入文章", categories=("emnews",), slug="央行降准", when=when + datetime.timedelta(minutes=5),
                   source_path="_posts/2022-03-01-央行降准.md")  # the file name the post above would get
    written_in_finews("排期的新闻", "later", datetime.datetime(2031, 1, 1, 8, 0, tzinfo=SITE_TZ), ["emnews"],
                      ["东财滚动新闻"])
    factories.post("HTML 的文章", categories=("emnews",), tags=("东财滚动新闻",), slug="html-post",
                   body="<p>一段 <em>HTML</em></p>", source_path="_posts/2022-03-02-html-post.html",
                   when=datetime.datetime(2022, 3, 2, 10, 0, tzinfo=SITE_TZ))
    factories.post("文件夹里的文章", categories=("macro", "emnews"), tags=("宏观",), slug="in-folder",
                   source_path="macro/_posts/2022-03-03-in-folder.md",
                   when=datetime.datetime(2022, 3, 3, 1, 0, tzinfo=SITE_TZ))
    # What Ruby's YAML (Jekyll's) reads differently from PyYAML unless quoted, and what HTML would cut.
    # (A category opening with ":" is left out: Jekyll cannot build such a URL at all.)
    odd = written_in_finews(":符号开头 CPI<PPI 剪刀差", "odd", datetime.datetime(2022, 3, 5, 10, 0, tzinfo=SITE_TZ),
                            ["1,000", "yEs"], ["yEs", ":tag", "2022-1-5"])
    odd.extra = {"note": "2022-1-5", "flag": "NuLl", "count": "1,000", "sym": ":x"}
    odd.save()
    written_in_finews("长 slug", "央行" * 40, datetime.datetime(1988, 7, 1, 0, 30, tzinfo=SITE_TZ), ["emnews"],
                      ["东财滚动新闻"])  # Beijing kept summer time (+09:00) that year; the file name would be 254 bytes
    plain = factories.post("纯文本", categories=("macro2", "emnews"), slug="plain",
                           source_path="macro2/_posts/2022-02-23-plain.txt", body="*不是强调*",
                           when=datetime.datetime(2022, 2, 23, 9, 0, tzinfo=SITE_TZ))
    plain.set_categories([factories.category("emnews")])  # renamed into _posts/, still a .txt
    for second, folder in enumerate(("a", "b")):  # moved out of their folders' categories: both want
        # _posts/<name>. (Not in the same second: Jekyll breaks ties by path, and these paths change.)
        moved = factories.post(f"{folder} 文件夹", categories=(folder, "emnews"), slug="same",
                               source_path=f"{folder}/_posts/2022-03-04-same.md",
                               when=datetime.datetime(2022, 3, 4, 9, 0, second, tzinfo=SITE_TZ))
        moved.set_categories([factories.category("emnews")])
    return Post.objects.count()


def between_tags(markup):
    return re.sub(r">\s+<", "><", markup).strip()


def tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(Path(root).rglob("*")) if p.is_file()}


def test_export_imports_back_as_the_same_posts(edited_site, tmp_path, monkeypatch):
    monkeypatch.setattr("news.exporting.site.CHUNK", 5)  # many chunks: the moved pair falls in two
    before = snapshot()
    out = run("export_jekyll", str(tmp_path / "site"))
    assert f"导出 {edited_site} 篇文章（写入 {edited_site}，内容相同未重写 0）" in out
    first = tree(tmp_path / "site")
    assert "_posts/2021-12-08-202112082207166310.md" not in first  # deleted: absent
    assert "category/shzqb.html" in first and "category/shanghaizhengquanbao.html" not in first
    seed = first[SEED].decode()
    assert 'title: "改过的标题 &lt;b&gt;不是标签&lt;/b&gt; &amp; 符号"\n' in seed
    assert "date: 2022-02-17 17:38:20 +0800\n" in seed
    assert "published: false" in first["_posts/2021-12-08-202112082206672930.md"].decode()
    written = [path for path in first if "央行降准" in path]
    assert len(written) == 2 and all(path.startswith("_posts/2022-03-01-央行降准") for path in written)
    assert len([path for path in first if path.startswith("_posts/2022-03-04-same")]) == 2
    assert all(len(part.encode()) <= 240 for path in first for part in path.split("/"))
    long_name = next(path for path in first if path.startswith("_posts/1988-07-01-央行"))
    assert f'slug: "{"央行" * 40}"' in first[long_name].decode()

    empty_the_site()
    assert Post.objects.count() == 0
    out = run("import_posts", str(tmp_path / "site"))
    assert f"新建 {edited_site}，更新 0，未变 0，失败 0" in out
    after, rewritten = snapshot(), []
    assert after[1] == before[1]
    assert sorted(after[0]) == sorted(before[0])
    for url, fields in before[0].items():
        if fields["source_path"] is None:  # written in finews (or MOVED): it has a Jekyll file name now
            fields["source_path"] = after[0][url]["source_path"]
            assert re.fullmatch(r"_posts/\d{4}-\d\d-\d\d-[^/]+\.(md|txt)", fields["source_path"])
        kind = source_kind(fields["source_path"])
        if exportable_body(fields["body_markdown"], kind, url) != fields["body_markdown"]:
            # Raw HTML in a body goes out as finews shows it (sanitised): the same page, new source.
            rewritten.append(url)
            assert between_tags(after[0][url].pop("body_html")) == between_tags(fields.pop("body_html"))
            assert "<div>" in after[0][url].pop("body_markdown")
            assert re.search(r"<(p|a|img)\b", fields.pop("body_markdown"))  # only bodies with raw HTML
        assert after[0][url] == fields, url
    assert len(rewritten) == 8  # 4 of the sample (quote links), 4 factory posts ("<p>正文</p>")
    assert Post.objects.get(source_path=SEED).title == EDITED_TITLE
    assert Post.objects.get(slug="later").is_scheduled

    # Exported again, the re-imported site gives the same files, byte for byte.
    run("export_jekyll", str(tmp_path / "again"))
    assert tree(tmp_path / "again") == first


def test_export_resumes_and_writes_only_what_changed(edited_site, tmp_path):
    run("export_jekyll", str(tmp_path / "site"))
    assert f"写入 0，内容相同未重写 {edited_site}" in run("export_jekyll", str(tmp_path / "site"))
    post = Post.objects.get(source_path=SEED)
    post.title = "再改一次"
    post.save()
    assert f"写入 1，内容相同未重写 {edited_site - 1}" in run("export_jekyll", str(tmp_path / "site"))
    assert 'title: "再改一次"\n' in (tmp_path / "site" / SEED).read_text()


def test_a_whole_site_export_again_removes_what_is_gone_and_a_selection_removes_nothing(edited_site, tmp_path):
    site = tmp_path / "site"
    run("export_jekyll", str(site))
    Post.objects.get(source_path=SEED).delete()
    moved = Post.objects.get(slug="later")  # written in finews: its file is named by its date
    moved.published_at = datetime.datetime(2031, 2, 1, 8, 0, tzinfo=SITE_TZ)
    moved.save()
    (site / "notes.txt").write_text("mine")  # the operator's own files outside _posts/ stay
    run("export_jekyll", str(site), "--since", "2030-01-01")
    assert (site / SEED).exists() and (site / "_posts/2031-01-01-later.md").exists()
    assert "删除上次导出留下的 2 个文件" in run("export_jekyll", str(site))
    assert not (site / SEED).exists() and not (site / "_posts/2031-01-01-later.md").exists()
    assert (site / "_posts/2031-02-01-later.md").exists() and (site / "notes.txt").read_text() == "mine"
    empty_the_site()
    assert f"新建 {edited_site - 1}，更新 0，未变 0，失败 0" in run("import_posts", str(site))


def test_links_in_the_export_folder_are_not_followed(db, tmp_path):
    factories.post("一篇")
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "_posts").symlink_to(outside)
    with pytest.raises(CommandError, match="符号链接"):
        call_command("export_jekyll", str(tmp_path / "site"))
    assert list(outside.iterdir()) == []


def test_a_renamed_post_takes_a_name_no_other_post_has(db, tmp_path):
    when = datetime.datetime(2022, 3, 3, 9, 0, tzinfo=SITE_TZ)
    mine = written_in_finews("编辑写的", "dup", when, ["emnews"])
    factories.post("导入的", slug="dup", source_path="_posts/2022-03-03-dup.md", when=when)
    factories.post("也是导入的", slug=f"dup-{mine.pk}", source_path=f"_posts/2022-03-03-dup-{mine.pk}.md", when=when)
    assert "写入 3" in run("export_jekyll", str(tmp_path / "site"))
    titles = sorted(re.search(r'title: "(.*)"', p.read_text()).group(1) for p in (tmp_path / "site/_posts").iterdir())
    assert titles == ["也是导入的", "导入的", "编辑写的"]


def test_since_category_and_zip(edited_site, tmp_path):
    run("export_jekyll", "--zip", str(tmp_path / "site.zip"), "--since", "2022-02-17", "--category", "emnews")
    with zipfile.ZipFile(tmp_path / "site.zip") as archive:
        names = archive.namelist()
    posts = sorted(name for name in names if "/_posts/" in f"/{name}")
    expected = Post.objects.in_category(Category.objects.get(key="emnews")).filter(
        published_at__gte=datetime.datetime(2022, 2, 17, tzinfo=SITE_TZ))
    assert len(posts) == expected.count() >= 5
    assert "category/emnews.html" in names and "_config.yml" in names
    empty_the_site()
    assert "失败 0" in run("import_posts", str(tmp_path / "site.zip"))
    assert Post.objects.count() == len(posts)


def test_command_errors_are_chinese(db, tmp_path):
    with pytest.raises(CommandError, match="二者选一"):
        call_command("export_jekyll")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("export_jekyll", str(tmp_path), "--since", "2022-13-01")
    with pytest.raises(CommandError, match="没有键为“nope”的分类"):
        call_command("export_jekyll", str(tmp_path), "--category", "nope")
    (tmp_path / "file").write_text("x")
    with pytest.raises(CommandError, match="无法写入"):
        call_command("export_jekyll", str(tmp_path / "file" / "sub"))


# --- real Jekyll -------------------------------------------------------------------------------

def text_of(fragment):
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def jekyll_links(fragment):
    """``[(href, title)]`` of ``<li><a>`` links: Jekyll's pages, and finews's old home (same markup)."""
    return [(html.unescape(href), text_of(title))
            for href, title in re.findall(r'<li><a href="([^"]+)"[^>]*>(.*?)</a></li>', fragment)]


def finews_links(page):
    return [(html.unescape(item["url"]), html.unescape(item["title"])) for item in wall_items(page)]


def sections(page, links):
    return [(html.unescape(tag), links(body)) for tag, body in
            re.findall(r'<h2 id="([^"]+)">.*?</h2>\s*(<ul.*?</ul>)', page, re.S)]


def finews_category(client, category):
    url, seen = category.get_absolute_url(), []
    while url:
        page = client.get(url).content.decode()
        seen += finews_links(page)
        following = re.search(r'<a rel="next" href="([^"]+)"', page)
        url = category.get_absolute_url() + html.unescape(following.group(1)) if following else None
    return seen


@pytest.mark.skipif(not shutil.which("jekyll"), reason="Jekyll 没有安装（CI 会装 Debian 的 jekyll）")
def test_real_jekyll_builds_the_same_site(edited_site, tmp_path, client):
    run("export_jekyll", str(tmp_path / "site"))
    built = tmp_path / "_site"
    result = subprocess.run(["jekyll", "build", "--quiet", "-s", str(tmp_path / "site"), "-d", str(built)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr

    visible = Post.objects.published()
    assert visible.count() == edited_site - 2  # the draft and the scheduled post are not built
    for post in Post.objects.all():
        page = built / unquote(post.url_path).lstrip("/")
        assert page.is_file() == post.is_visible, post.url_path
        if post.is_visible:
            assert text_of(re.search(r"<h1>(.*?)</h1>", page.read_text()).group(1)) == post.title
    seed = (built / "emnews/2022/02/17/202202172280203741.html").read_text()
    assert "改过的标题 &lt;b&gt;不是标签&lt;/b&gt; &amp; 符号" in seed  # the edit, shown as text

    home = sections((built / "index.html").read_text(), jekyll_links)
    assert home == sections(client.get("/?order=site").content.decode(), jekyll_links)
    assert len(home) >= 4
    emnews = jekyll_links((built / "emnews/index.html").read_text())
    page = client.get("/emnews/").content.decode()
    shown = finews_links(page)  # a story once (issue 27): the corpus sends some news twice
    copies = [link for link in emnews if link not in shown]
    assert shown[: len(emnews) - len(copies)] == [link for link in emnews if link not in copies] and len(emnews) == 20
    assert all(f'<a href="{html.escape(url)}">' in page for url, _ in copies)  # among the story's reports
    for category in Category.objects.all():
        page = (built / "category" / f"{category.key}.html").read_text()
        assert text_of(re.search(r"<h1>(.*?)</h1>", page).group(1)) == category.display_name
        assert jekyll_links(page) == finews_category(client, category), category.key


# --- the admin's action ------------------------------------------------------------------------

def test_admin_action_exports_the_selection_as_a_job_with_a_zip(admin_client, client, tmp_path, monkeypatch):
    from .test_admin_import import run_jobs

    monkeypatch.setattr("news.exporting.site.CHUNK", 1)  # ids read a chunk per query, never all in one

    chosen = [factories.post("第一篇"), factories.post("第二篇", status="draft")]
    factories.post("没选的")
    response = admin_client.post("/admin/news/post/", {"action": "export_jekyll",
                                                       "_selected_action": [p.pk for p in chosen]})
    page_url = response["Location"]
    queued = admin_client.get(page_url).content.decode()
    assert "排队中" in queued and 'http-equiv="refresh"' in queued
    run_jobs()
    done = admin_client.get(page_url).content.decode()
    assert "导出完成" in done and 'http-equiv="refresh"' not in done
    download = re.search(r'href="([^"]+/download/)"', done).group(1)
    response = admin_client.get(download)
    assert response["Content-Disposition"].startswith('attachment; filename="finews-jekyll-')
    data = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(data)
    (tmp_path / "export.zip").write_bytes(data)
    with zipfile.ZipFile(tmp_path / "export.zip") as archive:
        posts = {name: archive.read(name).decode() for name in archive.namelist() if name.startswith("_posts/")}
    assert sorted(posts) == sorted(p.source_path for p in chosen)
    assert "published: false" in posts[chosen[1].source_path] and 'title: "第一篇"' in posts[chosen[0].source_path]

    # A day later it is gone; someone else's export is not theirs to see; a reader is sent to log in.
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + datetime.timedelta(days=1, minutes=1)):
        assert admin_client.get(download, follow=True).redirect_chain[-1][0] == "/admin/news/post/"
    other = staff_user("other-editor")
    client.force_login(other)
    assert client.get(download, follow=True).redirect_chain[-1][0] == "/admin/news/post/"
    client.logout()
    assert client.get(download)["Location"].startswith("/admin/login/")


def staff_user(name):
    from django.contrib.auth.models import Permission, User

    user = User.objects.create_user(name, password="pw-" + name, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_post", "change_post"]))
    return user


def test_important_is_read_and_never_unmarked_by_a_file(site):
    site.post("2022-02-17-imp.md", title="要闻", categories="emnews", tags="东财滚动新闻", important="true")
    run("import_posts", str(site.root))
    post = Post.objects.get(slug="imp")
    assert post.important and "important" not in post.extra
    site.post("2022-02-17-imp.md", title="要闻（更新）", categories="emnews", tags="东财滚动新闻")
    assert "更新 1" in run("import_posts", str(site.root))
    post.refresh_from_db()
    assert post.title == "要闻（更新）" and post.important
