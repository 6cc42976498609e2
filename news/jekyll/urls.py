"""Post URLs exactly as Jekyll's default ``permalink: date`` built them (section 6)."""
import re
import unicodedata
from urllib.parse import quote

from .filenames import MARKDOWN_EXTENSIONS

# Characters Jekyll's "pretty" slug mode keeps besides Unicode letters, marks and digits.
PRETTY_KEEP = set("._~!$&'()+,;=@")
# Addressable's path encoder leaves these alone; ``%`` is always encoded, ``#`` becomes %23.
PATH_SAFE = "/!$&'()*+,;=:@-._~?"


def slugify_pretty(text):
    """Jekyll's ``slugify(mode: "pretty", cased: true)``: runs of other characters become ``-``."""
    return _dash_runs(text, lambda char: _is_alphanumeric(char) or char in PRETTY_KEEP)


def _is_alphanumeric(char):
    category = unicodedata.category(char)
    return category[0] in "LM" or category == "Nd"


def _dash_runs(text, keep):
    """``text`` with each run of characters ``keep`` refuses turned into one ``-``, none at the ends."""
    pieces, dash = [], False
    for char in text:
        if keep(char):
            if dash and pieces:
                pieces.append("-")
            pieces.append(char)
            dash = False
        else:
            dash = True
    return "".join(pieces)


def escape_path(path):
    """Percent-encode a URL path the way Jekyll's ``URL.escape_path`` does."""
    return quote(path, safe=PATH_SAFE)


def sanitize_url(url):
    """Jekyll's ``URL#sanitize_url``: ``..`` becomes ``/``, ``./`` goes, slashes are squeezed."""
    url = ("/" + url).replace("..", "/").replace("./", "")
    while "//" in url:
        url = url.replace("//", "/")
    return url


def post_url(categories, date, slug, extension=".html"):
    """``/:categories/:year/:month/:day/:title:output_ext``, escaped, as Jekyll wrote hrefs."""
    seen = []
    for category in categories:
        lowered = category.lower()
        if lowered not in seen:
            seen.append(lowered)
    parts = [
        "/".join(seen),
        f"{date.year:04d}",
        f"{date.month:02d}",
        f"{date.day:02d}",
        slugify_pretty(slug),
    ]
    url = "/" + "/".join(escape_path(part) for part in parts) + escape_path(extension)
    return sanitize_url(url.replace("#", "%23"))


PLACEHOLDER_RE = re.compile(r":([a-z_]+)")
_ESCAPE_RE = re.compile(r"%(?![0-9A-Fa-f]{2})|[^%]+")


def slugify_default(text):
    """Jekyll's ``slugify`` in its default mode: lower case, runs of non-alphanumerics → ``-``."""
    return _dash_runs(text.lower(), _is_alphanumeric)


def url_placeholders(categories, moment, slug, extension):
    """The values a permalink template can use, as Jekyll's URL drop gives them for a post."""
    seen = list(dict.fromkeys(category.lower() for category in categories))
    return {
        "categories": "/".join(seen), "title": slugify_pretty(slug), "slug": slugify_default(slug),
        "name": slugify_default(slug), "year": f"{moment.year:04d}", "month": f"{moment.month:02d}",
        "day": f"{moment.day:02d}", "hour": f"{moment.hour:02d}", "minute": f"{moment.minute:02d}",
        "second": f"{moment.second:02d}", "i_month": str(moment.month), "i_day": str(moment.day),
        "short_year": f"{moment.year % 100:02d}", "y_day": f"{moment.timetuple().tm_yday:03d}",
        "short_month": moment.strftime("%b"), "long_month": moment.strftime("%B"),
        "short_day": moment.strftime("%a"), "long_day": moment.strftime("%A"),
        "week": moment.strftime("%V"), "w_year": moment.strftime("%G"), "w_day": moment.strftime("%u"),
        "output_ext": extension,
    }


def custom_permalink(permalink, placeholders):
    """A front-matter ``permalink:`` replaces the computed URL. Its ``:name`` placeholders are
    filled (each value escaped) as Jekyll does; the template's own text keeps its %-escapes.
    Raises KeyError naming an unknown placeholder (Jekyll stopped the build there)."""

    def fill(match):
        name = match.group(1)
        for key in (name, name.removesuffix("_")):
            if key in placeholders:
                value = escape_path(placeholders[key]).replace("#", "%23", 1)
                return value + match.group(0)[1 + len(key):]
        raise KeyError(name)

    def escape_literal(text):
        return _ESCAPE_RE.sub(lambda m: "%25" if m.group(0) == "%" else escape_path(m.group(0)), text)

    pieces, position = [], 0
    for match in PLACEHOLDER_RE.finditer(permalink):
        pieces.append(escape_literal(permalink[position : match.start()]))
        pieces.append(fill(match))
        position = match.end()
    pieces.append(escape_literal(permalink[position:]))
    return sanitize_url("".join(pieces).replace("#", "%23"))


def normalize_request_path(path):
    """The stored form of a (decoded) request path, so raw-Unicode and %-encoded URLs both match."""
    return escape_path(path).replace("#", "%23")


def output_extension(extension):
    """Markdown and HTML posts become ``.html``; any other extension is kept (identity converter)."""
    lowered = extension.lower()
    if lowered in MARKDOWN_EXTENSIONS or lowered == ".html":
        return ".html"
    return extension
