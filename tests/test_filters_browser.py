"""A reader's own filters and notifications (static/js/filters.js) in headless Chromium: muted words
take items off the live wall, with the count and one click to see them; keep words narrow it;
notifications for new 重要 items are asked for only after the reader's click."""
import datetime

import pytest
from django.db import transaction

from news.models import Post

from . import factories
from .browser import SHOTS, needs_chromium
from .test_browser import expect, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

# The page's Notification, standing in for the browser's: it records when permission is asked for
# and what is shown, and grants what is asked.
FAKE_NOTIFICATION = """
window.finewsAsked = 0; window.finewsShown = [];
window.Notification = class {
  constructor(title, options) { window.finewsShown.push(title); }
  static get permission() { return window.finewsGranted ? "granted" : "default"; }
  static requestPermission() { window.finewsAsked += 1; window.finewsGranted = true; return Promise.resolve("granted"); }
};
"""


@pytest.fixture
def wall(live_server, settings):
    settings.FINEWS_LIVE_SECONDS = 1
    factories.category("emnews", "东财滚动新闻")
    first = factories.post("央行开展逆回购操作")
    factories.post("某平台直播带货广告", when=first.published_at + datetime.timedelta(minutes=1))
    factories.post("沪指午后走强", when=first.published_at + datetime.timedelta(minutes=2))
    return first


def later(first, minutes, title, important=False):
    with transaction.atomic():  # an important post arrives important
        post = factories.post(title, when=first.published_at + datetime.timedelta(minutes=minutes))
        if important:
            Post.objects.filter(pk=post.pk).set_important(True)
    return post


def test_muted_words_leave_the_live_wall_with_a_count_and_a_way_back(page, live_server, expect, wall):  # noqa: F811
    page.goto(live_server.url + "/category/emnews.html")
    items = page.locator(".wall > li")
    expect(items).to_have_count(3)
    expect(page.locator("#filter-count")).to_be_hidden()
    page.click(".word-filter summary")
    page.fill("#filter-mute", "广告 直播")
    page.click("text=应用过滤")
    expect(page.locator(".wall > li:visible")).to_have_count(2)
    expect(page.locator("#filter-count")).to_have_text("已隐藏 1 条 显示已隐藏的")
    later(wall, 10, "又一条广告")  # arrives by the live wall, and is filtered as it comes
    expect(page.locator(".wall > li").first).to_contain_text("又一条广告", timeout=10_000)
    expect(page.locator(".wall > li").first).to_be_hidden()
    expect(page.locator("#filter-count")).to_have_text("已隐藏 2 条 显示已隐藏的")
    page.click("#filter-reveal")  # one click shows them, marked
    expect(page.locator(".wall > li:visible")).to_have_count(4)
    expect(page.locator(".wall > li.filtered")).to_have_count(2)
    expect(page.locator(".wall > li.filtered .filtered-mark").first).to_have_text("已过滤")
    expect(page.locator("#filter-reveal")).to_have_attribute("aria-pressed", "true")
    page.screenshot(path=str(SHOTS / "filters-revealed.png"), full_page=True)
    page.click("#filter-reveal")
    expect(page.locator(".wall > li:visible")).to_have_count(2)
    page.reload()  # kept in the browser
    expect(page.locator("#filter-mute")).to_have_value("广告 直播")
    expect(page.locator(".wall > li:visible")).to_have_count(2)


def test_keep_words_narrow_the_wall_to_them(page, live_server, expect, wall):  # noqa: F811
    page.goto(live_server.url + "/")
    page.click(".word-filter summary")
    page.fill("#filter-keep", "央行，降准")
    page.click("text=应用过滤")
    latest = page.locator(".latest .wall > li:visible")
    expect(latest).to_have_count(1)
    expect(latest.first).to_contain_text("央行开展逆回购操作")
    later(wall, 10, "央行宣布降准")
    expect(latest).to_have_count(2, timeout=10_000)
    later(wall, 11, "白酒板块拉升")
    expect(page.locator(".latest .wall > li").first).to_contain_text("白酒板块拉升", timeout=10_000)
    expect(latest).to_have_count(2)
    page.screenshot(path=str(SHOTS / "filters-keep.png"), full_page=True)


def test_notifications_are_asked_for_only_after_a_click(page, live_server, expect, wall):  # noqa: F811
    page.add_init_script(FAKE_NOTIFICATION)
    page.goto(live_server.url + "/category/emnews.html")
    later(wall, 10, "普通消息")
    expect(page.locator(".wall > li").first).to_contain_text("普通消息", timeout=10_000)
    assert page.evaluate("window.finewsAsked") == 0  # a page open, news arriving: nobody asked
    page.click(".word-filter summary")
    toggle = page.locator("#notify-toggle")
    expect(toggle).to_have_text("重要消息通知")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.finewsAsked") == 1
    later(wall, 11, "美联储宣布加息", important=True)
    later(wall, 12, "又一条普通消息")
    expect(page.locator(".wall > li", has_text="又一条普通消息")).to_have_count(1, timeout=10_000)
    expect(page.locator(".wall > li.imp", has_text="美联储宣布加息")).to_have_count(1)
    page.wait_for_function("window.finewsShown.length > 0")
    assert page.evaluate("window.finewsShown") == ["重要：美联储宣布加息"]
    toggle.click()  # off again: nothing more is shown
    expect(toggle).to_have_attribute("aria-pressed", "false")
    later(wall, 13, "央行宣布降准", important=True)
    expect(page.locator(".wall > li").first).to_contain_text("央行宣布降准", timeout=10_000)
    assert page.evaluate("window.finewsShown") == ["重要：美联储宣布加息"]
