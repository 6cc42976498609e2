"""What an exported file may carry so that Jekyll builds nothing finews would not show.

finews sanitises what it renders; Jekyll does not. Its Markdown engine (kramdown) passes raw HTML
through and reads its own syntax besides (``{: onclick=…}`` attribute lists, ``{::nomarkdown}``,
links to any scheme), and it copies an ``.html`` post's body as it is. So an export writes:

- a Markdown body unchanged when no line of it can make kramdown emit markup (the common case:
  the scraper's bodies are text, a ``> `` summary and ``<http…>`` autolinks); otherwise each
  top-level block holding such a line becomes the HTML finews shows for it (rendered, sanitised),
  inside one ``<div>`` that both Markdown engines copy without reading Markdown in it;
- an HTML body sanitised;
- a plain-text body as it is where Jekyll writes a ``.txt``, ``.json``, ``.csv`` or ``.tsv`` file
  (never served as markup), escaped anywhere else (``.html``, ``.shtml``, ``.svg``, ``.xml``,
  ``.xhtml``, no extension: a server or browser may take any of them as markup);
- titles HTML-escaped (the layouts escape what they print, too: ``escape_once``).
"""
import html
import re

from ..sanitize import sanitize_html
from .markdown import parse_blocks, render_tokens

# Raw HTML of any kind (a tag, a closing tag, a comment, a declaration), but an http(s) autolink.
RAW_HTML_RE = re.compile(r"<(?!https?://[^<>\s]*>)[A-Za-z!?/]")
# kramdown's attribute lists, extensions and their definitions: attributes, raw output.
KRAMDOWN_RE = re.compile(r"\{:")
# Where a link's address stands: ``](address`` and a reference definition ``[x]: address``.
LINK_RE = re.compile(r"\]\(\s*<?([^\s)>]*)|^[ ]{0,3}\[[^\]]*\]:\s*<?(\S*)")
SAFE_SCHEME_RE = re.compile(r"(?:https?|mailto):", re.I)
# A link whose address goes on past the line: kramdown keeps the newline in the address, which a
# browser drops, so ``javascri`` + ``pt:`` on the next line would spell a scheme no line holds.
OPEN_LINK_RE = re.compile(r"\]\([^)]*\Z")
SCRIPT_RE = re.compile(r"script:|data:", re.I)
# What a browser ignores inside a URL's scheme, or what kramdown or the browser decodes away.
IGNORED_IN_SCHEME_RE = re.compile(r"[\x00-\x20\\]+")
BLANK_EDGES_RE = re.compile(r"\A(?:[ \t]*\n)+|(?:\n[ \t]*)+\Z")
TEXT_FILE_RE = re.compile(r"\.(?:txt|json|csv|tsv)\Z", re.I)


def escaped_title(title):
    """A title as Jekyll prints it (as markup): escaped, so that it shows as the text it is."""
    return html.escape(title, quote=False)


def unsafe_address(address):
    if "&" in address or "\\" in address:
        return True  # an entity or an escape can spell any scheme
    if SAFE_SCHEME_RE.match(address):
        return False
    return ":" in re.split(r"[/?#]", address, maxsplit=1)[0]


def spells_script(line):
    """Whether ``line`` spells a script or data scheme once entities are decoded and what a browser
    skips is removed: a link's address may stand alone on the line after its ``](``."""
    return bool(SCRIPT_RE.search(IGNORED_IN_SCHEME_RE.sub("", html.unescape(line))))


def unsafe_line(line):
    """Whether kramdown could make markup of ``line`` that the sanitiser would not allow."""
    if RAW_HTML_RE.search(line) or KRAMDOWN_RE.search(line) or spells_script(line) or OPEN_LINK_RE.search(line):
        return True
    return any(unsafe_address(a or b) for a, b in LINK_RE.findall(line))


def raw_block(html_text):
    """Sanitised HTML as one block both Markdown engines copy as it is: one element, and no blank
    line in it (a blank line ends an HTML block; inside ``<pre>`` the newline stays, as ``&#10;``)."""
    inner = re.sub(r"\n(?=[ \t]*(?:\n|\Z))", "&#10;", html_text.strip("\n"))
    return f"<div>\n{inner}\n</div>" if inner.strip() else ""


def markdown_body(body):
    """The Markdown body to export (see the module's docstring)."""
    text = body.replace("\r\n", "\n")
    lines = text.split("\n")
    bad = {number for number, line in enumerate(lines) if unsafe_line(line)}
    if not bad:
        return body
    tokens, env, spans = parse_blocks(text)
    if bad - {n for (start, end), _, _ in spans for n in range(start, end)}:
        # Something outside every block (a reference definition): the whole body as finews shows it.
        return raw_block(sanitize_html(render_tokens(tokens, env))) + "\n"
    pieces, position = [], 0
    for (start, end), first, last in spans:
        if bad.intersection(range(start, end)):
            pieces.append("\n".join(lines[position:start]))
            pieces.append(raw_block(sanitize_html(render_tokens(tokens[first:last], env))))
            position = end
    pieces.append("\n".join(lines[position:]))
    # Blocks apart by one blank line (the same text exported again gives the same file).
    kept = (BLANK_EDGES_RE.sub("", piece) for piece in pieces)
    return "\n\n".join(piece for piece in kept if piece) + ("\n" if text.endswith("\n") else "")


def exportable_body(body, kind, url_path):
    """``body`` of a post of ``kind`` (``markdown``, ``html`` or ``plain``) served at ``url_path``,
    as it may stand in an exported file."""
    if kind == "markdown":
        return markdown_body(body)
    if kind == "html":
        return sanitize_html(body)
    return body if TEXT_FILE_RE.search(url_path) else html.escape(body, quote=False)
