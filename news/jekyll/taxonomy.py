"""Categories and tags from front matter (sections 4 and 5), with finews's fixes from section 13:
values become their text form once, duplicates are dropped, empty values are ignored.
"""
import datetime
import re

# Ruby's String#split with no argument splits on ASCII white space only (not U+3000 or U+00A0).
ASCII_WHITESPACE_RE = re.compile(r"[ \t\n\v\f\r]+")


def text_form(value):
    """How Ruby's ``to_s`` writes a YAML scalar: ``true``, ``7.5``, ``2013``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def split_words(text):
    return [word for word in ASCII_WHITESPACE_RE.split(text) if word]


def _as_list(value, *, split):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if isinstance(item, (list, tuple)):
                items.extend(item)
            else:
                items.append(item)
        return [text_form(item) for item in items if item is not None]
    if isinstance(value, str):
        return split_words(value) if split else [value]
    return [text_form(value)]


def _unique(values):
    seen = set()
    result = []
    for value in values:
        if value and value not in seen:
            seen.add(value)
            result.append(value)
    return result


def parse_categories(data, path_categories=()):
    """Folder categories first, then ``categories`` (split), then ``category`` (never split)."""
    from_plural = _as_list(data.get("categories"), split=True)
    if data.get("category") is not None:
        from_singular = _as_list(data.get("category"), split=False)
    else:
        from_singular = from_plural
    return _unique([*path_categories, *from_plural, *from_singular])


def parse_tags(data):
    """``tag`` (never split) wins over ``tags`` (split on ASCII white space)."""
    if data.get("tag") is not None:
        return _unique(_as_list(data["tag"], split=False))
    return _unique(_as_list(data.get("tags"), split=True))
