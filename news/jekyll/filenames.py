"""Which files under ``_posts/`` are posts, and what their names say (spec section 1)."""
import datetime
import re
from dataclasses import dataclass

from .errors import PostError

# Jekyll's DATE_FILENAME_MATCHER, applied to the path relative to the ``_posts`` folder.
POST_NAME_RE = re.compile(r"^(?>.+/)*?(\d{2,4}-\d{1,2}-\d{1,2})-([^/]*)(\.[^.]+)$")

MARKDOWN_EXTENSIONS = {".md", ".markdown", ".mkdown", ".mkdn", ".mkd"}
DATA_EXTENSIONS = {".yml", ".yaml"}


@dataclass(frozen=True)
class PostName:
    date: datetime.date
    slug: str
    extension: str

    @property
    def is_markdown(self):
        return self.extension.lower() in MARKDOWN_EXTENSIONS

    @property
    def is_html(self):
        return self.extension.lower() == ".html"


def is_filtered(name):
    """Jekyll's entry filter: hidden, private, backup and editor files are not read."""
    return name.startswith((".", "_", "#", "~")) or name.endswith("~")


def split_posts_path(relpath):
    """Split ``es/_posts/2022/x.md`` into (``es``, ``2022/x.md``); None if no ``_posts`` folder."""
    parts = relpath.split("/")
    for index, part in enumerate(parts[:-1]):
        if part == "_posts":
            return "/".join(parts[:index]), "/".join(parts[index + 1 :])
    return None


def is_readable_post_path(inner):
    """Whether a path relative to ``_posts/`` is one Jekyll reads at all (before the name rule)."""
    parts = inner.split("/")
    if any(part.startswith(".") for part in parts):
        return False
    if is_filtered(parts[-1]):
        return False
    return not (len(parts) > 1 and is_filtered(parts[0]))


def parse_post_name(inner):
    """Date, slug and extension of a post from its path relative to ``_posts/``.

    Returns None for names that are not post names (Jekyll ignores those silently) and raises
    PostError for a post name whose date is impossible (Jekyll aborted the build on those).
    """
    match = POST_NAME_RE.match(inner)
    if not match:
        return None
    date_text, slug, extension = match.groups()
    if extension.lower() in DATA_EXTENSIONS:
        return None
    year, month, day = (int(piece) for piece in date_text.split("-"))
    if year < 100:
        # Ruby's Date._parse reads two-digit years as 19xx from 69, 20xx below.
        year += 1900 if year >= 69 else 2000
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        raise PostError(f"文件名中的日期无效：{date_text}") from None
    return PostName(date=date, slug=slug.rstrip("."), extension=extension)


def categories_from_path(prefix):
    """Categories Jekyll adds for a ``<dir>/_posts/`` folder: each folder above ``_posts``."""
    return [part for part in prefix.split("/") if part and part != "_posts"]
