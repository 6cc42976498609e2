"""The live wall's deltas (news/reader/live.py): what an open page asks for and what it gets."""
import json
import re

import pytest
from django.core.cache import cache

from news.models import Post

from . import factories
from .test_views import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()


def cursor_of(html):
    found = re.search(r'data-live-src="([^"]+)" data-live-size="(\d+)" data-cursor="(\d+)"', html)
    return found[1].replace("&amp;", "&"), found[3]


def delta(client, src, after, **headers):
    response = client.get(src + ("&" if "?" in src else "?") + f"after={after}", **headers)
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/json"
    return response, json.loads(response.content)


@pytest.mark.parametrize("url", ["/", "/emnews/", "/category/emnews.html", "/tag/东财滚动新闻/"])
def test_a_quiet_list_gets_nothing_new_and_a_new_post_gets_one_item(client, url):
    factories.category("emnews", "东财滚动新闻")
    held = [factories.post(f"旧{n}", when=at(9, n)) for n in range(3)]
    src, after = cursor_of(client.get(url).content.decode())
    assert after == str(held[-1].pk)
    _, quiet = delta(client, src, after)
    assert quiet["new"] == [] and quiet["c"] == held[-1].pk and "reset" not in quiet
    assert quiet["ids"] == ",".join(str(p.pk) for p in reversed(held))

    fresh = factories.post("刚发布的快讯", when=at(10))
    _, news = delta(client, src, after)
    assert news["c"] == fresh.pk and news["ids"].split(",")[0] == str(fresh.pk)
    assert len(news["new"]) == 1 and "刚发布的快讯" in news["new"][0]
    assert '<time datetime="2022-02-17T10:00:00+08:00">' in news["new"][0]
    if url != "/category/emnews.html":  # lists where sources mix name the source
        assert '<a class="src" href="/category/emnews.html">东财滚动新闻</a>' in news["new"][0]
    _, after_news = delta(client, src, news["c"])
    assert after_news["new"] == []


def test_removed_and_important_posts_show_in_the_ids(client):
    posts = [factories.post(f"消息{n}", when=at(9, n)) for n in range(3)]
    src, after = cursor_of(client.get("/").content.decode())
    Post.objects.filter(pk=posts[1].pk).set_status(Post.Status.DRAFT)
    Post.objects.filter(pk=posts[0].pk).set_important(True)
    _, answer = delta(client, src, after)
    assert answer["ids"] == f"{posts[2].pk},{posts[0].pk}!" and answer["new"] == []


def test_important_news_is_announced_and_the_important_list_has_its_own_delta(client):
    factories.post("普通", when=at(9))
    src, after = cursor_of(client.get("/?important=1").content.decode())
    assert src == "/live/latest/?important=1" and after == "0"
    big = factories.post("央行宣布降准", when=at(10))
    factories.post("又一条普通的", when=at(11))
    Post.objects.filter(pk=big.pk).set_important(True)
    _, answer = delta(client, src, after)
    assert answer["ids"] == f"{big.pk}!" and answer["reset"] == 1  # the page held nothing: every item
    assert '<strong class="mark">重要</strong>' in answer["new"][0] and "央行宣布降准" in answer["new"][0]


def test_a_cursor_that_left_the_top_is_sent_to_the_whole_list(client, settings):
    settings.FINEWS_HOME_LATEST = 2
    old = factories.post("旧", when=at(8))
    for n in range(3):
        factories.post(f"新{n}", when=at(9, n))
    response = client.get(f"/live/latest/?after={old.pk}")
    assert response.status_code == 302 and response["Location"] == "/live/latest/"
    _, whole = delta(client, "/live/latest/", "")
    assert whole["reset"] == 1 and len(whole["new"]) == 2
    important = client.get(f"/live/latest/?after={old.pk}&important=1")
    assert important["Location"] == "/live/latest/?important=1"


def test_ids_below_the_cursor_come_without_markup_for_the_page_to_ask_the_whole_list(client):
    """A post dated below the reader's newest (a late scrape) is in the top's ids only: the page
    sees an id it lacks and fetches the whole list (static/js/live.js; the browser test follows it)."""
    posts = [factories.post(f"消息{n}", when=at(9, n)) for n in range(3)]
    src, after = cursor_of(client.get("/").content.decode())
    late = factories.post("迟到的消息", when=at(9, 1, 30))
    _, answer = delta(client, src, after)
    assert answer["new"] == [] and answer["ids"].split(",") == [str(posts[2].pk), str(late.pk), str(posts[1].pk),
                                                               str(posts[0].pk)]
    _, whole = delta(client, src, "")
    assert any("迟到的消息" in item for item in whole["new"])


def test_delta_answers_are_kept_whatever_the_variant_budget(client, settings):
    settings.FINEWS_CACHE_VARIANTS = 1
    posts = [factories.post(f"消息{n}", when=at(9, n)) for n in range(3)]
    for post in posts:  # three cursors in the top: each answer kept
        client.get(f"/live/latest/?after={post.pk}")
        assert client.get(f"/live/latest/?after={post.pk}")["X-Cache"] == "HIT"
    for bogus in range(100, 105):  # cursors nobody's page holds are not kept: redirected
        assert client.get(f"/live/latest/?after={bogus}").status_code == 302


def test_a_section_is_found_only_at_its_own_address(client):
    post = factories.post("一条", tags=["甲"], when=at(9))
    pk = post.tag_links.get().tag_id
    assert "一条" in client.get(f"/live/section/{pk}/").content.decode()
    assert client.get(f"/live/section/000{pk}/").status_code == 404
    assert client.get("/live/section/999999/").status_code == 404


def test_a_quiet_poll_is_a_304_and_proxies_may_keep_it_a_second(client):
    factories.post("一条", when=at(9))
    src, after = cursor_of(client.get("/").content.decode())
    response, _ = delta(client, src, after)
    assert "s-maxage=1" in response["Cache-Control"] and response["ETag"]
    again = client.get(f"{src}?after={after}", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_delta_queries_stay_few(client, django_assert_max_num_queries):
    for n in range(30):
        factories.post(f"消息{n}", categories=[f"c{n % 7}"], tags=["东财滚动新闻", f"t{n % 5}"], when=at(9, n))
    for url in ("/live/latest/?after=0", "/live/emnews/?after=0", "/live/latest/?after=0&important=1"):
        cache.clear()
        with django_assert_max_num_queries(6):  # 4 + the items' stories (their other reports) and securities
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", [
    "/live/latest/?after=abc", "/live/latest/?after=1&important=2", "/live/category/x/",
    "/live/category/99999/", "/live/tag/99999/", "/live/latest/?after=" + "9" * 30,
])
def test_bad_delta_addresses_are_not_found(client, url):
    factories.post("一条", when=at(9))
    assert client.get(url).status_code == 404


def test_unknown_parameters_redirect_to_the_clean_delta(client):
    response = client.get("/live/latest/?after=1&x=2")
    assert response.status_code == 301 and response["Location"] == "/live/latest/?after=1"
    assert client.get("/?order=site&important=1").status_code == 404
