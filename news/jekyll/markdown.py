"""Markdown bodies to HTML, as close to Jekyll's kramdown as markdown-it-py allows (section 9)."""
import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt

# kramdown's typographic symbols besides quotes; markdown-it's own "replacements" rule also turns
# (c) into © and +- into ±, which kramdown does not.
_TYPOGRAPHY = [
    (re.compile(r"(?<!-)---(?!-)"), "\u2014"),
    (re.compile(r"(?<!-)--(?!-)"), "\u2013"),
    (re.compile(r"\.\.\."), "\u2026"),
    (re.compile(r"<<"), "\u00ab"),
    (re.compile(r">>"), "\u00bb"),
]


def _kramdown_typography(state):
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        inside_link = 0
        for token in block.children:
            if token.type == "link_open":
                inside_link += 1
            elif token.type == "link_close":
                inside_link -= 1
            elif token.type == "text" and not inside_link:
                content = token.content
                for pattern, replacement in _TYPOGRAPHY:
                    content = pattern.sub(replacement, content)
                token.content = content


@lru_cache(maxsize=1)
def _parser():
    md = MarkdownIt("commonmark", {"html": True, "typographer": True})
    md.enable(["table", "strikethrough", "smartquotes"])
    md.core.ruler.push("kramdown_typography", _kramdown_typography)
    # A pure function of the address, and the same back-links stand in thousands of posts.
    md.normalizeLink = lru_cache(maxsize=8192)(md.normalizeLink)
    return md


def render_markdown(text):
    """Render Markdown with raw HTML blocks and ``<http://…>`` autolinks to (unsanitised) HTML."""
    return _parser().render(text.replace("\r\n", "\n"))


def render_plain(text):
    """Bodies of posts with an unknown extension are not converted: show them as they are."""
    return f"<pre>{html.escape(text)}</pre>"


def parse_blocks(text):
    """``(tokens, env, spans)`` of Markdown ``text`` (``\\n`` line ends): each top-level block's
    span is ``((first line, end line), first token, end token)``."""
    env = {}
    tokens = _parser().parse(text, env)
    spans, index = [], 0
    while index < len(tokens):
        first, depth = index, tokens[index].nesting
        index += 1
        while depth > 0:
            depth += tokens[index].nesting
            index += 1
        if tokens[first].map:
            spans.append((tuple(tokens[first].map), first, index))
    return tokens, env, spans


def render_tokens(tokens, env):
    """What ``render_markdown`` gives for these tokens of a parse (``env`` holds its link references)."""
    parser = _parser()
    return parser.renderer.render(tokens, parser.options, env)
