"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against a live server.

Screenshots go to artifacts/screenshots/ (the folder is printed); skipped where Chromium is absent.
"""
import datetime
import io
import re
import zipfile

import pytest
from django.contrib.auth.models import User

from news.ingest.importer import Importer
from news.models import Post

from . import factories
from .browser import SHOTS, browser_page, needs_chromium
from .conftest import SEED_POST
from .test_admin_import import run_jobs
from .test_editing import stored

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def expect():
    return pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def page(live_server, capsys):
    with browser_page(capsys) as (new_page, blocked):
        yield new_page
    assert not blocked, f"the Content-Security-Policy blocked something finews needs: {blocked}"


def log_in(page, live_server):
    User.objects.create_superuser("chief", password="pw-chief-2026")
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "pw-chief-2026")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")


@pytest.mark.django_db(transaction=True)
def test_reader_pages_in_a_browser(page, live_server, expect):
    factories.category("emnews", "东财滚动新闻")
    posts = [factories.post(f"央行公开市场操作{n}", tags=["东财滚动新闻"]) for n in range(8)]
    factories.post("上证报消息", categories=["shanghaizhengquanbao"], tags=["上海证券报新闻"])
    page.goto(live_server.url + "/")
    expect(page.locator(".wall > li")).to_have_count(9)
    expect(page.locator(".wall > li").first).to_contain_text("上证报消息")
    expect(page.locator("h2#东财滚动新闻")).to_be_visible()
    expect(page.locator(".tag-section")).to_have_count(2)
    page.screenshot(path=str(SHOTS / "home.png"), full_page=True)

    page.click("text=原站顺序")  # the old site's home
    expect(page).to_have_url(live_server.url + "/?order=site")
    page.click(".source-index summary")  # the full list of sources, in pinyin order
    expect(page.locator("#source-list a")).to_have_text(["东财滚动新闻", "上海证券报新闻"])
    page.click("#source-list >> text=上海证券报新闻")  # jumps to the section
    expect(page).to_have_url(live_server.url + "/?order=site#%E4%B8%8A%E6%B5%B7%E8%AF%81%E5%88%B8%E6%8A%A5%E6%96%B0%E9%97%BB")

    page.goto(live_server.url + "/category/emnews.html")
    expect(page.locator("h1")).to_have_text("东财滚动新闻")
    expect(page.locator(".wall > li")).to_have_count(8)
    page.screenshot(path=str(SHOTS / "category.png"), full_page=True)

    page.click(f"text={posts[3].title}")
    expect(page.locator("h1")).to_have_text(posts[3].title)
    expect(page.locator(".post-meta time")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d 北京时间$"))
    expect(page.locator(".post-meta .post-sources a")).to_have_text("东财滚动新闻")
    expect(page.locator(".post-tags a")).to_have_text("东财滚动新闻")
    page.screenshot(path=str(SHOTS / "article.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + posts[0].url_path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the article page scrolls sideways on a phone"
    page.screenshot(path=str(SHOTS / "article-phone.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_old_home_shows_its_first_headline_and_a_source_is_found_by_pinyin(live_server, capsys, expect):
    factories.post("东财的头条", tags=["东财滚动新闻"])
    factories.post("上证报的消息", tags=["上海证券报新闻"])
    for number in range(150):
        factories.post(f"第{number}条", tags=[f"测试来源{number}号"])
    with browser_page(capsys, viewport={"width": 375, "height": 667}) as (page, blocked):
        page.goto(live_server.url + "/?order=site")
        headline = page.locator(".tag-section li a").first
        expect(headline).to_have_text("东财的头条")
        box = headline.bounding_box()
        assert box["y"] + box["height"] <= 667, f"the first headline starts at {box['y']} px, below the first screen"
        expect(page.locator("#source-list")).not_to_be_visible()  # 152 sources folded away
        page.screenshot(path=str(SHOTS / "home-phone.png"))

        page.fill("#source-q", "shzq")  # pinyin initials of 上海证券报
        expect(page.locator("#source-list a:visible")).to_have_text(["上海证券报新闻"])
        expect(page.locator("#source-count")).to_have_text("找到 1 个来源，按回车打开第一个")
        page.fill("#source-q", "DongCai")  # full pinyin, any case
        expect(page.locator("#source-list a:visible")).to_have_text(["东财滚动新闻"])
        page.fill("#source-q", "证券报")  # part of the name
        expect(page.locator("#source-list a:visible")).to_have_text(["上海证券报新闻"])
        page.press("#source-q", "Enter")
        expect(page).to_have_url(live_server.url + "/?order=site#%E4%B8%8A%E6%B5%B7%E8%AF%81%E5%88%B8%E6%8A%A5%E6%96%B0%E9%97%BB")
        expect(page.locator("h2#上海证券报新闻")).to_be_in_viewport()
        page.fill("#source-q", "没有这个")
        expect(page.locator("#source-count")).to_have_text("没有找到这个来源")
        page.fill("#source-q", "")
        expect(page.locator("#source-list")).not_to_be_visible()  # folded again
    assert not blocked, blocked


@pytest.mark.django_db(transaction=True)
def test_the_source_directory_filters_by_pinyin(page, live_server, expect):
    factories.category("shzqb", "上海证券报")
    factories.category("dc", "东财滚动新闻")
    factories.post("上证报消息", categories=["shzqb"])
    factories.post("东财消息", categories=["dc"])
    page.goto(live_server.url + "/category/")
    expect(page.locator("h2")).to_have_text(["D", "S"])
    page.fill("#source-q", "shzq")
    expect(page.locator("#source-list a:visible")).to_have_text(["上海证券报"])
    expect(page.locator("h2:visible")).to_have_text(["S"])  # the D group has nothing left
    page.press("#source-q", "Enter")
    expect(page).to_have_url(live_server.url + "/category/shzqb.html")


def site_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("_posts/2022-02-17-browser.md", (
            "---\ntitle: 浏览器导入的文章\ndate: 2022-02-17 17:38:20 +0800\n"
            "categories: emnews\ntags: 东财滚动新闻\n---\n> 摘要\n\n<p>正文<script>alert(1)</script></p>\n"))
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
def test_editor_imports_a_zip_and_edits_a_post(page, live_server, tmp_path, expect):
    upload = tmp_path / "site.zip"
    upload.write_bytes(site_zip())
    log_in(page, live_server)
    page.goto(live_server.url + "/admin/news/post/")
    page.click("text=导入文章")
    page.set_input_files("input[type=file]", str(upload))
    page.click("input[value=上传并试运行]")
    expect(page.locator("h2")).to_have_text("试运行中")  # the request only queued the job
    run_jobs()  # the worker; the page refreshes itself
    expect(page.locator(".finews-counts")).to_contain_text("新建 1", timeout=10_000)
    page.screenshot(path=str(SHOTS / "import-dry-run.png"), full_page=True)
    page.click("input[value=确认导入]")
    expect(page.locator("h2")).to_have_text("导入中")
    run_jobs()
    expect(page.locator("h2")).to_have_text("导入完成", timeout=10_000)
    page.screenshot(path=str(SHOTS / "import-done.png"), full_page=True)

    page.get_by_role("link", name="编辑", exact=True).click()
    page.fill("#id_title", "编辑改过的标题")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("成功")

    post = Post.objects.get()
    assert "<script" not in post.body_html
    page.goto(live_server.url + post.url_path)
    expect(page.locator("h1")).to_have_text("编辑改过的标题")
    page.screenshot(path=str(SHOTS / "edited-article.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_upload_whose_worker_died_is_retried_from_its_page(page, live_server, tmp_path, expect):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from news.models.staging import StagedUpload

    upload = tmp_path / "site.zip"
    upload.write_bytes(site_zip())
    log_in(page, live_server)
    page.goto(live_server.url + "/admin/news/post/import/")
    page.set_input_files("input[type=file]", str(upload))
    page.click("input[value=上传并试运行]")
    run_jobs()
    page.click("input[value=确认导入]")
    expect(page.locator("h2")).to_have_text("导入中")
    # the import's worker claimed it and died (SIGKILL: nothing recorded)
    DBTaskResult.objects.filter(pk=StagedUpload.objects.get().job).update(
        status=TaskResultStatus.RUNNING, worker_ids=["killed-worker"])
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text("后台进程已经停止")
    expect(page.get_by_role("status")).to_contain_text("等待另一个后台进程接手")
    page.screenshot(path=str(SHOTS / "import-worker-died.png"), full_page=True)
    page.get_by_role("button", name="重试").click()
    expect(page.locator(".messagelist")).to_contain_text("已重新排队")
    run_jobs()
    expect(page.locator("h2")).to_have_text("导入完成", timeout=10_000)
    assert Post.objects.filter(title="浏览器导入的文章").exists()


@pytest.mark.django_db(transaction=True)
def test_saving_the_seed_post_untouched_changes_nothing(page, live_server, tmp_path, expect):
    if not SEED_POST.exists():
        pytest.skip(f"seed post not found at {SEED_POST}")
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    (posts / "2022-02-17-202202172280203741.md").write_bytes(SEED_POST.read_bytes())
    Importer().import_paths([tmp_path / "site"])
    post = Post.objects.get()
    before = stored(post)
    log_in(page, live_server)

    page.goto(f"{live_server.url}/admin/news/post/{post.pk}/change/")
    expect(page.locator("#id_published_at_1")).to_have_value("17:38:20")
    page.screenshot(path=str(SHOTS / "seed-change-form.png"), full_page=True)
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("成功")
    assert stored(post) == before
    page.goto(live_server.url + post.url_path)
    expect(page.locator(".post-meta time")).to_have_attribute("datetime", re.compile(r"T17:38:20\+08:00$"))

    page.goto(f"{live_server.url}/admin/news/post/{post.pk}/change/")
    page.fill("#id_title", "只改了标题")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("成功")
    after = stored(post)
    assert {key for key in before if before[key] != after[key]} == {"title", "updated_at"}
    assert after["title"] == "只改了标题"


@pytest.mark.django_db(transaction=True)
def test_preview_before_saving(page, live_server, expect):
    post = factories.post("预览前")
    log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/news/post/{post.pk}/change/")
    page.fill("#id_body_markdown", "# 新的大标题\n\n~~删掉~~ <script>alert(1)</script>")
    with page.context.expect_page() as opened:
        page.click("text=预览（在新标签页打开，不保存）")
    preview = opened.value
    expect(preview.locator(".finews-preview h1")).to_have_text("新的大标题")
    expect(preview.locator(".finews-preview s")).to_have_text("删掉")
    expect(preview.locator(".finews-preview script")).to_have_count(0)
    preview.screenshot(path=str(SHOTS / "preview.png"), full_page=True)
    post.refresh_from_db()
    assert "新的大标题" not in post.body_markdown


@pytest.mark.django_db(transaction=True)
def test_a_listing_left_open_receives_news_without_a_reload(page, live_server, expect, settings):
    settings.FINEWS_LIVE_SECONDS = 1
    factories.category("emnews", "东财滚动新闻")
    old = factories.post("早先的消息")
    page.goto(live_server.url + "/category/emnews.html")
    page.evaluate("window.notReloaded = true")
    page.fill("#id_date", "2022-02-17")  # typed, not submitted

    fresh = factories.post("刚刚到的消息", when=old.published_at + datetime.timedelta(hours=1))
    expect(page.locator(".wall > li").first).to_contain_text("刚刚到的消息", timeout=10_000)
    expect(page.locator(".wall > li.live-new")).to_have_count(1)
    expect(page.locator("#live-status")).to_have_text("1 条新消息")
    expect(page.locator("#id_date")).to_have_value("2022-02-17")
    assert page.evaluate("window.notReloaded") is True
    page.screenshot(path=str(SHOTS / "live-wall.png"), full_page=True)

    Post.objects.filter(pk=fresh.pk).set_status(Post.Status.DRAFT)
    expect(page.locator(".wall")).not_to_contain_text("刚刚到的消息", timeout=10_000)

    page.click("#live-toggle")
    expect(page.locator("#live-toggle")).to_have_attribute("aria-pressed", "true")
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/live/" in request.url else None)
    factories.post("暂停时来的", when=old.published_at + datetime.timedelta(hours=2))
    # A second reader's wall, not paused, polls three times meanwhile: the paused one must not.
    other = page.context.new_page()
    other.goto(live_server.url + "/category/emnews.html")
    for _ in range(3):
        other.wait_for_event("request", lambda request: "/live/" in request.url, timeout=10_000)
    expect(other.locator(".wall > li").first).to_contain_text("暂停时来的", timeout=10_000)
    assert asked == [], "a paused wall asked for news"
    expect(page.locator(".wall")).not_to_contain_text("暂停时来的")
    page.click("#live-toggle")
    expect(page.locator(".wall > li").first).to_contain_text("暂停时来的", timeout=10_000)

    big = factories.post("央行宣布降准", when=old.published_at + datetime.timedelta(hours=3))
    Post.objects.filter(pk=big.pk).set_important(True)
    expect(page.locator("#live-status")).to_have_text("1 条新消息，重要：央行宣布降准", timeout=10_000)
    expect(page.locator(".wall > li.imp .mark")).to_have_text("重要")

    # A late post (dated before the newest one the page holds) takes its place by date, and a post
    # whose date an editor moves to the top moves there.
    late = factories.post("迟到的消息", when=old.published_at + datetime.timedelta(hours=2, minutes=30))
    expect(page.locator(".wall > li").nth(1)).to_contain_text("迟到的消息", timeout=10_000)
    late.published_at = old.published_at + datetime.timedelta(hours=4)
    late.save()
    expect(page.locator(".wall > li").first).to_contain_text("迟到的消息", timeout=10_000)
    expect(page.locator(".wall > li", has_text="迟到的消息")).to_have_count(1)


@pytest.mark.django_db(transaction=True)
def test_a_reader_follows_sources_kept_in_the_browser(page, live_server, expect, settings):
    settings.FINEWS_HOME_SECTIONS_PER_PAGE = 2
    for number in range(5):
        factories.category(f"s{number}", f"源站{number}")  # the source's name need not be its tag's
        factories.post(f"来源{number}的消息", categories=[f"s{number}"], tags=[f"来源{number}"],
                       when=datetime.datetime(2022, 2, 17, 9, number, tzinfo=datetime.UTC))
    page.goto(live_server.url + "/?page=3")  # the quietest source is on the last page
    follow = page.get_by_role("button", name="关注 来源0").first
    follow.click()
    expect(follow).to_have_attribute("aria-pressed", "true")
    expect(follow).to_have_accessible_name("已关注 来源0")

    page.goto(live_server.url + "/")
    block = page.locator("[data-follow-slot]")
    expect(block).to_be_visible()
    expect(block.locator("h2").first).to_contain_text("来源0")  # shown first, above the other sources
    page.click("text=只看关注")
    expect(page.locator(".sources > .tag-section:visible")).to_have_count(0)
    expect(page.locator(".wall > li:visible")).to_have_count(1)
    expect(page.locator(".wall > li:visible")).to_contain_text("来源0的消息")
    page.screenshot(path=str(SHOTS / "follow.png"), full_page=True)

    page.reload()  # kept in the browser
    expect(page.locator(".wall > li:visible")).to_have_count(1)
    page.click("text=只看关注")
    expect(page.locator(".wall > li:visible")).to_have_count(5)
    page.locator("[data-follow-slot] button[data-follow]").click()  # unfollow from the block
    expect(block).to_be_hidden()


def test_a_reader_follows_a_stock_and_narrows_the_wall_to_it(page, live_server, expect):
    factories.post("茅台的消息", body="贵州茅台（600519）公告。", categories=["s1"], tags=["来源1"])
    factories.post("别的消息", body="五粮液（000858）公告。", categories=["s2"], tags=["来源2"])
    page.goto(live_server.url + "/stock/600519/")
    follow = page.get_by_role("button", name="关注 贵州茅台（600519）")
    follow.click()
    expect(follow).to_have_attribute("aria-pressed", "true")

    page.goto(live_server.url + "/")
    block = page.locator("[data-follow-slot]")
    expect(block.get_by_role("link", name="贵州茅台（600519）")).to_have_attribute("href", "/stock/600519/")
    page.click("text=只看关注")
    expect(page.locator(".wall > li:visible")).to_have_count(1)
    expect(page.locator(".wall > li:visible")).to_contain_text("茅台的消息")
    page.reload()  # kept in the browser
    expect(page.locator(".wall > li:visible")).to_have_count(1)
    block.get_by_role("button", name="已关注 贵州茅台（600519）").click()  # unfollow from the block
    expect(block).to_be_hidden()
    expect(page.locator(".wall > li:visible")).to_have_count(2)


@pytest.mark.django_db(transaction=True)
def test_an_editor_compares_revisions_and_restores_one(page, live_server, expect):
    post = factories.post("原来的标题", body="正文第一段")
    log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/news/post/{post.pk}/change/")
    page.fill("#id_title", "改坏了的标题")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("成功")
    page.click("text=历史")
    diff = page.locator(".finews-diff table.diff")
    expect(diff).to_contain_text("原来的标题")
    expect(diff).to_contain_text("改坏了的标题")
    page.screenshot(path=str(SHOTS / "revisions.png"), full_page=True)
    page.locator("tr", has_text="原来的标题").get_by_role("button", name="恢复到这一版").first.click()
    expect(page.locator(".messagelist")).to_contain_text("已恢复到修订")
    reader = page.context.new_page()
    reader.goto(live_server.url + post.url_path)
    expect(reader.locator("h1")).to_have_text("原来的标题", timeout=1000)
