"""Writing posts back out as Jekyll files: the inverse of ``post.parse_post``, with no database.

Given what finews stores of a post, ``post_file`` gives the path and bytes of a file that reads
back — in finews's importer and in real Jekyll — as the same post: title, date, categories, tags,
body, status and URL. Where Jekyll's own rule would not give the stored URL (a date that Jekyll
read as UTC, a post renamed in finews, categories an editor changed) the file carries it as
``permalink``. Pages that show the posts (home, /emnews/, category pages) are in ``site_files``.
"""
import datetime
import re
from dataclasses import dataclass, field

import yaml

from . import filenames, urls
from .dates import SITE_TZ
from .errors import PostError
from .exportable import escaped_title, exportable_body
from .post import source_kind


class Plain(str):
    """A string written as a plain YAML scalar: the keys finews writes, and the date."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Every other string double-quoted. PyYAML leaves many strings plain that Ruby's YAML (what
    Jekyll reads with) takes for something else: ``:x`` (a Ruby symbol, which Jekyll refuses),
    ``yEs``, ``1,000``, ``2022-1-5``. Quoted, each is the same string to both."""


_Dumper.add_representer(str, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"'))
_Dumper.add_representer(Plain, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", str(value)))
BEIJING = datetime.timezone(datetime.timedelta(hours=8))
MAX_NAME_BYTES = 240  # a file name's bytes (file systems allow 255)
LIQUID_RE = re.compile(r"\{\{|\{%")
WRITTEN_KEYS = {"layout", "title", "date", "categories", "tags", "slug", "permalink", "published",
                "important", "render_with_liquid"}


@dataclass
class StoredPost:
    """What the export reads of one post."""

    source_path: str
    title: str
    slug: str
    published_at: datetime.datetime
    url_path: str
    body: str
    published: bool
    categories: list
    tags: list
    extra: dict = field(default_factory=dict)
    important: bool = False


def yaml_lines(data):
    """``data`` (a dict) as block YAML lines, in order, every string on one line; keys given as
    ``Plain`` are written plain, every other string double-quoted."""
    if not data:
        return ""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, default_flow_style=False,
                     sort_keys=False, width=1 << 30)


def jekyll_date(moment):
    """``2022-02-17 17:38:20 +0800``: the moment at UTC+8 (Beijing's offset, also in the years it
    kept summer time), the year in four digits."""
    at = moment.astimezone(BEIJING)
    fraction = f".{at.microsecond:06d}" if at.microsecond else ""
    return (f"{at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}:{at.second:02d}"
            f"{fraction} +0800")


def file_path(post):
    """Where the post's file goes: the path it was imported from, if Jekyll reads a post there
    with the post's categories; else ``_posts/<date>-<slug>.<ext>`` (posts written in finews)."""
    split = filenames.split_posts_path(post.source_path)
    if split is not None and _safe_path(post.source_path):
        prefix, inner = split
        path_categories = filenames.categories_from_path(prefix)
        if post.categories[: len(path_categories)] == path_categories:
            try:
                name = filenames.parse_post_name(inner)
            except PostError:
                name = None
            if name is not None:
                return post.source_path, path_categories, name
    extension = _extension(post.source_path)
    day = post.published_at.astimezone(SITE_TZ).date()
    inner = f"{day.isoformat()}-{_file_slug(post.slug)}{extension}"
    return f"_posts/{inner}", [], filenames.parse_post_name(inner)


def post_file(post, path_override=None, located=None):
    """``(relative path, bytes)`` of the Jekyll file for ``post`` (a StoredPost); ``located`` is
    what ``file_path(post)`` gave, if the caller has it already."""
    path, path_categories, name = located or file_path(post)
    if path_override is not None:
        path = path_override
        name = filenames.parse_post_name(path.rsplit("/", 1)[-1])
    # PyYAML reads ``+0800`` (no colon) as no time zone of its own, so the date stays a plain,
    # unquoted scalar, as the old scraper wrote it; finews's parser and Jekyll read it as a time.
    matter = {Plain("layout"): post.extra.get("layout", "post"), Plain("title"): escaped_title(post.title),
              Plain("date"): Plain(jekyll_date(post.published_at))}
    own_categories = post.categories[len(path_categories):]
    if own_categories:
        matter[Plain("categories")] = list(own_categories)
    if post.tags:
        matter[Plain("tags")] = list(post.tags)
    if name.slug != post.slug:
        matter[Plain("slug")] = post.slug
    permalink = _permalink(post, name)
    if permalink is not None:
        if permalink != post.extra.get("permalink") and urls.PLACEHOLDER_RE.search(permalink):
            raise PostError(f"网址 {permalink} 含有“:字母”，Jekyll 会把它当作 permalink 占位符，无法原样导出")
        matter[Plain("permalink")] = permalink
    if not post.published:
        matter[Plain("published")] = False
    if post.important:
        matter[Plain("important")] = True
    body = exportable_body(post.body, source_kind(path), post.url_path)
    if LIQUID_RE.search(body) or post.extra.get("render_with_liquid") is False:
        # finews never ran Liquid in bodies; Jekyll must not either
        matter[Plain("render_with_liquid")] = False
    matter.update((key, value) for key, value in post.extra.items() if key not in WRITTEN_KEYS)
    return path, ("---\n" + yaml_lines(matter) + "---\n" + body).encode("utf-8")


def _permalink(post, name):
    """The ``permalink`` to write: None where the file's own name, date and categories (or the
    permalink it came with) give the stored URL."""
    day = post.published_at.astimezone(SITE_TZ)
    extension = urls.output_extension(name.extension)
    kept = post.extra.get("permalink")
    if isinstance(kept, str) and kept:
        try:
            built = urls.custom_permalink(kept, urls.url_placeholders(post.categories, day, post.slug, extension))
        except KeyError:
            built = None
        if built == post.url_path:
            return kept
    elif urls.post_url(post.categories, day.date(), post.slug, extension) == post.url_path:
        return None
    return post.url_path


def _extension(source_path):
    """A renamed post keeps its extension, so its kind (Markdown, HTML, plain text); a name
    without one (written in finews) is Markdown."""
    name = source_path.rsplit("/", 1)[-1]
    if "." in name.lstrip("."):
        extension = "." + name.rsplit(".", 1)[-1]
        if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", extension):
            return extension
    return ".md"


def _file_slug(slug):
    """A slug that can stand in a file name, at most MAX_NAME_BYTES - 32 bytes (the real slug goes
    into ``slug:`` if it differs)."""
    cleaned = re.sub(r"[/\\\x00-\x1f]+", "-", slug).strip(".") or "post"
    return cleaned.encode("utf-8")[: MAX_NAME_BYTES - 32].decode("utf-8", "ignore").rstrip(".") or "post"


def _safe_path(path):
    parts = path.split("/")
    return not path.startswith("/") and all(part not in ("", ".", "..") for part in parts)


def category_page(key, name):
    """``(path, bytes)`` of ``category/<key>.html``, or None for a key that cannot be a file name
    Jekyll reads (``/``, a leading ``.``, ``_``, ``#`` or ``~``, a trailing ``~``, too long)."""
    if (not key or re.search(r"[/\\\x00]", key) or key[0] in "._#~" or key.endswith("~")
            or len(key.encode("utf-8")) > MAX_NAME_BYTES):
        return None
    matter = {Plain("layout"): Plain("category"), Plain("category"): key, Plain("title"): name}  # "" stays ""
    return f"category/{key}.html", ("---\n" + yaml_lines(matter) + "---\n").encode("utf-8")


def site_files(title, rolling_tag, per_tag, rolling_count):
    """The pages and layouts that make the export a site Jekyll builds with the old site's
    listings: home (every tag's newest posts in ``site.tags`` order), /emnews/, category pages
    and posts. ``{path: bytes}``."""
    config = yaml_lines({Plain("title"): title, Plain("lang"): "zh-CN", Plain("timezone"): "Asia/Shanghai",
                         Plain("permalink"): "date", Plain("exclude"): ["README.md"]})
    quoted = yaml_lines({Plain("tag"): rolling_tag}).strip()
    files = {
        "_config.yml": config,
        "_layouts/default.html": DEFAULT_LAYOUT,
        "_layouts/post.html": POST_LAYOUT,
        "_layouts/category.html": CATEGORY_LAYOUT,
        "index.html": HOME.replace("PER_TAG", str(per_tag)),
        "emnews.html": EMNEWS.replace("ROLLING_TAG", quoted).replace("COUNT", str(rolling_count)),
    }
    return {path: text.encode("utf-8") for path, text in files.items()}


DEFAULT_LAYOUT = """<!DOCTYPE html>
<html lang="{{ site.lang }}">
<head><meta charset="utf-8">
<title>{% if page.title %}{{ page.title | escape_once }} | {% endif %}{{ site.title | escape }}</title></head>
<body>
<header><a href="{{ '/' | relative_url }}">{{ site.title | escape }}</a></header>
<main>
{{ content }}
</main>
</body>
</html>
"""
POST_LAYOUT = """---
layout: default
---
<article>
<p><small>(GMT+8, Asia/Shanghai, CST) {{ page.date | date: "%Y-%m-%d %H:%M:%S" }}</small></p>
<h1>{{ page.title | escape_once }}</h1>
{{ content }}
<p>tags: {% for tag in page.tags %}<em>{{ tag | escape }}</em>{% unless forloop.last %} - {% endunless %}{% endfor %}</p>
</article>
"""
CATEGORY_LAYOUT = """---
layout: default
---
<h1>{% if page.title != "" %}{{ page.title | escape }}{% else %}{{ page.category | escape }}{% endif %}</h1>
<ul class="posts">
{%- for post in site.categories[page.category] %}
<li><a href="{{ post.url }}">{{ post.title | escape_once }}</a></li>
{%- endfor %}
</ul>
"""
HOME = """---
layout: default
---
{%- for tag in site.tags %}
<h2 id="{{ tag[0] | escape }}">{{ tag[0] | escape }}</h2>
<ul>
{%- for post in tag[1] limit:PER_TAG %}
<li><a href="{{ post.url }}">{{ post.title | escape_once }}</a></li>
{%- endfor %}
</ul>
{%- endfor %}
"""
EMNEWS = """---
layout: default
permalink: /emnews/
ROLLING_TAG
---
<ul>
{%- for post in site.tags[page.tag] limit:COUNT %}
<li><a href="{{ post.url }}" target="_blank">{{ post.title | escape_once }}</a></li>
{%- endfor %}
</ul>
"""

