import pytest
import yaml

from news.jekyll.taxonomy import parse_categories, parse_tags


def meta(text):
    return yaml.safe_load(text)


@pytest.mark.parametrize("front, expected", [
    ("categories: emnews", ["emnews"]),
    ("categories: Foo bar  baz", ["Foo", "bar", "baz"]),
    ("categories: [foo, bar, baz]", ["foo", "bar", "baz"]),
    ("category: foo bar", ["foo bar"]),
    ("categories:\n  - 财经 新闻", ["财经 新闻"]),
    ("category: Zeta\ncategories: alpha beta", ["alpha", "beta", "Zeta"]),
    ("categories: [News, news, NEWS]", ["News", "news", "NEWS"]),
    ("categories: [2022, 7.5, true]", ["2022", "7.5", "true"]),
    ("categories: 2013", ["2013"]),
    ('categories: [foo, null, ""]', ["foo"]),
    ("categories: 东财\u3000滚动 a\u00a0b c", ["东财\u3000滚动", "a\u00a0b", "c"]),
])
def test_categories(front, expected):
    assert parse_categories(meta(front)) == expected


def test_folder_categories_come_first():
    assert parse_categories(meta("categories: news"), ["es"]) == ["es", "news"]


@pytest.mark.parametrize("front, expected", [
    ("tags: 东财滚动新闻", ["东财滚动新闻"]),
    ("tags: A string", ["A", "string"]),
    ('tags: "t1\\tt2\\nt3"', ["t1", "t2", "t3"]),
    ("tags: a, b,c", ["a,", "b,c"]),
    ("tags: 甲\u3000乙 丙\u00a0丁", ["甲\u3000乙", "丙\u00a0丁"]),
    ("tag: hello world", ["hello world"]),
    ("tag: single\ntags: many1 many2", ["single"]),
    ("tags: 2013", ["2013"]),
    ("tags: [2013, foo, 1.5, false]", ["2013", "foo", "1.5", "false"]),
    ('tags: [a, null, ""]', ["a"]),
    ("tags: x x X", ["x", "X"]),
    ("layout: post", []),
])
def test_tags(front, expected):
    assert parse_tags(meta(front)) == expected
