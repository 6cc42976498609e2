"""Rules: what an editor's rule decides about a post, from its text, source and securities.

Pure logic (no database): news/models/rules.py stores rules, news/changes/ruling.py applies them
on every write. A rule's condition is words (any of them), words it must not contain, a regular
expression, sources and the markets of the securities it names — every part given must hold. Its
actions: put the post in a channel, add a tag, mark it 重要, send it to 待审核, hide the text that
matched. Rules add; they never take away (but a post's channels and hidden text follow its text).

Regular expressions are RE2's (google-re2): matching takes time linear in the text, so no
expression can backtrack catastrophically; what RE2 cannot do (back-references, look-around) is
refused when the rule is saved, with the reason. Each rule also has a time budget per post: one
that overruns it again and again (a huge expression on huge bodies) is stopped, and the write goes
on without it.
"""
import re
import time
from dataclasses import dataclass, field

import re2

from news.rules.hiding import hide, hide_text

__all__ = ["LEAD", "SCOPES", "Condition", "Decision", "RuleError", "Ruleset", "compile_words", "hide", "hide_text",
           "parse_words", "pattern_of"]

LEAD = 200  # a body's lead: its first characters, where a wire item says what it is about
SCOPES = {"title": "只看标题", "lead": "标题和导语（正文前 200 字）", "all": "标题和全文"}
_SEPARATORS = re.compile(r"[\n\r,，、;；]+")
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_OPTIONS.max_mem = 8 << 20  # an expression that needs more than this is refused as too big


class RuleError(ValueError):
    """A condition that cannot be used, with the reason in Chinese."""


def parse_words(text):
    """Words one per line (or separated by commas, 、 or semicolons), blanks and repeats dropped."""
    seen = []
    for word in _SEPARATORS.split(text or ""):
        word = word.strip()
        if word and word not in seen:
            seen.append(word)
    return tuple(seen)


def pattern_of(text):
    """The compiled RE2 expression, or RuleError naming why it cannot be used."""
    if not text:
        return None
    try:
        compiled = re2.compile(text, _OPTIONS)
    except re2.error as error:
        reason = str(error.args[0] if error.args else error)
        if isinstance(error.args[0] if error.args else None, bytes):
            reason = error.args[0].decode("utf-8", "replace")
        if "pattern too large" in reason:
            raise RuleError("正则表达式太大，请拆成几条规则") from None
        if "invalid perl operator" in reason or "invalid escape" in reason:
            raise RuleError(f"正则表达式用了不支持的写法（反向引用、环视等）：{reason}") from None
        raise RuleError(f"正则表达式有误：{reason}") from None
    if compiled.search("") is not None:
        raise RuleError("正则表达式能匹配空文字（每篇文章都会命中），请写得更具体")
    return compiled


@dataclass(frozen=True)
class Condition:
    words: tuple = ()  # any of these
    exclude: tuple = ()  # none of these
    pattern: str = ""  # an RE2 expression
    scope: str = "lead"  # where words and the expression are looked for: SCOPES
    sources: frozenset = frozenset()  # category ids
    markets: frozenset = frozenset()  # Security.Market values of securities it names

    def check(self):
        if not (self.words or self.pattern or self.sources or self.markets):
            raise RuleError("条件至少要有一项：词语、正则表达式、来源或证券市场")
        _compile(self)
        return self


@dataclass
class Rule:
    """A rule as applied: ``key`` identifies it to the caller (the stored rule's id)."""

    key: object
    name: str
    condition: Condition
    channel: object = None  # a channel id
    tag: str = ""
    important: bool = False
    review: bool = False
    hide: bool = False


@dataclass
class Decision:
    """What the rules decided about one post."""

    channels: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    important: bool = False
    review: bool = False
    hiders: list = field(default_factory=list)  # compiled expressions whose matches are hidden
    rules: list = field(default_factory=list)  # keys of the rules that matched


def compile_words(words):
    """One RE2 alternation of ``words`` (None for none), or RuleError when there are too many."""
    if not words:
        return None
    try:
        return re2.compile("|".join(re2.escape(word) for word in words), _OPTIONS)
    except re2.error:
        raise RuleError("词语太多，请拆成几条规则") from None


def _compile(condition):
    return compile_words(condition.words), compile_words(condition.exclude), pattern_of(condition.pattern)


class Ruleset:
    """Rules compiled once, applied to many posts. ``budget`` is each rule's time per post, in
    seconds; a rule that overruns it ``STRIKES`` times, or cannot be compiled, is stopped
    (``stopped``: key → reason) and not tried again."""

    def __init__(self, rules, budget=0.05):
        self.rules = list(rules)
        self.budget = budget
        self.stopped = {}
        self._compiled = {}
        self._overruns = {}
        for rule in self.rules:
            try:
                self._compiled[rule.key] = _compile(rule.condition)
            except RuleError as error:  # saved past the form (a shell, a migration): stopped, not a crash
                self.stopped[rule.key] = str(error)

    STRIKES = 3  # a rule is stopped when it overruns its budget this many times (one slow post is not enough)

    def decide(self, title, body_text, sources=(), markets=()):
        decision = Decision()
        sources, markets = set(sources), set(markets)
        for rule in self.rules:
            if rule.key in self.stopped:
                continue
            started = time.perf_counter()
            matched = self._matches(rule, title, body_text, sources, markets)
            spent = time.perf_counter() - started
            if spent > self.budget:
                self._overruns[rule.key] = self._overruns.get(rule.key, 0) + 1
                if self._overruns[rule.key] >= self.STRIKES:
                    self.stopped[rule.key] = (f"超出时间预算：{self.STRIKES} 篇文章各用了 {spent * 1000:.0f} 毫秒左右"
                                              f"（预算 {self.budget * 1000:.0f} 毫秒）")
                    continue
            if matched:
                self._act(rule, decision)
        return decision

    def _matches(self, rule, title, body_text, sources, markets):
        condition = rule.condition
        if condition.sources and not condition.sources & sources:
            return False
        if condition.markets and not condition.markets & markets:
            return False
        words, exclude, pattern = self._compiled[rule.key]
        texts = (title, body_text[:LEAD] if condition.scope == "lead" else body_text) if condition.scope != "title" else (title,)
        if words is not None and not any(words.search(text) for text in texts):
            return False
        if pattern is not None and not any(pattern.search(text) for text in texts):
            return False
        return not (exclude is not None and any(exclude.search(text) for text in texts))

    def _act(self, rule, decision):
        decision.rules.append(rule.key)
        if rule.channel is not None and rule.channel not in decision.channels:
            decision.channels.append(rule.channel)
        if rule.tag and rule.tag not in decision.tags:
            decision.tags.append(rule.tag)
        decision.important |= rule.important
        decision.review |= rule.review
        if rule.hide:
            words, _, pattern = self._compiled[rule.key]
            hider = pattern if pattern is not None else words  # the expression's matches, else the words
            if hider is not None:
                decision.hiders.append(hider)
