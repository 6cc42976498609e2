"""The rules' pure logic (news/rules/): words, exclusions, RE2 expressions and what they refuse,
where words are looked for, sources and markets, the actions' sum, the time budget, and hiding
text in sanitised HTML."""
import pytest

from news.rules import Condition, Rule, RuleError, Ruleset, hide, parse_words, pattern_of


def test_words_are_one_a_line_or_separated_by_commas_and_enumeration_marks():
    assert parse_words("央行\n美联储、降息, 加息，LPR；MLF\n\n央行") == ("央行", "美联储", "降息", "加息", "LPR", "MLF")
    assert parse_words("") == ()


@pytest.mark.parametrize(("pattern", "reason"), [
    (r"(\w+)\1", "不支持的写法"), (r"(?=VIP)会员", "不支持的写法"), (r"(?<!非)会员", "不支持的写法"),
    ("x*", "空文字"), ("(会员|)", "空文字"), ("(未闭合", "有误"), ("a{1001}", "有误"),
])
def test_expressions_re2_cannot_run_or_that_match_nothing_are_refused_with_the_reason(pattern, reason):
    with pytest.raises(RuleError, match=reason):
        pattern_of(pattern)


def test_an_expression_too_big_for_its_memory_is_refused():
    with pytest.raises(RuleError, match="太大"):
        pattern_of("(" + "|".join(f"词{n}[0-9]{{1,50}}" for n in range(20000)) + ")")


def test_a_backtracking_bomb_is_linear_in_re2():
    bomb = pattern_of(r"(a+)+$")
    assert bomb.search("a" * 50000 + "!") is None
    assert pattern_of(r"(.*a){20}").search("a" * 5000) is not None


def ruleset(*rules, budget=1.0):
    return Ruleset([Rule(n, f"规则{n}", condition, **actions) for n, (condition, actions) in enumerate(rules)], budget)


def test_every_part_of_a_condition_must_hold():
    rules = ruleset((Condition(words=("降息",), exclude=("期货",), sources=frozenset({7}), markets=frozenset({"HK"})),
                     {"important": True}))
    assert rules.decide("美联储降息", "", sources={7}, markets={"HK", "SH"}).important
    assert not rules.decide("美联储降息", "", sources={8}, markets={"HK"}).important  # another source
    assert not rules.decide("美联储降息", "", sources={7}, markets={"SH"}).important  # no HK security
    assert not rules.decide("美联储降息 期货跌停", "", sources={7}, markets={"HK"}).important  # an excluded word
    assert not rules.decide("美联储加息", "", sources={7}, markets={"HK"}).important


def test_words_are_looked_for_where_the_rule_says():
    body = "据报道，" + "今天的消息。" * 60 + "央行宣布降息。"  # the words well past the lead
    title_only = ruleset((Condition(words=("央行",), scope="title"), {"channel": 1}))
    lead = ruleset((Condition(words=("央行",), scope="lead"), {"channel": 1}))
    everywhere = ruleset((Condition(words=("央行",), scope="all"), {"channel": 1}))
    assert title_only.decide("降息", body).channels == []
    assert lead.decide("降息", body).channels == []
    assert lead.decide("降息", "央行宣布。" + body).channels == [1]
    assert everywhere.decide("降息", body).channels == [1]
    assert title_only.decide("央行降息", "").channels == [1]


def test_actions_add_up_in_the_rules_order():
    rules = ruleset((Condition(words=("原油",)), {"channel": 5, "tag": "能源"}),
                    (Condition(words=("暴跌",)), {"important": True, "channel": 2, "tag": "能源"}),
                    (Condition(words=("传闻",)), {"review": True}),
                    (Condition(words=("原油",)), {"channel": 5}))
    decision = rules.decide("原油暴跌", "")
    assert (decision.channels, decision.tags, decision.important, decision.review) == ([5, 2], ["能源"], True, False)
    assert decision.rules == [0, 1, 3]
    assert rules.decide("传闻", "").review


def test_a_condition_needs_something_to_look_at():
    with pytest.raises(RuleError, match="至少"):
        Condition(exclude=("广告",)).check()
    assert Condition(markets=frozenset({"US"})).check()


def test_a_rule_over_its_budget_is_stopped_at_its_third_overrun_and_the_others_go_on():
    rules = ruleset((Condition(words=("消息",)), {"important": True}), (Condition(words=("消息",)), {"channel": 3}),
                    budget=-1)  # no time at all: every rule overruns every time
    assert [rules.decide("消息", "").channels for _ in range(2)] == [[3], [3]]  # one slow post is not enough
    assert rules.decide("消息", "").channels == [] and rules.decide("消息", "").channels == []
    assert set(rules.stopped) == {0, 1} and "超出时间预算" in rules.stopped[0]
    generous = ruleset((Condition(words=("消息",)), {"channel": 3}))
    assert [generous.decide("消息", "").channels for _ in range(5)] == [[3]] * 5 and not generous.stopped


def test_a_rule_that_cannot_compile_is_stopped_and_the_others_go_on():
    rules = ruleset((Condition(pattern="(未闭合"), {"important": True}), (Condition(words=("消息",)), {"channel": 3}))
    assert rules.decide("消息", "").channels == [3] and "正则表达式" in rules.stopped[0]


def test_hiding_cuts_matches_out_of_text_and_drops_what_is_left_empty():
    teaser = pattern_of(r"【VIP】[^。]*。")
    body = '<p>正文一。</p><p>【VIP】独家解读请订阅。</p><p>尾巴<a href="/x">链接</a>【VIP】看这里。还有</p>'
    assert hide(body, [teaser]) == '<p>正文一。</p><p>尾巴<a href="/x">链接</a>还有</p>'


def test_hiding_leaves_markup_and_unmatched_bodies_alone():
    words = pattern_of("广告")
    body = '<p title="广告">正文<img src="/a.png" alt="广告"></p>'
    assert hide(body, [words]) == body  # attributes are not text
    assert hide("<p>正文</p>", [words]) == "<p>正文</p>"
    assert hide("<p><b>广告</b>正文</p>", [words]) == "<p>正文</p>"  # an element holding only the match goes
    assert hide("<p>&lt;广告&gt; 正文</p>", [words]) == "<p>&lt;&gt; 正文</p>"  # entities stay escaped
