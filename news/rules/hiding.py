"""Hiding the text a rule matched (an ad, a 「VIP」 teaser, a source's boilerplate) in a post's
sanitised body: the matches are cut out of its text, never out of its markup, and an element that
held nothing but hidden text goes with it. Matches are looked for within each run of text between
tags, so a phrase split by markup (``<b>VIP</b>会员``) is not one match."""
import html

from lxml import html as lxml_html

KEPT_EMPTY = {"br", "hr", "img", "td", "th", "tr", "table", "tbody", "thead", "col", "colgroup"}


def hide(body_html, expressions):
    """``body_html`` with every match of ``expressions`` (compiled, with ``sub``) removed; the
    same string when nothing matched."""
    if not body_html or not expressions:
        return body_html
    text = html.unescape(body_html)  # what the expressions are looked for in: text, not its escapes
    if not any(expression.search(text) for expression in expressions):
        return body_html  # the common case: nothing to parse
    root = lxml_html.fragment_fromstring(body_html, create_parent="div")
    emptied = []
    changed = False
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # comments and processing instructions stay as they are
            continue
        for side in ("text", "tail"):
            before = getattr(element, side)
            if not before:
                continue
            after = before
            for expression in expressions:
                after = expression.sub("", after)
            if after != before:
                changed = True
                setattr(element, side, after)
                if side == "text":
                    emptied.append(element)
    if not changed:
        return body_html
    for element in emptied:
        _drop_if_empty(element, root)
    return html.escape(root.text or "", quote=False) + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root)


def hide_text(text, expressions):
    """Plain ``text`` (a summary) with every match of ``expressions`` removed."""
    for expression in expressions:
        text = expression.sub("", text) if text else text
    return text


def _drop_if_empty(element, root):
    while element is not root and element.tag not in KEPT_EMPTY and len(element) == 0 and not (element.text or "").strip():
        parent = element.getparent()
        element.drop_tree()  # its tail stays
        element = parent
