"""What a newcomer meets, as a browser shows it (issue 34): at 1366×900 and on a 390×844 phone no
time breaks across lines, the article's header says 来源 · 时间 · 重要, the admin's post list gives
the title the width on a phone, the edit form makes a tag from what is typed, and axe finds nothing
serious on the admin's list and form either."""
import pytest
from django.contrib.auth.models import User
from taggit.models import Tag

from news.models import Post

from . import factories
from .browser import SHOTS, browser_page, needs_chromium
from .test_accessibility import AXE

pytestmark = [pytest.mark.browser, needs_chromium]
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
# Inline elements that break across lines have more than one box.
WRAPPED_TIMES = """() => [...document.querySelectorAll('time')].filter(t => t.getClientRects().length > 1)
    .map(t => t.textContent)"""


@pytest.fixture
def expect():
    return pytest.importorskip("playwright.sync_api").expect


def newsroom():
    factories.category("emnews", "东财滚动新闻")
    posts = [factories.post(f"央行今日开展{n}00亿元7天期逆回购操作，中标利率持平于1.40%", tags=["东财滚动新闻", "央行"])
             for n in range(1, 8)]
    factories.post("美元指数走高至105.6，非美货币多数走弱", categories=["shzqb"], tags=["上海证券报新闻", "美元"])
    marked = posts[-1]
    Post.objects.filter(pk=marked.pk).set_important(True)
    marked.refresh_from_db()
    return marked


def log_in(page, base):
    if not User.objects.filter(username="chief").exists():
        User.objects.create_superuser("chief", password="pw-chief-2026")
    page.goto(base + "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "pw-chief-2026")
    page.click("input[type=submit]")
    page.wait_for_url(base + "/admin/")


@pytest.mark.django_db(transaction=True)
def test_times_never_wrap_and_the_article_header_reads_like_news(live_server, capsys, expect):
    marked = newsroom()
    pages = ["/", "/?order=site", "/emnews/", "/category/emnews.html", "/tag/央行/", "/search/?q=央行",
             marked.local_day.strftime("/%Y/%m/%d/"), "/category/", "/tag/", marked.url_path]
    for name, size in VIEWPORTS.items():
        with browser_page(capsys, viewport=size) as (page, blocked):
            for path in pages:
                page.goto(live_server.url + path)
                assert page.evaluate(WRAPPED_TIMES) == [], (name, path)
            header = page.locator(".post-header")  # the article, last
            expect(header.locator("h1")).to_have_text(marked.title)
            expect(header.locator(".important-mark")).to_have_text("重要")
            expect(header.locator(".post-sources a")).to_have_text("东财滚动新闻")
            expect(header.locator("time")).to_contain_text("北京时间")
            expect(page.locator(".post-tags")).to_contain_text("标签：")
            page.screenshot(path=str(SHOTS / f"article-header-{name}.png"))
            assert not blocked, blocked


@pytest.mark.django_db(transaction=True)
def test_the_admin_post_list_fits_a_phone_and_the_form_makes_tags(live_server, capsys, expect):
    marked = newsroom()
    with browser_page(capsys, viewport=VIEWPORTS["phone"]) as (page, blocked):
        log_in(page, live_server.url)
        page.goto(live_server.url + "/admin/news/post/")
        page.screenshot(path=str(SHOTS / "admin-list-phone.png"), full_page=True)
        table = page.locator("#result_list").bounding_box()["width"]
        title = page.locator("#result_list thead th.column-title_or_slug").bounding_box()["width"]
        assert title >= 0.6 * table, (title, table)
        expect(page.locator("#result_list thead th.column-tag_list")).to_be_hidden()
        page.screenshot(path=str(SHOTS / "admin-list-phone.png"), full_page=True)

        page.goto(f"{live_server.url}/admin/news/post/{marked.pk}/change/")
        page.fill("#id_new_tags", "降准, 货币政策")
        page.click("input[name=_save]")
        expect(page.locator(".messagelist")).to_contain_text("成功")
        assert {"降准", "货币政策"} <= set(Post.objects.get(pk=marked.pk).tags.names())
        assert Tag.objects.filter(name="降准").exists()
        assert not blocked, blocked


@pytest.mark.skipif(not AXE.exists(), reason=f"axe-core not installed at {AXE} (make test installs it with npm)")
@pytest.mark.django_db(transaction=True)
def test_the_admins_list_and_form_have_no_serious_accessibility_violations(live_server, capsys):
    marked = newsroom()
    found = {}
    with browser_page(capsys, bypass_csp=True) as (page, _):
        log_in(page, live_server.url)
        for name, path in {"change list": "/admin/news/post/", "change form": f"/admin/news/post/{marked.pk}/change/",
                           "add form": "/admin/news/post/add/", "import": "/admin/news/post/import/"}.items():
            page.goto(live_server.url + path)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5]) for v in result["violations"]
                       if v["impact"] in ("serious", "critical")]
            if serious:
                found[name] = serious
                page.screenshot(path=str(SHOTS / f"axe-admin-{name}.png"), full_page=True)
    (SHOTS / "axe-admin.json").write_text(repr(found))
    assert not found, found
