"""Hostile front matter and bodies: every bound ends in the parser's own error, in linear time.

The two scanners that replaced backtracking regular expressions are checked against those
expressions on generated inputs (the expressions are the specification; they are only too slow).
"""
import datetime
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from news.jekyll import PostError, parse_post
from news.jekyll.frontmatter import find_front_matter, split_front_matter
from news.sanitize import drop_hidden_elements, sanitize_html

# Jekyll's YAML_FRONT_MATTER_REGEXP and finews's old hidden-element pattern, as specifications.
JEKYLL_FRONT_MATTER_RE = re.compile(r"\A(---\s*\n.*?\n?)^((?:---|\.\.\.)\s*$\n?)", re.M | re.S)
OLD_HIDDEN_RE = re.compile(
    r"<(script|style|template|iframe|object|noscript|textarea|select)\b.*?</\1\s*>", re.I | re.S)


def parse(text, name="2022-02-17-x.md"):
    return parse_post(f"_posts/{name}", text.encode("utf-8"))


front_matter_text = st.lists(
    st.sampled_from(["---", "...", "--- ", "-- -", "\n", "\r\n", " ", "\t", "a: 1", "x", "\u3000", ".."]),
    max_size=14).map("".join)


@settings(max_examples=400, deadline=None)
@given(front_matter_text)
def test_front_matter_scan_matches_jekylls_regex(text):
    match = JEKYLL_FRONT_MATTER_RE.match(text)
    expected = (match.end(1), match.end()) if match else None
    assert find_front_matter(text) == expected


hidden_text = st.lists(
    st.sampled_from(["<script>", "</script>", "<SCRIPT a=1>", "</script >", "<style>", "</style>",
                     "<scripts>", "x", " ", "<p>", "</Script\n>", "<textarea>", "</textarea>"]),
    max_size=12).map("".join)


@settings(max_examples=400, deadline=None)
@given(hidden_text)
def test_hidden_element_removal_matches_the_old_pattern(html):
    # The old pattern, then an opening left without its closing runs to the end (as browsers read it).
    expected = OLD_HIDDEN_RE.sub("", html)
    unclosed = re.search(r"<(script|style|template|iframe|object|noscript|textarea|select)\b", expected, re.I)
    assert drop_hidden_elements(html) == (expected[: unclosed.start()] if unclosed else expected)


def test_yaml_alias_bomb_is_refused():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        prev = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(f"{name}: &{name} [" + ", ".join(f"*{prev}" for _ in range(9)) + "]")
    with pytest.raises(PostError, match="^front matter 使用了 YAML 别名"):
        parse("---\n" + "\n".join(lines) + "\n---\n正文")


def test_self_referencing_anchor_is_refused():
    with pytest.raises(PostError, match="^front matter 使用了 YAML 别名"):
        parse("---\nx: &a {k: *a}\n---\n")


def test_deep_nesting_is_refused():
    with pytest.raises(PostError, match="^front matter 嵌套超过"):
        parse("---\nx: " + "[" * 50 + "]" * 50 + "\n---\n")


@pytest.mark.parametrize("front_matter, reason", [
    ("date: 0001-01-01", "范围"),
    ('date: "0001-01-01 00:00:00"', "范围"),
    ("date: 9999-12-31 23:59:59 +0800", "范围"),
    ('date: "2022-02-17 10:00:00 +2500"', "时区"),
    ('date: "2022-02-17 10:00:00 -24:00"', "时区"),
    ("date: 2022-02-17 10:00:00 +25:00", "日期"),
    ("x: .nan", "NaN"),
    ("x: [1, -.inf]", "NaN"),
    ("2013: year", "键"),
    ("true: yes", "键"),
    ('x: "a\\0b"', "NUL"),
    ('title: "a\\0b"', "NUL"),
    ("categories: " + "c" * 201, "分类"),
    ("tags: " + "t" * 101, "标签"),
    ("title: " + "标" * 501, "标题"),
    ("tags: " + " ".join(f"t{n}" for n in range(101)), "标签"),
    ("permalink: /:nosuch/x.html", "占位符"),
])
def test_malformed_front_matter_is_the_parsers_error(front_matter, reason):
    with pytest.raises(PostError, match=reason):
        parse(f"---\n{front_matter}\n---\n正文")


@pytest.mark.parametrize("front_matter", ["date: 0001-01-02 12:00:00 +0800", "date: 9999-12-29 10:00:00 +0800"])
def test_dates_near_the_edges_parse(front_matter):
    post = parse(f"---\n{front_matter}\n---\n")
    assert 1 <= post.published_at.astimezone(datetime.UTC).year <= 9999


def test_many_unclosed_openings_are_linear_and_hide_what_follows():
    # The shape that made the old patterns quadratic: openings with no closing tags. What follows
    # an unclosed <script> is script to a browser: it is not shown (either engine).
    body = "<p>可见的字</p>" + "<script>" * 20_000 + "看不见"
    assert sanitize_html(body, engine="bleach") == sanitize_html(body, engine="nh3") == "<p>可见的字</p>"
    text = "---\n" + "-- \n" * 20_000
    assert split_front_matter(text).data == {}


def test_title_is_the_text_a_reader_saw():
    post = parse("---\ntitle: A &amp; B <i>x</i> a < b\n---\n")
    assert post.title == "A & B x a < b"
    assert post.extra["title"] == "A &amp; B <i>x</i> a < b"


@pytest.mark.parametrize("permalink, expected", [
    ("/:title", "/My-Post"),
    ("/:categories/:year/:month/:day/:title:output_ext", "/news/2022/02/17/My-Post.html"),
    ("/:year/:i_month/:i_day/:slug/", "/2022/2/17/my-post/"),
    ("/%2e%2e/x.html", "/%2e%2e/x.html"),
    ("/新闻/:title.html", "/%E6%96%B0%E9%97%BB/My-Post.html"),
    ("/:short_year-:y_day/:hour:minute:second", "/22-048/103005"),
])
def test_permalink_placeholders_are_expanded_like_jekyll(permalink, expected):
    text = f"---\npermalink: \"{permalink}\"\ncategories: News\ndate: 2022-02-17 10:30:05 +0800\n---\n"
    assert parse(text, "2022-02-17-My-Post.md").url_path == expected


def test_renderer_output_survives_sanitising():
    post = parse("---\n---\n# 标题\n\n~~删掉的~~ 留下的")
    assert "<h1>标题</h1>" in post.body_html
    assert "<s>删掉的</s>" in post.body_html


def test_front_matter_is_bounded_in_bytes():
    lines = "".join(f"k{n}: v\n" for n in range(12_000))  # ~100 KB of plain keys, few nodes each
    with pytest.raises(PostError, match="^front matter 超过 64 KB"):
        parse(f"---\n{lines}---\n正文")
    near = "title: 标题\n" + "x: " + "字" * 21_000 + "\n"  # 63 KB of UTF-8: still read
    assert parse(f"---\n{near}---\n正文").title == "标题"
    big_body = "---\ntitle: t\n---\n" + "a: b\n-- \n" * 5_000  # front-matter-like lines in the body
    assert parse(big_body).title == "t"


def test_a_body_of_too_many_lines_is_refused_at_once():
    with pytest.raises(PostError, match="^正文超过 20000 行"):
        parse("---\n" + "a: b\n-- \n" * 111_000)  # never closed: all body, 1 MB of one-line headings
    assert parse("---\ntitle: t\n---\n" + "一行\n\n" * 9_000).title == "t"


def test_small_front_matter_skips_the_event_check_but_not_the_depth_bound():
    from news.jekyll.frontmatter import MAX_DEPTH, load_yaml

    nested = "".join(f"{'  ' * level}k{level}:\n" for level in range(MAX_DEPTH)) + f"{'  ' * MAX_DEPTH}k: v\n"
    with pytest.raises(PostError, match="^front matter 嵌套超过"):
        load_yaml(nested)  # 21 mappings, by indentation alone, in a few hundred bytes
    assert load_yaml(nested.replace(f"{'  ' * MAX_DEPTH}k: v\n", "")[:-1] + " v\n")  # 20 levels: fine
