"""Post URLs exactly as Jekyll's default ``permalink: date`` built them (section 6)."""
import unicodedata
from urllib.parse import quote

from .filenames import MARKDOWN_EXTENSIONS

# Characters Jekyll's "pretty" slug mode keeps besides Unicode letters, marks and digits.
PRETTY_KEEP = set("._~!$&'()+,;=@")
# Addressable's path encoder leaves these alone; ``%`` is always encoded, ``#`` becomes %23.
PATH_SAFE = "/!$&'()*+,;=:@-._~?"


def slugify_pretty(text):
    """Jekyll's ``slugify(mode: "pretty", cased: true)``: runs of other characters become ``-``."""
    pieces = []
    dash = False
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "LM" or category == "Nd" or char in PRETTY_KEEP:
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


def custom_permalink(permalink):
    """A front-matter ``permalink:`` replaces the computed URL."""
    return sanitize_url(escape_path(str(permalink)).replace("#", "%23"))


def normalize_request_path(path):
    """The stored form of a (decoded) request path, so raw-Unicode and %-encoded URLs both match."""
    return escape_path(path).replace("#", "%23")


def output_extension(extension):
    """Markdown and HTML posts become ``.html``; any other extension is kept (identity converter)."""
    lowered = extension.lower()
    if lowered in MARKDOWN_EXTENSIONS or lowered == ".html":
        return ".html"
    return extension
