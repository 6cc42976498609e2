"""Reader pages through the test client: markup, order, pagination, 404s, drafts, query counts."""
import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache

from news.jekyll.dates import SITE_TZ
from news.models import CategoryAlias, LegacyURL, Post

from . import factories
from .pages import wall_items, wall_links, wall_titles

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def at(hour, minute=0, second=0, day=17):
    return datetime.datetime(2022, 2, day, hour, minute, second, tzinfo=SITE_TZ)


def hrefs(html, pattern=None):
    if pattern is None:
        return wall_links(html)
    return re.findall(pattern, html)


# --- home ---------------------------------------------------------------------------------

def test_old_home_sections_in_order_of_each_tags_oldest_post(client):
    factories.post("B1", tags=["乙"], when=at(9))
    factories.post("A1", tags=["甲", "乙"], when=at(8))
    factories.post("C1", tags=["丙"], when=at(10))
    for minute in range(7):
        factories.post(f"A新{minute}", tags=["甲"], when=at(11, minute))
    html = client.get("/?order=site").content.decode()
    assert re.findall(r'<h2 id="([^"]+)">', html) == ["甲", "乙", "丙"]
    section = html.split('<h2 id="甲">')[1].split("</ul>")[0]
    assert re.findall(r">([^<]+)</a></li>", section) == ["A新6", "A新5", "A新4", "A新3", "A新2"]
    assert re.findall(r'<li data-pinyin="([^"]+)"><a href="#(.)">', html) == [  # the finder, in pinyin order
        ("bing b", "丙"), ("jia j", "甲"), ("yi y", "乙")]


def test_home_leads_with_the_newest_posts_with_time_and_source(client):
    factories.category("cls", "财联社")
    factories.post("旧闻", categories=["old"], tags=["老来源"], when=at(8))
    newest = factories.post("刚刚发布", categories=["cls"], tags=["财联社"], when=at(11, 30))
    factories.post("稍早", categories=["cls"], tags=["财联社"], when=at(10))
    html = client.get("/").content.decode()
    wall = html.split('<ol class="wall"')[1].split("</ol>")[0]
    assert re.findall(r'<li data-id="(\d+)"', wall)[0] == str(newest.pk)
    first = wall.split("</li>")[0]
    assert '<time datetime="2022-02-17T11:30:00+08:00">2022-02-17 11:30</time>' in first
    assert '<a class="src" href="/category/cls.html">财联社</a>' in first
    # then the sources, the one that published last first
    assert re.findall(r'<h2 id="([^"]+)">', html.split('id="sources-title"')[1]) == ["财联社", "老来源"]
    assert 'href="?order=site"' in html


def test_home_pages_its_sources_with_real_links(client, settings):
    settings.FINEWS_HOME_SECTIONS_PER_PAGE = 2
    for number in range(5):
        factories.post(f"消息{number}", tags=[f"来源{number}"], when=at(9, number))
    first = client.get("/").content.decode()
    assert re.findall(r'<h2 id="(来源\d)">', first) == ["来源4", "来源3"]
    assert '<link rel="next" href="?page=2">' in first
    second = client.get("/?page=2").content.decode()
    assert re.findall(r'<h2 id="(来源\d)">', second) == ["来源2", "来源1"]
    assert '<ol class="wall"' not in second and '<link rel="prev" href="?page=1">' in second
    assert re.findall(r'<h2 id="(来源\d)">', client.get("/?page=3").content.decode()) == ["来源0"]
    for bad in ("/?page=4", "/?page=0", "/?page=x", "/?order=abc", "/?important=2", "/?order=site&page=2"):
        assert client.get(bad).status_code == 404, bad


def test_only_important_on_home_emnews_and_category(client):
    plain = factories.post("普通", categories=["emnews"], tags=["东财滚动新闻"], when=at(9))
    big = factories.post("央行降准", categories=["emnews"], tags=["东财滚动新闻"], when=at(8))
    Post.objects.filter(pk=big.pk).set_important(True)
    for url in ("/?important=1", "/emnews/?important=1", "/category/emnews.html?important=1"):
        html = client.get(url).content.decode()
        assert "央行降准" in html and "普通</a>" not in html, url
        assert '<strong class="mark">重要</strong>' in html and '<strong aria-current="page">只看重要</strong>' in html
    html = client.get("/emnews/").content.decode()
    assert plain.title in html and f'<li data-id="{big.pk}" class="imp">' in html
    assert 'href="/emnews/?important=1">只看重要</a>' in html


def test_home_escapes_titles(client):
    factories.post('<script>alert("x")</script> & 标题', tags=["甲"])
    html = client.get("/").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 标题" in html


def test_home_hides_drafts_and_future_posts(client):
    factories.post("草稿", tags=["甲"], status="draft")
    factories.post("未来", tags=["乙"], when=datetime.datetime(2099, 1, 1, tzinfo=SITE_TZ))
    factories.post("可见", tags=["丙"])
    html = client.get("/").content.decode()
    assert "可见" in html and "草稿" not in html and "未来" not in html


def test_home_ties_put_larger_path_first(client):
    factories.post("小", tags=["甲"], when=at(9), source_path="_posts/2022-02-17-1.md", slug="a1")
    factories.post("大", tags=["甲"], when=at(9), source_path="_posts/2022-02-17-NW1.md", slug="a2")
    html = client.get("/").content.decode()
    assert html.index("大") < html.index("小")


def test_home_empty_database(client):
    response = client.get("/")
    assert response.status_code == 200 and "还没有文章" in response.content.decode()


@pytest.mark.parametrize("tags", [3, 30])
def test_home_query_count_does_not_grow(client, django_assert_max_num_queries, tags):
    for number in range(tags):
        for _ in range(3):
            factories.post(tags=[f"来源{number}"])
    with django_assert_max_num_queries(8):  # 5 + the newest block's stories (their other reports), securities, the channel tabs
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get("/?order=site").status_code == 200


# --- categories, tags, emnews --------------------------------------------------------------

def test_category_page_lists_newest_first_under_display_name(client):
    factories.category("21caijing", "湖南日报新闻")
    old = factories.post("旧", categories=["21caijing"], when=at(8))
    new = factories.post("新", categories=["21caijing"], when=at(9))
    factories.post("别的", categories=["emnews"])
    response = client.get("/category/21caijing.html")
    html = response.content.decode()
    assert "<h1>湖南日报新闻</h1>" in html
    assert hrefs(html) == [new.url_path, old.url_path]
    assert 'type="application/atom+xml"' in html and "/category/21caijing/feed.xml" in html
    assert len(wall_links(client.get("/21caijing/").content.decode())) == 2


def test_category_pagination(client, settings):
    settings.FINEWS_LISTING_PAGE_SIZE = 3
    posts = [factories.post(f"第{n}", categories=["pg"], when=at(8, n)) for n in range(7)]
    seen = []
    url = "/category/pg.html"
    pages = 0
    while url:
        html = client.get(url).content.decode()
        pages += 1
        seen += hrefs(html)
        nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = "/category/pg.html" + nxt.group(1) if nxt else None
        if pages == 2:
            assert '<link rel="prev" href="?page=1">' in html and '<link rel="next" href="?page=3">' in html
    assert pages == 3
    assert seen == [p.url_path for p in reversed(posts)]
    assert client.get("/category/pg.html?page=4").status_code == 404
    assert client.get("/category/pg.html?page=abc").status_code == 404
    assert 'rel="prev"' not in client.get("/category/pg.html").content.decode()


def test_unknown_category_and_tag_are_404(client):
    for url in ["/category/nope.html", "/nope/", "/tag/nope/", "/category/nope/feed.xml", "/tag/nope/feed.xml"]:
        response = client.get(url)
        assert response.status_code == 404, url
    assert "此页面不存在" in client.get("/nope/").content.decode()


def test_merged_category_redirects(client):
    target = factories.category("emnews")
    CategoryAlias.objects.create(key="oldnews", category=target)
    response = client.get("/category/oldnews.html")
    assert response.status_code == 301 and response["Location"] == "/category/emnews.html"


def test_category_keys_are_case_sensitive_and_may_hold_spaces(client):
    factories.category("TechWeb", "甲")
    factories.category("Techweb", "乙")
    factories.category("21shijijingjibaodao 21caijingAPP", "丙")
    assert "<h1>甲</h1>" in client.get("/category/TechWeb.html").content.decode()
    assert "<h1>乙</h1>" in client.get("/category/Techweb.html").content.decode()
    assert client.get("/category/21shijijingjibaodao%2021caijingAPP.html").status_code == 200


def test_tag_page(client):
    post = factories.post("有标签", tags=["上海证券报新闻"])
    html = client.get("/tag/上海证券报新闻/").content.decode()
    assert post.url_path in html and "标签：上海证券报新闻" in html
    assert client.get("/tag/%E4%B8%8A%E6%B5%B7%E8%AF%81%E5%88%B8%E6%8A%A5%E6%96%B0%E9%97%BB/").status_code == 200


def test_emnews_shows_the_20_newest_in_new_tabs(client):
    posts = [factories.post(f"滚动{n}", when=at(8, n)) for n in range(22)]
    factories.post("别的来源", categories=["x"], tags=["别的"])
    html = client.get("/emnews/").content.decode()
    links = [m["url"] for m in wall_items(html) if m["attrs"] == ' target="_blank" rel="noopener"']
    assert links == [p.url_path for p in reversed(posts)][:20]


@pytest.mark.parametrize("count", [2, 40])
def test_listing_query_counts_do_not_grow(client, django_assert_max_num_queries, settings, count):
    settings.FINEWS_LISTING_PAGE_SIZE = 10
    for n in range(count):
        factories.post(categories=["emnews", f"c{n % 5}"], tags=["东财滚动新闻", f"t{n % 4}"])
    # Each count includes one query the page cache makes: when the next scheduled post appears.
    # Every list reads the securities its items name; lists where sources mix read each item's source
    # and its story's other reports too: two queries more.
    for url, limit in [("/category/emnews.html", 4), ("/emnews/", 6), ("/tag/东财滚动新闻/", 6),
                       ("/c1/", 4), (f"/category/emnews.html?page={count // 10 or 1}", 4)]:
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url


def test_listings_stay_live_but_articles_and_later_pages_do_not(client, settings):
    settings.FINEWS_LISTING_PAGE_SIZE = 1
    post = factories.post()
    factories.post()
    for url, src in [("/", "/live/latest/"), ("/?important=1", "/live/latest/?important=1"),
                     ("/emnews/", "/live/emnews/"), ("/category/emnews.html", "/live/category/"),
                     ("/tag/东财滚动新闻/", "/live/tag/")]:
        html = client.get(url).content.decode()
        assert f'data-live-seconds="{settings.FINEWS_LIVE_SECONDS}"' in html and 'id="live-toggle"' in html, url
        assert f'data-live-src="{src}' in html, url
        assert '<noscript><meta http-equiv="refresh" content="60"></noscript>' in html, url
    for url in ("/category/emnews.html?page=2", "/category/emnews.html?date=2022-02-17", "/?order=site"):
        assert "data-live-seconds" not in client.get(url).content.decode(), url
    assert "data-live-seconds" not in client.get(post.url_path).content.decode()


# --- articles ----------------------------------------------------------------------------

def test_article_page(client):
    factories.category("emnews", "东财滚动新闻")
    older = factories.post("较旧", when=at(8))
    post = factories.post("标题 <b>不是标签</b>", tags=["东财滚动新闻", "第二"], when=at(17, 38, 20),
                         body='<p>正文<strong>粗</strong></p>')
    post.source_url = "http://finance.example.com/x.html"
    post.save()
    newer = factories.post("较新", when=at(18))
    html = client.get(post.url_path).content.decode()
    header = html[html.index('<header class="post-header">'):html.index("</header>", html.index("post-header"))]
    assert "<h1>标题 &lt;b&gt;不是标签&lt;/b&gt;</h1>" in header
    assert '来源：<a href="/category/emnews.html">东财滚动新闻</a>' in header
    assert '<time class="when" datetime="2022-02-17T17:38:20+08:00">2022-02-17 17:38 北京时间</time>' in header
    assert "重要" not in header  # not marked
    assert '<a class="post-original" href="http://finance.example.com/x.html" rel="nofollow noopener">查看原文</a>' in header
    assert html.count("http://finance.example.com/x.html") == 1  # the original link once, named
    assert "<p>正文<strong>粗</strong></p>" in html
    assert re.search(r"标签：<a href=\"/tag/[^\"]+/\">东财滚动新闻</a>、<a href=\"/tag/[^\"]+/\">第二</a>", html)
    assert f'rel="next" href="{older.url_path}"' in html and f'rel="prev" href="{newer.url_path}"' in html


def test_unicode_and_percent_encoded_urls_resolve(client):
    post = factories.post("中文", categories=["财经"], slug="中文 标题")
    assert post.url_path == "/%E8%B4%A2%E7%BB%8F/2022/02/17/%E4%B8%AD%E6%96%87-%E6%A0%87%E9%A2%98.html"
    assert client.get(post.url_path).status_code == 200
    assert client.get("/财经/2022/02/17/中文-标题.html").status_code == 200


def test_legacy_url_redirects_permanently(client):
    post = factories.post()
    LegacyURL.objects.create(path="/2022/02/17/old.html", post=post)
    response = client.get("/2022/02/17/old.html")
    assert response.status_code == 301 and response["Location"] == post.url_path


def test_drafts_are_404_for_readers_and_bannered_for_staff(client, admin_client):
    draft = factories.post("草稿文章", status="draft")
    future = factories.post("未来文章", when=datetime.datetime(2099, 1, 1, tzinfo=SITE_TZ))
    assert client.get(draft.url_path).status_code == 404
    assert client.get(future.url_path).status_code == 404
    html = admin_client.get(draft.url_path).content.decode()
    assert "草稿/draft" in html and "草稿文章" in html
    assert "定时发布" in admin_client.get(future.url_path).content.decode()


def test_article_404_page(client):
    response = client.get("/emnews/2022/02/17/nothing.html")
    html = response.content.decode()
    assert response.status_code == 404 and "此页面不存在" in html and '<a href="/">返回首页</a>' in html


@pytest.mark.parametrize("count", [2, 30])
def test_article_query_count_does_not_grow(client, django_assert_max_num_queries, count):
    posts = [factories.post(tags=["东财滚动新闻", "甲", "乙"], categories=["emnews", "x"]) for _ in range(count)]
    with django_assert_max_num_queries(9):  # 5 + the page cache's next-scheduled-post query + its story, securities, channels
        assert client.get(posts[count // 2].url_path).status_code == 200


def test_editor_save_refreshes_a_cached_article(client):
    post = factories.post("初稿标题")
    assert "初稿标题" in client.get(post.url_path).content.decode()
    post.title = "改后标题"
    post.save()
    assert "改后标题" in client.get(post.url_path).content.decode()


def test_cached_article_costs_no_query(client, django_assert_num_queries):
    post = factories.post()
    client.get(post.url_path)
    with django_assert_num_queries(0):
        assert client.get(post.url_path).status_code == 200


# --- feeds -------------------------------------------------------------------------------

def parse_feed(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_site_feed_is_atom_with_the_newest(client, settings):
    settings.FINEWS_FEED_ITEMS = 10
    posts = [factories.post(f"第{n}", when=at(8, n)) for n in range(12)]
    factories.post("草稿", status="draft")
    feed = parse_feed(client.get("/feed.xml"))
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 10
    first = entries[0]
    assert first.find(f"{ATOM}title").text == "第11"
    assert first.find(f"{ATOM}id").text == f"http://127.0.0.1:8000{posts[-1].url_path.removesuffix('.html')}"
    assert first.find(f"{ATOM}link").get("href") == f"http://127.0.0.1:8000{posts[-1].url_path}"
    assert first.find(f"{ATOM}published").text.startswith("2022-02-17T08:11:00+08:00")
    assert {c.get("term") for c in first.findall(f"{ATOM}category")} == {"emnews", "东财滚动新闻"}


def test_feed_ties_put_smaller_path_first(client):
    factories.post("小", when=at(9), source_path="_posts/2022-02-17-1.md", slug="a1")
    factories.post("大", when=at(9), source_path="_posts/2022-02-17-NW1.md", slug="a2")
    titles = [e.find(f"{ATOM}title").text for e in parse_feed(client.get("/feed.xml")).findall(f"{ATOM}entry")]
    assert titles == ["小", "大"]


def test_category_and_tag_feeds(client):
    factories.post("甲类", categories=["jia"], tags=["甲新闻"])
    factories.post("乙类", categories=["yi"], tags=["乙新闻"])
    cat = parse_feed(client.get("/category/jia/feed.xml"))
    assert [e.find(f"{ATOM}title").text for e in cat.findall(f"{ATOM}entry")] == ["甲类"]
    tag = parse_feed(client.get("/tag/乙新闻/feed.xml"))
    assert [e.find(f"{ATOM}title").text for e in tag.findall(f"{ATOM}entry")] == ["乙类"]


@pytest.mark.parametrize("count", [2, 25])
def test_feed_query_counts(client, django_assert_max_num_queries, count):
    for _ in range(count):
        factories.post(categories=["emnews", "b"], tags=["东财滚动新闻", "x", "y"])
    # the newest ids by an index (and their ties), the posts, their categories and tags, the next scheduled time
    for url, limit in [("/feed.xml", 6), ("/category/emnews/feed.xml", 6), ("/tag/x/feed.xml", 6)]:
        cache.clear()
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200


def test_server_error_page_leaks_nothing(client, monkeypatch, settings):
    from news.reader import home

    def explode(self, **kwargs):
        raise RuntimeError("secret-internal-detail")

    settings.DEBUG = False
    monkeypatch.setattr(home.HomeView, "get_context_data", explode)
    client.raise_request_exception = False
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 500 and "服务器出错" in html
    assert "secret-internal-detail" not in html and "Traceback" not in html


def test_listings_filter_by_beijing_day(client, settings):
    settings.FINEWS_LISTING_PAGE_SIZE = 2
    early = factories.post("十六日深夜", categories=["d"], tags=["日"], when=at(23, 59, 59, day=16))
    posts = [factories.post(f"十七日{n}", categories=["d"], tags=["日"], when=at(0, n, day=17)) for n in range(3)]
    factories.post("十八日", categories=["d"], tags=["日"], when=at(0, 0, 0, day=18))
    html = client.get("/category/d.html", {"date": "2022-02-17"}).content.decode()
    assert hrefs(html) == [posts[2].url_path, posts[1].url_path]
    assert 'rel="next" href="?date=2022-02-17&amp;page=2"' in html
    html = client.get("/category/d.html", {"date": "2022-02-17", "page": 2}).content.decode()
    assert hrefs(html) == [posts[0].url_path]
    assert hrefs(client.get("/tag/日/", {"date": "2022-02-16"}).content.decode()) == [early.url_path]
    html = client.get("/category/d.html", {"date": "not-a-date"}).content.decode()
    assert "日期格式不对" in html and len(hrefs(html)) == 2


def test_ties_follow_byte_order_of_paths_like_jekyll(client):
    # bytes: "2" < "N" < "_" < "a"; a language collation would put "a" and "N" side by side
    names = ["_posts/2022-02-17-_u.md", "_posts/2022-02-17-a.md", "_posts/2022-02-17-N.md",
             "_posts/2022-02-17-2.md"]
    for number, path in enumerate(names):
        factories.post(path, categories=["tie"], when=at(9), source_path=path, slug=f"tie{number}")
    html = client.get("/category/tie.html").content.decode()
    titles = wall_titles(html)
    assert titles == sorted(names, key=lambda p: p.encode(), reverse=True)


def test_postgresql_compares_paths_as_bytes():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite compares text as bytes already")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, collation_name FROM information_schema.columns "
            "WHERE column_name = 'source_path' AND table_name LIKE 'news_%%' ORDER BY 1")
        assert cursor.fetchall() == [("news_post", "C"), ("news_postcategory", "C"), ("news_postchannel", "C"),
                                     ("news_postsecurity", "C"),
                                     ("news_taggedpost", "C"), ("news_tombstone", "C")]


def test_tag_paths_match_reverse():
    import string

    from django.urls import reverse

    from news.reader.wall import tag_path

    names = ["东财滚动新闻", "a b", "x/y", "50%", "沪深300&创业板", "美元/人民币：7.1", "Ａ股（全角）", "¥€😀"]
    names += list(string.printable.strip()) + [f"a{c}b" for c in string.printable if c not in "\t\n\r\x0b\x0c"]
    for name in names:
        assert tag_path(name) == reverse("news:tag", kwargs={"name": name}), name


def test_the_404_page_does_not_leave_by_itself(client):
    html = client.get("/no/such/page.html").content.decode()
    assert 'http-equiv="refresh"' not in html and '<a href="/">返回首页</a>' in html


def test_robots_favicon_and_share_tags(client):
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots.content.decode()
    assert "Disallow: /search/" in robots.content.decode()
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon["Location"].endswith("favicon.svg")
    post = factories.post("央行降准 <b>", body="央行宣布下调存款准备金率。", when=at(9))
    html = client.get(post.url_path).content.decode()
    assert f'<link rel="canonical" href="http://127.0.0.1:8000{post.url_path}">' in html
    assert '<meta property="og:title" content="央行降准 &lt;b&gt;">' in html
    assert '<meta property="og:description" content="央行宣布下调存款准备金率。">' in html
    assert '<meta property="article:published_time" content="2022-02-17T09:00:00+08:00">' in html
    assert 'rel="icon"' in html and 'name="color-scheme"' in html
