"""Push in a browser, through the production front (tests/cluster.py): a reader whose stream
drops while posts arrive shows every one of them once it is back (static/js/live.js)."""
import json

from .browser import SHOTS, browser_page, needs_chromium
from .test_cluster import GOOD, Session, cluster, manage  # noqa: F401 (the fixture)

pytestmark = needs_chromium


def send(url, key, title, slug, minute):
    body = json.dumps({"path": f"_posts/2022-02-17-{slug}.md",
                       "content": GOOD.format(title=title).replace("17:38:20", f"18:{minute:02d}:00")}).encode()
    status, answer, _ = Session().request(url + "/api/posts/", body, "application/json",
                                          {"Authorization": f"Bearer {key}"})
    assert status == 201, answer


def test_a_reader_whose_stream_drops_gets_every_post_sent_meanwhile(cluster, capsys):  # noqa: F811
    from playwright.sync_api import expect

    key = manage(cluster, "ingest_token", "push-browser").strip().splitlines()[-1]
    send(cluster.url(), key, "开盘前的新闻", "first", 0)
    with browser_page(capsys) as (page, blocked):
        page.goto(cluster.url() + "/")
        wall = page.locator("ol.wall[data-live-stream]").first
        expect(wall).to_have_attribute("data-live-streaming", "")  # subscribed
        send(cluster.url(), key, "推送来的新闻", "pushed", 1)
        expect(wall.locator("li", has_text="推送来的新闻")).to_have_count(1)

        cluster.kill("nginx")  # the connection drops; five posts arrive meanwhile (straight to an app server)
        expect(wall).not_to_have_attribute("data-live-streaming", "")
        for number in range(5):
            send(cluster.url("app-a"), key, f"断线时的新闻{number}", f"missed{number}", 2 + number)
        cluster.start_nginx()

        expect(wall).to_have_attribute("data-live-streaming", "", timeout=30_000)
        for number in range(5):
            expect(wall.locator("li", has_text=f"断线时的新闻{number}")).to_have_count(1, timeout=15_000)
        expect(page.locator("#live-status")).to_contain_text("条新消息")

        # Paused, the page holds no stream; resumed, it listens again and brings what came meanwhile.
        page.get_by_role("button", name="暂停自动更新").click()
        expect(wall).not_to_have_attribute("data-live-streaming", "")
        send(cluster.url(), key, "暂停时的新闻", "paused", 10)
        page.get_by_role("button", name="继续自动更新").click()
        expect(wall.locator("li", has_text="暂停时的新闻")).to_have_count(1)
        expect(wall).to_have_attribute("data-live-streaming", "")
        page.screenshot(path=str(SHOTS / "push-after-reconnect.png"))
        assert not blocked, blocked
