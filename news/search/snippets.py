"""Short excerpts of a found post with the searched words marked: pure functions, no database."""
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

BEFORE, AFTER = 30, 90


def _pattern(words):
    words = sorted({word for word in words if word}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)), re.I) if words else None


def marked(text, words):
    """``text`` escaped, each occurrence of ``words`` wrapped in ``<mark>``."""
    pattern = _pattern(words)
    if pattern is None:
        return escape(text)
    pieces, position = [], 0
    for match in pattern.finditer(text):
        pieces += [escape(text[position : match.start()]), "<mark>", escape(match.group()), "</mark>"]
        position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))


def snippet(text, words):
    """About 120 characters of ``text`` around the first searched word, marked."""
    text = " ".join(text.split())
    pattern = _pattern(words)
    found = pattern.search(text) if pattern else None
    start = max(0, found.start() - BEFORE) if found else 0
    end = min(len(text), (found.end() if found else 0) + AFTER)
    excerpt = marked(text[start:end], words)
    return mark_safe(("…" if start else "") + excerpt + ("…" if end < len(text) else ""))
