"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against a live server.

Screenshots go to artifacts/screenshots/ (the folder is printed); skipped where Chromium is absent.
"""
import io
import os
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connections

from news.models import Post

from . import factories

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed at /usr/bin/chromium"),
]


@pytest.fixture
def page(live_server, capsys):
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself are ordinary synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with capsys.disabled():
        print(f"\nscreenshots: {SHOTS}")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        yield context.new_page()
        context.close()
        browser.close()
        # ORM calls made while Playwright's loop runs get their own connections; close them
        # here, or PostgreSQL refuses to drop the test database at the end of the run.
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.mark.django_db(transaction=True)
def test_reader_pages_in_a_browser(page, live_server):
    factories.category("emnews", "东财滚动新闻")
    posts = [factories.post(f"央行公开市场操作{n}", tags=["东财滚动新闻"]) for n in range(8)]
    factories.post("上证报消息", categories=["shanghaizhengquanbao"], tags=["上海证券报新闻"])
    page.goto(live_server.url + "/")
    assert page.locator("h2#东财滚动新闻").is_visible()
    assert page.locator(".tag-section").count() == 2
    page.screenshot(path=str(SHOTS / "home.png"), full_page=True)

    page.click("text=上海证券报新闻 >> nth=0")  # the source index jumps to the section
    assert page.url.endswith("#%E4%B8%8A%E6%B5%B7%E8%AF%81%E5%88%B8%E6%8A%A5%E6%96%B0%E9%97%BB")

    page.goto(live_server.url + "/category/emnews.html")
    assert page.locator("h1").inner_text() == "东财滚动新闻"
    assert page.locator(".post-list li").count() == 8
    page.screenshot(path=str(SHOTS / "category.png"), full_page=True)

    page.click(f"text={posts[3].title}")
    assert page.locator("h1").inner_text() == posts[3].title
    assert "(GMT+8, Asia/Shanghai, CST)" in page.locator("small.post-date").inner_text()
    assert page.locator(".post-tags em").inner_text() == "东财滚动新闻"
    page.screenshot(path=str(SHOTS / "article.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + posts[0].url_path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the article page scrolls sideways on a phone"
    page.screenshot(path=str(SHOTS / "article-phone.png"), full_page=True)


def site_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("_posts/2022-02-17-browser.md", (
            "---\ntitle: 浏览器导入的文章\ndate: 2022-02-17 17:38:20 +0800\n"
            "categories: emnews\ntags: 东财滚动新闻\n---\n> 摘要\n\n<p>正文<script>alert(1)</script></p>\n"))
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
def test_editor_imports_a_zip_and_edits_a_post(page, live_server, tmp_path):
    User.objects.create_superuser("chief", password="pw-chief-2026")
    upload = tmp_path / "site.zip"
    upload.write_bytes(site_zip())

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "pw-chief-2026")
    page.click("input[type=submit]")
    page.goto(live_server.url + "/admin/news/post/")
    page.click("text=导入文章")
    page.set_input_files("input[type=file]", str(upload))
    page.click("input[value=上传并试运行]")
    assert "新建 1" in page.locator(".finews-counts").inner_text()
    page.screenshot(path=str(SHOTS / "import-dry-run.png"), full_page=True)
    page.click("input[value=确认导入]")
    assert "导入完成" in page.content()
    page.screenshot(path=str(SHOTS / "import-done.png"), full_page=True)

    page.click("text=编辑")
    page.fill("#id_title", "编辑改过的标题")
    page.click("input[name=_save]")
    assert "成功" in page.locator(".messagelist").inner_text()

    post = Post.objects.get()
    assert "<script" not in post.body_html
    page.goto(live_server.url + post.url_path)
    assert page.locator("h1").inner_text() == "编辑改过的标题"
    page.screenshot(path=str(SHOTS / "edited-article.png"), full_page=True)
