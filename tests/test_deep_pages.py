"""No dead ends: /emnews/ leads on to the whole rolling-news listing, and deep listing pages are
reached by ``?older=`` (an index seek) instead of skipping every row before them."""
import re

import pytest

from news.reader import paging

from . import factories
from .pages import wall_titles

pytestmark = pytest.mark.django_db


def walk(client, url):
    """Follow 较旧 → from ``url`` to the end: the titles seen and the URLs visited."""
    titles, visited = [], []
    while url:
        visited.append(url)
        html = client.get(url).content.decode()
        titles += wall_titles(html)
        found = re.search(r'<a rel="next" href="([^"]+)">', html)
        url = found and (url.split("?")[0] + found.group(1).replace("&amp;", "&"))
    return titles, visited


@pytest.mark.parametrize("listing", ["/category/emnews.html", "/tag/东财滚动新闻/"])
def test_deep_pages_go_on_by_keyset_and_nothing_is_lost_or_repeated(client, settings, monkeypatch, listing):
    settings.FINEWS_LISTING_PAGE_SIZE = 2
    monkeypatch.setattr(paging, "OFFSET_PAGES", 2)
    posts = [factories.post(f"第{n}条") for n in range(9)]
    factories.post("别的来源", categories=["other"], tags=["别的"])
    titles, visited = walk(client, listing)
    assert titles == [p.title for p in reversed(posts)]
    assert [re.sub(r"\d+", "N", url.split("?", 1)[-1]) for url in visited[1:]] == [
        "page=N", "older=N", "older=N", "older=N"]
    keyset_page = client.get(visited[-1]).content.decode()
    assert "以前</span>" in keyset_page and '<a rel="prev" href="?">← 回到最新</a>' in keyset_page


def test_older_must_be_a_link_of_this_listing(client):
    mine = factories.post("我的")
    theirs = factories.post("别人的", categories=["other"])
    link = theirs.category_links.get()
    assert client.get(f"/category/emnews.html?older={mine.category_links.get().pk}").status_code == 200
    for value in [str(link.pk), "abc", "-1", "9" * 30, "", "１２"]:
        assert client.get(f"/category/emnews.html?older={value}").status_code == 404, value


def test_a_keyset_page_costs_the_same_queries_as_the_first(client, settings, django_assert_max_num_queries):
    settings.FINEWS_LISTING_PAGE_SIZE = 2
    posts = [factories.post() for _ in range(5)]
    anchor = posts[-1].category_links.get().pk
    with django_assert_max_num_queries(6):  # as the first page: its items' securities among them
        assert client.get(f"/category/emnews.html?older={anchor}").status_code == 200


def test_emnews_leads_on_to_the_whole_listing(client):
    factories.post("滚动", tags=["东财滚动新闻"])
    html = client.get("/emnews/").content.decode()
    assert 'href="/tag/%E4%B8%9C%E8%B4%A2%E6%BB%9A%E5%8A%A8%E6%96%B0%E9%97%BB/">全部东财滚动新闻（分页浏览）' in html


def test_listings_are_paged_by_a_django_paginator(client, settings):
    from django.core.paginator import Paginator

    settings.FINEWS_LISTING_PAGE_SIZE = 2
    for n in range(3):
        factories.post(f"第{n}条")
    response = client.get("/category/emnews.html?page=2")
    assert isinstance(response.context["paginator"], Paginator)
    assert response.context["is_paginated"] and response.context["page_obj"].number == 2
    assert [link.post.title for link in response.context["page_obj"].object_list] == ["第0条"]
    for page in ["3", "0", "x", "１"]:
        assert client.get(f"/category/emnews.html?page={page}").status_code == 404, page
