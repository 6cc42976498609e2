"""Search tokenisation rules (pure functions)."""
import pytest

from news.search.snippets import marked, snippet
from news.search.tokens import QueryError, document_tokens, query_terms, text_of_html, tokens


def test_chinese_runs_become_bigrams_and_words_stay_whole():
    assert tokens("央行降息，ＣＣＥＲ与600519：A股") == ["央行", "行降", "降息", "ccer", "与", "600519", "a", "股"]


def test_block_boundaries_keep_words_apart_and_inline_tags_do_not():
    assert text_of_html("<p>央</p><p>行</p>").split() == ["央", "行"]
    assert tokens(text_of_html("<p>央<b>行</b>降息 &amp; Co</p>")) == ["央行", "行降", "降息", "co"]
    assert document_tokens("标题", "", "<p>正文</p>") == ["标题", "正文"]


def test_query_terms_are_phrases_and_a_closing_single_character_is_a_prefix():
    assert query_terms("央行 A股 碳市场") == ([
        [("央行", False)], [("a", False), ("股", True)], [("碳市", False), ("市场", False)]], [])


@pytest.mark.parametrize(("query", "message"), [
    ("", "请输入"), ("   ", "请输入"), ("涨", "至少输入两个字"), ("x" * 101, "太长"), ("，。！", "没有可以搜索"),
    (" ".join(["央行"] * 9), "太多"),
])
def test_queries_that_cannot_be_searched_say_why(query, message):
    with pytest.raises(QueryError, match=message):
        query_terms(query)


def test_snippets_mark_words_and_escape_everything_else():
    assert marked("<b>央行</b>降息", ["央行"]) == "&lt;b&gt;<mark>央行</mark>&lt;/b&gt;降息"
    text = "甲" * 100 + "央行宣布" + "乙" * 200
    excerpt = snippet(text, ["央行"])
    assert excerpt.startswith("…") and excerpt.endswith("…") and "<mark>央行</mark>宣布" in excerpt
    assert len(excerpt) < 160
    assert snippet("没有命中", ["央行"]) == "没有命中"
