"""Plain text from finews's HTML, and text that XML 1.0 can carry.

``text_of_html``: what a reader reads of sanitised HTML, for the search index, summaries and
stories. ``TextMemo``: what a parse worker derived from a post's text (its story signature, the
securities it names), kept for the write of that text in the importing process.

Text that XML 1.0 can carry. Feeds and sitemaps are XML, and a title, body, tag or category name
holding a character XML cannot hold (a C0 control other than tab, line feed and carriage return;
U+FFFE, U+FFFF; a lone surrogate) would make every feed that lists it fail. Every write path
removes them before storing (the importer, and so the API; the admin's forms), and the feeds
remove them again as they write, so a site that holds such text from before still serves feeds.
"""
import hashlib
import html
import re
from collections import OrderedDict

_BLOCK_TAG_RE = re.compile(r"<(?:/?(?:p|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|pre|hr)\b|br\b)[^>]*>", re.I)
_TAG_RE = re.compile(r"<[^>]*>")


def text_of_html(markup):
    """What a reader reads of sanitised HTML: block boundaries become line breaks (so words in
    two paragraphs never join), inline tags vanish, entities are decoded."""
    return html.unescape(_TAG_RE.sub("", _BLOCK_TAG_RE.sub("\n", markup)))


class TextMemo:
    """Values derived from a post's title and sanitised body, kept by a digest of the two; the
    oldest go past ``size`` (an import writes 500 posts a batch while the next is parsed)."""

    def __init__(self, size=2_000):
        self.size = size
        self._kept = OrderedDict()

    @staticmethod
    def _digest(title, body_html):
        text = f"{title or ''}\0{body_html or ''}"
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def put(self, title, body_html, value):
        self._kept[self._digest(title, body_html)] = value
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)

    def take(self, title, body_html):
        """The value kept for this text (once), or None."""
        return self._kept.pop(self._digest(title, body_html), None)


ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value):
    """``value`` without the characters XML 1.0 cannot hold."""
    return ILLEGAL_RE.sub("", value) if value else value


def without_illegal(value):
    """``(clean, count)``: a string, or the strings in nested dicts and lists (keys too), without
    the characters XML 1.0 cannot hold, and how many were removed."""
    if isinstance(value, str):
        clean, count = ILLEGAL_RE.subn("", value)
        return clean, count
    if isinstance(value, dict):
        pairs = [(without_illegal(key), without_illegal(item)) for key, item in value.items()]
        return {key: item for (key, _), (item, _) in pairs}, sum(a + b for (_, a), (_, b) in pairs)
    if isinstance(value, list):
        items = [without_illegal(item) for item in value]
        return [item for item, _ in items], sum(count for _, count in items)
    return value, 0
