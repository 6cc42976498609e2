"""The one place untrusted HTML is made safe: ``sanitize_html()``, used by the importer and admin.

One allowlist, two engines, chosen by ``FINEWS_SANITIZER``: ``nh3`` (the default: Rust's ammonia,
maintained, an order of magnitude faster and linear in its input) or ``bleach`` (pure Python, its
maintainers have ended it at 6.4.0; html5lib under it is quadratic on unclosed tags such as
``<script `` repeated). tests/test_sanitize_engines.py holds them to the same output.
"""
import bisect
import re
from functools import lru_cache
from urllib.parse import urlsplit

import bleach
import nh3
from bleach.html5lib_shim import Filter
from django.conf import settings

# Everything the Markdown renderer produces is here (``del`` for ~~strike~~, ``h1`` for ``#``).
ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "b", "em", "i", "del", "s", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "img",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    "code", "pre", "hr",
})
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "img": ["src", "alt"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"

# Elements whose content is never text a reader should see; bleach would keep it as text.
_HIDDEN = "script|style|template|iframe|object|noscript|textarea|select"
_HIDDEN_OPEN_RE = re.compile(rf"<({_HIDDEN})\b", re.I)
_HIDDEN_CLOSE_RE = re.compile(rf"</({_HIDDEN})\s*>", re.I)
_RELATIVE_UP_RE = re.compile(r"^(?:\.\./)+")


class _LinkFilter(Filter):
    """Adds ``rel`` to links and makes links to the old site's hosts site-relative."""

    old_hosts = frozenset()

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag"):
                attrs = token["data"]
                if token["name"] == "a":
                    key = (None, "href")
                    if key in attrs:
                        attrs[key] = self.rewrite(attrs[key])
                    attrs[(None, "rel")] = LINK_REL
                elif token["name"] == "img" and (None, "src") in attrs:
                    attrs[(None, "src")] = self.rewrite(attrs[(None, "src")])
            yield token

    def rewrite(self, url):
        return rewrite_url(url, self.old_hosts)


def rewrite_url(url, old_hosts):
    """The scraper's ``../`` back-links and links to the old site's hosts become site-relative."""
    stripped = url.strip()
    if stripped.startswith("../"):
        # The scraper's "../emnews/" back-links meant the site root.
        return _RELATIVE_UP_RE.sub("/", stripped)
    if stripped.startswith(("//", "http://", "https://", "HTTP://", "HTTPS://")):
        try:
            parts = urlsplit(stripped if "://" in stripped else "http:" + stripped)
        except ValueError:
            return url
        if (parts.hostname or "").lower() in old_hosts:
            local = parts.path or "/"
            if parts.query:
                local += "?" + parts.query
            if parts.fragment:
                local += "#" + parts.fragment
            return local
    return url


@lru_cache(maxsize=8)
def _cleaner(old_hosts):
    link_filter = type("LinkFilter", (_LinkFilter,), {"old_hosts": old_hosts})
    return bleach.sanitizer.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[link_filter],
    )


def _clean_with_nh3(html, hosts):
    def rewrite(element, attribute, value):
        if (element, attribute) in (("a", "href"), ("img", "src")):
            return rewrite_url(value, hosts)
        return value

    # "*": nothing on every tag (ammonia's default would let title and lang on all of them).
    attributes = {"*": set(), **{tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}}
    return nh3.clean(html, tags=set(ALLOWED_TAGS), attributes=attributes,
                     url_schemes=set(ALLOWED_PROTOCOLS), strip_comments=True, link_rel=LINK_REL,
                     attribute_filter=rewrite)


def sanitize_html(html, old_hosts=(), engine=None):
    """Return ``html`` with only the allowed tags, attributes and URL schemes left."""
    hosts = frozenset(host.lower() for host in old_hosts)
    html = drop_hidden_elements(html)
    if (engine or settings.FINEWS_SANITIZER) == "nh3":
        return _clean_with_nh3(html, hosts)
    return _cleaner(hosts).clean(html)


def drop_hidden_elements(html):
    """Remove each ``<script …>…</script>`` (and the like) with its content, in linear time.

    Each opening tag runs to the first matching closing tag after it; one with no closing tag runs
    to the end, as a browser reads it (and nh3 cleans it), so both engines give the same output.
    (A lazy ``.*?`` regex does the same in quadratic time when openings have no closings.)"""
    if not _HIDDEN_OPEN_RE.search(html):
        return html
    closings = {}
    for match in _HIDDEN_CLOSE_RE.finditer(html):
        closings.setdefault(match.group(1).lower(), []).append((match.start(), match.end()))
    pieces, position = [], 0
    for match in _HIDDEN_OPEN_RE.finditer(html):
        if match.start() < position:
            continue
        ends = closings.get(match.group(1).lower(), [])
        index = bisect.bisect_left(ends, (match.end(), -1))
        pieces.append(html[position : match.start()])
        if index == len(ends):
            position = len(html)
            break
        position = ends[index][1]
    pieces.append(html[position:])
    return "".join(pieces)
