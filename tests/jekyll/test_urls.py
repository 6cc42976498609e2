import datetime

import pytest

from news.jekyll.urls import normalize_request_path, post_url, slugify_pretty

DAY = datetime.date(2022, 2, 17)


@pytest.mark.parametrize("slug, last", [
    ("202202172280203741", "202202172280203741.html"),
    ("Upper-Case-Slug", "Upper-Case-Slug.html"),
    ("中文 标题", "%E4%B8%AD%E6%96%87-%E6%A0%87%E9%A2%98.html"),
    ("sp ace&amp;?=q'x\"y", "sp-ace&amp;-=q'x-y.html"),
    ("escape-+ %20[]", "escape-+-20.html"),
    ("special-chars-(+)", "special-chars-(+).html"),
    ("hash-#1", "hash-1.html"),
    ("202202172280203741 (1)", "202202172280203741-(1).html"),
    ("fullwidth（括号）！", "fullwidth-%E6%8B%AC%E5%8F%B7.html"),
    ("emoji😀", "emoji.html"),
    ("--double", "double.html"),
    ("dash-end-", "dash-end.html"),
    ("foo.bar", "foo.bar.html"),
])
def test_slug_segment(slug, last):
    assert post_url([], DAY, slug) == f"/2022/02/17/{last}"


def test_double_dot_becomes_a_folder():
    assert post_url([], DAY, "a..b") == "/2022/02/17/a/b.html"


def test_empty_slug():
    assert post_url([], DAY, "") == "/2022/02/17/.html"


@pytest.mark.parametrize("categories, prefix", [
    (["emnews"], "/emnews"),
    (["Foo", "bar", "baz"], "/foo/bar/baz"),
    (["foo bar"], "/foo%20bar"),
    (["财经 新闻"], "/%E8%B4%A2%E7%BB%8F%20%E6%96%B0%E9%97%BB"),
    (["News", "news", "NEWS"], "/news"),
    (["2013"], "/2013"),
    (["x?y#z%", "Ünï"], "/x?y%23z%25/%C3%BCn%C3%AF"),
    (["a/b"], "/a/b"),
    (["东财\u3000滚动", "a\u00a0b", "c"], "/%E4%B8%9C%E8%B4%A2%E3%80%80%E6%BB%9A%E5%8A%A8/a%C2%A0b/c"),
])
def test_category_prefix(categories, prefix):
    assert post_url(categories, DAY, "x") == f"{prefix}/2022/02/17/x.html"


def test_other_extensions_are_kept():
    assert post_url([], datetime.date(2011, 4, 12), "text-extension", ".text") == (
        "/2011/04/12/text-extension.text"
    )


def test_slugify_keeps_case_and_allowed_punctuation():
    assert slugify_pretty("My Custom Slug") == "My-Custom-Slug"


def test_request_paths_normalise_to_the_stored_form():
    stored = post_url(["财经"], DAY, "x")
    assert normalize_request_path("/财经/2022/02/17/x.html") == stored
