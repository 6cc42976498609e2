"""axe-core in headless Chromium on the reader pages: no serious or critical violation.

axe-core comes from the npm registry (``tests/axe/package.json``; ``make test`` installs it);
the check skips, saying why, where it or Chromium is missing.
"""
from pathlib import Path

import pytest

from news.models import Channel, Post, Rule

from . import factories
from .browser import SHOTS, browser_page, needs_chromium

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.skipif(not AXE.exists(), reason=f"axe-core not installed at {AXE} (make test installs it with npm)"),
]


@pytest.mark.django_db(transaction=True)
def test_reader_pages_have_no_serious_accessibility_violations(live_server, capsys):
    factories.category("emnews", "东财滚动新闻")
    channel, _ = Channel.objects.get_or_create(slug="central-banks", defaults={"name": "央行"})
    Rule.objects.get_or_create(name="央行测试", defaults={"words": "央行", "channel": channel, "scope": "title"})
    posts = [factories.post(f"央行公开市场操作{n}", body=f"> 摘要{n}\n\n<p>正文有<a href='http://example.com/{n}'>链接</a>。</p>")
             for n in range(3)]
    factories.post("上证报消息", categories=["shanghaizhengquanbao"], tags=["上海证券报新闻"],
                   body="贵州茅台（600519）与五粮液（000858）公告。")  # securities on the lists and pages
    Post.objects.filter(pk=posts[1].pk).set_important(True)  # the 重要 mark is on the pages
    pages = {"home": "/", "important": "/?important=1", "old-home": "/?order=site", "emnews": "/emnews/", "category": "/category/emnews.html",
             "tag": "/tag/东财滚动新闻/", "article": posts[0].url_path, "not-found": "/no/such/page.html",
             "search": "/search/?q=央行", "day": posts[0].local_day.strftime("/%Y/%m/%d/"),
             "month": posts[0].local_day.strftime("/%Y/%m/"), "sources": "/category/", "tags": "/tag/",
             "stock": "/stock/600519/", "stocks": "/stock/", "channel": "/channel/central-banks/", "channels": "/channel/",
             # the readers' filters and notifications, opened
             "filters": ("/", "document.querySelector('.word-filter').open = true")}
    found = {}
    # axe is injected as a script of its own, which the page's CSP would (rightly) refuse.
    for scheme in ("light", "dark"):  # dark mode follows prefers-color-scheme
        found.update(check(live_server, capsys, scheme, pages if scheme == "light" else {
            name: pages[name] for name in ("home", "important", "emnews", "article", "search", "day", "stock", "channel",
                                           "filters")}))
    assert not found, found


def check(live_server, capsys, scheme, pages):
    found = {}
    with browser_page(capsys, bypass_csp=True, color_scheme=scheme) as (page, _):
        for name, path in pages.items():
            path, script = path if isinstance(path, tuple) else (path, None)
            page.goto(live_server.url + path)
            if script:
                page.evaluate(script)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            serious = [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"]
                       if v["impact"] in ("serious", "critical")]
            if serious:
                found[f"{name} ({scheme})"] = serious
                page.screenshot(path=str(SHOTS / f"axe-{name}-{scheme}.png"), full_page=True)
    return found



@pytest.mark.django_db(transaction=True)
def test_the_desk_has_no_serious_accessibility_violations(live_server, capsys):
    """The editors' desk (/admin/desk/), with a quiet source, a failure and charts, signed in."""
    import datetime

    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from news.models import ImportRun

    from .test_desk import posts_every

    posts_every("stopped", datetime.timedelta(minutes=10), datetime.timedelta(hours=8), datetime.timedelta(hours=6))
    ImportRun.objects.create(origin=ImportRun.Origin.API, source="接口：上证快讯", failed=1, state="finished",
                             errors=[{"file": "_posts/a.md", "reason": "没有标题"}], started_at=timezone.now())
    user = User.objects.create_user("axe-editor", password="pw-axe-editor-2026")
    user.groups.add(Group.objects.get(name="编辑"))
    found = {}
    for scheme in ("light", "dark"):
        with browser_page(capsys, bypass_csp=True, color_scheme=scheme) as (page, _):
            page.goto(live_server.url + "/admin/login/?next=/admin/desk/")
            page.fill("#id_username", "axe-editor")
            page.fill("#id_password", "pw-axe-editor-2026")
            page.click("input[type=submit]")
            page.wait_for_url("**/admin/desk/")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            serious = [(v["id"], v["impact"], [node["target"] for node in v["nodes"]]) for v in result["violations"]
                       if v["impact"] in ("serious", "critical")]
            if serious:
                found[scheme] = serious
                page.screenshot(path=str(SHOTS / f"axe-desk-{scheme}.png"), full_page=True)
    assert not found, found
