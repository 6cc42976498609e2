import datetime

import pytest

from news.jekyll import PostError, parse_post
from news.jekyll.dates import SITE_TZ
from news.jekyll.post import NotAPost

from ..conftest import SEED_POST

HOSTS = ("finews.withounder.com", "finews.zning.me")


def parse(name, text, **kwargs):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_post(f"_posts/{name}", data, old_hosts=HOSTS, **kwargs)


ROLLING = """---
layout: post
title: "测试：标题"
date: 2022-05-26 00:19:55 +0800
categories: emnews
tags: 东财滚动新闻
---
> 第一行摘要
> 第二行摘要

<p>正文<span id="stock_1.600000" class="keytip"><a href="http://quote.example.com/1" data-code="1">股票</a></span></p>

<http://finance.example.com/a.html?x=1&y=2>

[返回东财滚动新闻](//finews.withounder.com/emnews/)｜[返回首页](//finews.withounder.com/)"""


def test_rolling_news_post():
    post = parse("2022-05-26-111.md", ROLLING)
    assert post.title == "测试：标题"
    assert post.url_path == "/emnews/2022/05/26/111.html"
    assert post.published_at == datetime.datetime(2022, 5, 26, 0, 19, 55, tzinfo=SITE_TZ)
    assert post.categories == ["emnews"] and post.tags == ["东财滚动新闻"]
    assert post.summary == "第一行摘要\n第二行摘要"
    assert post.source_url == "http://finance.example.com/a.html?x=1&y=2"
    assert 'href="http://finance.example.com/a.html?x=1&amp;y=2"' in post.body_html
    assert '<a href="/emnews/" rel="nofollow noopener">返回东财滚动新闻</a>' in post.body_html
    assert '<a href="/" rel="nofollow noopener">返回首页</a>' in post.body_html
    assert "span" not in post.body_html and "keytip" not in post.body_html
    assert post.body_markdown.startswith("> 第一行摘要")
    assert post.extra == {"layout": "post"}
    assert not post.is_draft


def test_seed_post():
    if not SEED_POST.exists():
        pytest.skip(f"seed post not found at {SEED_POST}")
    post = parse("2022-02-17-202202172280203741.md", SEED_POST.read_bytes())
    assert post.url_path == "/emnews/2022/02/17/202202172280203741.html"
    assert post.published_at == datetime.datetime(2022, 2, 17, 17, 38, 20, tzinfo=SITE_TZ)
    assert post.title == "今年有望重启！这个交易中心建设正有序推进"
    assert post.tags == ["东财滚动新闻"]
    assert post.summary.startswith("国家核证自愿减排量(CCER)")
    assert post.source_url == "http://finance.eastmoney.com/news/1350,202202172280203741.html"
    assert "<strong>全国CCER市场今年有望重启</strong>" in post.body_html
    assert 'class=' not in post.body_html and 'data-code' not in post.body_html


def test_blank_line_before_front_matter_is_read_with_a_warning_and_a_legacy_url():
    text = "\n---\ntitle: 标题\ndate: 2021-12-08 10:18:31\ncategories: emnews\ntags: 东财滚动新闻\n---\n正文"
    post = parse("2021-12-08-42.md", text)
    assert post.title == "标题" and post.categories == ["emnews"]
    assert post.url_path == "/emnews/2021/12/08/42.html"
    assert post.legacy_urls == ["/2021/12/08/42.html"]
    assert post.warnings


def test_title_defaults_to_titleized_slug_and_empty_title_stays_empty():
    assert parse("2022-02-17-i-dont-like-zeroes.md", "---\nlayout: post\n---\nx").title == "I Dont Like Zeroes"
    assert parse("2022-02-17-Upper-Case-Slug.md", "no front matter").title == "Upper Case Slug"
    assert parse("2022-02-17-x.md", '---\ntitle: ""\n---\n').title == ""
    assert parse("2022-02-17-x.md", "---\ntitle: 12345\n---\n").title == "12345"
    assert parse("2022-02-17-x.md", "---\ntitle: Hash #1\n---\n").title == "Hash"


def test_empty_file_is_a_post():
    post = parse("2022-02-17-empty-file.md", b"")
    assert post.title == "Empty File" and post.url_path == "/2022/02/17/empty-file.html"


def test_crlf_and_bom():
    text = "\ufeff---\r\ntitle: CRLF\r\ncategories: a\r\n---\r\n<p>x</p>\r\n<p>y</p>\r\n"
    post = parse("2022-02-17-crlf.md", text)
    assert post.title == "CRLF" and post.url_path == "/a/2022/02/17/crlf.html"
    assert "\r" not in post.body_html


def test_front_matter_closed_with_dots():
    assert parse("2022-02-17-x.md", "---\ntitle: Dots\n...\nbody").title == "Dots"


@pytest.mark.parametrize("value, draft", [("false", True), ("no", True), ('"false"', False), ("true", False)])
def test_published_flag(value, draft):
    assert parse("2022-02-17-x.md", f"---\npublished: {value}\n---\n").is_draft is draft


def test_slug_and_permalink_front_matter():
    assert parse("2022-02-17-x.md", "---\nslug: My Custom Slug\n---\n").url_path == "/2022/02/17/My-Custom-Slug.html"
    assert parse("2022-02-17-x.md", "---\npermalink: /custom/path/\n---\n").url_path == "/custom/path/"


def test_nested_posts_folder_adds_category():
    post = parse_post("es/_posts/2008-11-21-outer.md", b"---\ncategories: news\n---\n")
    assert post.categories == ["es", "news"] and post.url_path == "/es/news/2008/11/21/outer.html"
    assert parse_post("_posts/es/2008-11-21-nested.md", b"").url_path == "/2008/11/21/nested.html"


def test_other_extensions_are_shown_as_text():
    post = parse("2011-04-12-text-extension.text", "---\ntitle: t\n---\n<b>x</b>")
    assert post.url_path == "/2011/04/12/text-extension.text"
    assert post.body_html == "<pre>&lt;b&gt;x&lt;/b&gt;</pre>"


def test_liquid_is_kept_as_text_with_a_warning():
    post = parse("2022-02-17-x.md", "---\ntitle: t\n---\n{{ page.title }}")
    assert "{{ page.title }}" in post.body_html and post.warnings


def test_extra_front_matter_is_kept_json_safe():
    post = parse("2022-02-17-x.md", "---\nauthor: 张三\nupdated: 2022-02-18\nlist: [1, 2]\n---\n")
    assert post.extra == {"author": "张三", "updated": "2022-02-18", "list": [1, 2]}


@pytest.mark.parametrize("text, reason", [
    ("---\ntitle: 标题：中文冒号 and A: B\n---\n", "YAML"),
    ("---\ndate:  +0800\n---\n", "date"),
    ("---\ndate:\n---\n", "date"),
    ("---\ndate: 2022-02-30 10:00:00\n---\n", "日期"),
    ("---\n- a\n- b\n---\n", "键值对"),
])
def test_rejected_front_matter(text, reason):
    with pytest.raises(PostError, match=reason):
        parse("2022-02-17-bad.md", text)


def test_invalid_utf8_and_binary_are_rejected():
    with pytest.raises(PostError, match="UTF-8"):
        parse("2022-02-17-gbk.md", "---\ntitle: 中文\n---\n".encode("gbk"))
    with pytest.raises(PostError, match="二进制"):
        parse("2022-02-17-bin.md", b"\x89PNG\r\n\x1a\n\x00\x00")


def test_non_post_names_raise_not_a_post():
    with pytest.raises(NotAPost):
        parse("-202205262391921712.md", "x")
    with pytest.raises(NotAPost):
        parse_post("_posts/_hidden/2022-02-17-x.md", b"x")
