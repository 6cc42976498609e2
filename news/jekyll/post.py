"""One post file in, one ParsedPost out: everything the importer stores, computed without a database."""
import datetime
import hashlib
import html
import re
from dataclasses import dataclass, field

from ..sanitize import sanitize_html
from ..text import without_illegal
from . import dates, filenames, frontmatter, taxonomy, urls
from .errors import PostError
from .markdown import render_markdown, render_plain

# Bump when parsing or rendering changes, so a re-import refreshes every post.
PARSER_VERSION = "2"

SUMMARY_RE = re.compile(r"\A\s*((?:[ ]{0,3}>[^\n]*(?:\n|\Z))+)")
AUTOLINK_LINE_RE = re.compile(r"^[ \t]*<((?:https?|ftp)://[^<>\s]*|)>[ \t]*\r?$", re.M)
LIQUID_RE = re.compile(r"\{\{|\{%")
FIELDS_READ = {"title", "date", "categories", "category", "tags", "tag", "published", "slug", "important"}
# What a tag looks like in a title: ``<b>``, ``</i>``, ``<br/>``, ``<!-- x -->`` (not ``a < b``).
TAG_RE = re.compile(r"</?[A-Za-z!][^<>]*>")
# Bounds of what the database columns hold.
MAX_TITLE_CHARS, MAX_SLUG_CHARS, MAX_URL_CHARS, MAX_SOURCE_PATH_CHARS = 500, 300, 1000, 500
MAX_CATEGORY_CHARS, MAX_TAG_CHARS, MAX_TERMS = 200, 100, 100
# Markdown costs per block, not per byte: a body of one-line blocks (``a: b`` / ``-- `` headings)
# costs ~50 µs a line, 80 times an ordinary post's bytes. Real posts: tens of lines; a 1 MB
# generated news body: ~3,500.
MAX_BODY_LINES = 20_000


class NotAPost(Exception):
    """A file Jekyll would not read as a post (its name is not a post name); it is skipped."""


@dataclass
class ParsedPost:
    source_path: str
    content_hash: str
    title: str
    slug: str
    published_at: datetime.datetime
    url_path: str
    categories: list
    tags: list
    summary: str
    body_markdown: str
    body_html: str
    source_url: str
    is_draft: bool
    extra: dict
    legacy_urls: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    important: bool = False  # ``important: true`` (finews's export writes it); never unmarks a post
    # Not the Jekyll parser's: the importer's parse workers fill it with the post's search tokens
    # (news/search/tokens.py, joined by spaces), so the writing process does not tokenise
    # thousands of posts serially.
    search_tokens: str = None
    story: object = None  # news/stories.Signature, made by the parse worker
    securities: list = None  # news/securities.Security named, found by the parse worker


def content_hash(data):
    return hashlib.sha256(PARSER_VERSION.encode() + b"\0" + data).hexdigest()


def decode(data):
    if b"\0" in data:
        raise PostError("文件是二进制内容，不是文本")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PostError(f"文件不是有效的 UTF-8（第 {exc.start} 字节处）") from None
    return text.removeprefix("\ufeff")


def post_name(source_path):
    """``(folder prefix, PostName)`` of a post file; NotAPost for files Jekyll does not read as
    posts, PostError for a post name with an impossible date. The one place names are judged."""
    split = filenames.split_posts_path(source_path)
    prefix, inner = split if split else ("", source_path.rsplit("/", 1)[-1])
    if not filenames.is_readable_post_path(inner):
        raise NotAPost("文件名以 . _ # ~ 开头或以 ~ 结尾，Jekyll 不读取")
    name = filenames.parse_post_name(inner)
    if name is None:
        raise NotAPost("文件名不是 YYYY-MM-DD-标题.扩展名 的形式，不是文章")
    return prefix, name


def parse_post(source_path, data, *, old_hosts=(), digest=None):
    """Parse the bytes of the post file at ``source_path`` (relative to the site root).

    Raises NotAPost for files Jekyll would not treat as posts and PostError for posts finews
    refuses (the message says why).
    """
    prefix, name = post_name(source_path)
    text, removed = without_illegal(decode(data))
    matter = frontmatter.split_front_matter(text)
    meta, escaped = without_illegal(matter.data)  # what YAML's escapes ("\x07") made
    warnings = []
    if removed + escaped:
        warnings.append(f"删除了 {removed + escaped} 个 XML 无法容纳的字符（控制字符、U+FFFE/U+FFFF 或孤立的代理项），"
                        "它们会让订阅源出错")

    path_categories = filenames.categories_from_path(prefix)
    categories = _bounded("分类", taxonomy.parse_categories(meta, path_categories), MAX_CATEGORY_CHARS)
    tags = _bounded("标签", taxonomy.parse_tags(meta), MAX_TAG_CHARS)
    published_at, url_date = dates.resolve_date(
        meta.get("date"), filename_date=name.date, has_key="date" in meta
    )
    slug = taxonomy.text_form(meta["slug"]) if meta.get("slug") is not None else name.slug
    raw_title = taxonomy.text_form(meta["title"]) if meta.get("title") is not None else None
    if raw_title is not None and len(raw_title) > 4 * MAX_TITLE_CHARS:
        raise PostError(f"标题超过 {MAX_TITLE_CHARS} 个字符")
    title = text_of_html(raw_title) if raw_title is not None else titleize_slug(name.slug)
    if len(title) > MAX_TITLE_CHARS or len(slug) > MAX_SLUG_CHARS:
        raise PostError(f"标题或 slug 太长（上限 {MAX_TITLE_CHARS} / {MAX_SLUG_CHARS} 个字符）")
    extension = urls.output_extension(name.extension)
    if meta.get("permalink"):
        moment = published_at.astimezone(dates.SITE_TZ).replace(
            year=url_date.year, month=url_date.month, day=url_date.day)
        try:
            url_path = urls.custom_permalink(taxonomy.text_form(meta["permalink"]), urls.url_placeholders(
                categories, moment, slug, extension))
        except KeyError as exc:
            raise PostError(f"permalink 中的占位符 :{exc.args[0]} 无法识别") from None
    else:
        url_path = urls.post_url(categories, url_date, slug, extension)
    if len(url_path) > MAX_URL_CHARS or len(source_path) > MAX_SOURCE_PATH_CHARS:
        raise PostError("网址或文件路径太长")

    legacy_urls = []
    if matter.after_blank_lines:
        warnings.append("开头的 --- 之前有空行：Jekyll 不认这段 front matter，finews 照常读取")
        legacy_urls.append(urls.post_url(path_categories, name.date, name.slug, extension))

    body = matter.body
    if body.count("\n") > MAX_BODY_LINES:
        raise PostError(f"正文超过 {MAX_BODY_LINES} 行（真实文章只有几十行），为免拖慢导入不接受")
    if LIQUID_RE.search(body):
        warnings.append("正文含 Liquid 标记（{{ 或 {%），按原文显示，不执行")
    body_html, summary, source_url = render_body(body, source_path, old_hosts)
    extra = {k: v for k, v in meta.items() if k not in FIELDS_READ}
    if raw_title is not None and raw_title != title:
        extra["title"] = raw_title
    return ParsedPost(
        source_path=source_path,
        content_hash=digest or content_hash(data),
        title=title,
        slug=slug,
        published_at=published_at,
        url_path=url_path,
        categories=categories,
        tags=tags,
        summary=summary,
        body_markdown=body,
        body_html=body_html,
        source_url=source_url,
        is_draft=meta.get("published") is False,
        important=meta.get("important") is True,
        extra=_json_safe(extra),
        legacy_urls=[u for u in legacy_urls if u != url_path],
        warnings=warnings,
    )


SLUG_RE = re.compile(r"[^\w]+")
NAME_RULE = "文件名须是 YYYY-MM-DD-标题.md（如 2026-12-06-央行降准.md），或在 front matter 写 date"


def dated_file_name(name, data):
    """A name Jekyll reads as a post's for a file named without its date (``央行降准快讯.md``):
    ``<its front matter's date>-<its title as a slug>.<extension>``, or None when its front matter
    has no date it can use."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, "md"
    try:
        meta = frontmatter.split_front_matter(decode(data)).data
        if meta.get("date") is None:
            return None
        _, day = dates.resolve_date(meta["date"], filename_date=None, has_key=True)
    except PostError:
        return None
    title = text_of_html(taxonomy.text_form(meta["title"])) if meta.get("title") is not None else ""
    slug = SLUG_RE.sub("-", title).strip("-").lower()[:100].strip("-") or SLUG_RE.sub("-", stem).strip("-") or "post"
    return f"{day.isoformat()}-{slug}.{extension}"


def render_body(body, source_path, old_hosts=()):
    """``(html, summary, source_url)`` of a post body, by the kind its file name says it is:
    Markdown is rendered, HTML kept, anything else shown as it is; the HTML is sanitised."""
    kind = source_kind(source_path)
    if kind == "markdown":
        rendered = render_markdown(body)
    elif kind == "html":
        rendered = body
    else:
        rendered = render_plain(body)
    summary = extract_summary(body) if kind == "markdown" else ""
    return sanitize_html(rendered, old_hosts), summary, extract_source_url(body)


def source_kind(source_path):
    """``markdown``, ``html`` or ``plain`` from a source path's extension (none: Markdown)."""
    name = source_path.rsplit("/", 1)[-1]
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not extension or extension in filenames.MARKDOWN_EXTENSIONS:
        return "markdown"
    return "html" if extension == ".html" else "plain"


def text_of_html(value):
    """What a reader saw of a title Jekyll printed raw: tags dropped, entities decoded."""
    return html.unescape(TAG_RE.sub("", value))


def _bounded(what, values, limit):
    if len(values) > MAX_TERMS:
        raise PostError(f"{what}超过 {MAX_TERMS} 个")
    for value in values:
        if len(value) > limit:
            raise PostError(f"{what}“{value[:40]}…”超过 {limit} 个字符")
    return values


def titleize_slug(slug):
    """Jekyll's ``titleize_slug``: ``i-dont-like-zeroes`` → ``I Dont Like Zeroes``."""
    return " ".join(word.capitalize() for word in slug.split("-"))


def extract_summary(body):
    """The leading ``> `` blockquote of rolling news, as plain text."""
    match = SUMMARY_RE.match(body.replace("\r\n", "\n"))
    if not match:
        return ""
    lines = [re.sub(r"^[ ]{0,3}> ?", "", line) for line in match.group(1).splitlines()]
    return "\n".join(lines).strip()


def extract_source_url(body):
    """The original article: the last ``<http://…>`` autolink standing on a line of its own."""
    found = AUTOLINK_LINE_RE.findall(body)
    return found[-1] if found else ""


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, float) and "e" in repr(value):
        return repr(value)  # PostgreSQL's jsonb would give 1e+16 back as an integer
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
