"""Atom feeds: the whole site at the old ``/feed.xml``, one per category and per tag, and each of
them with ``?important=1`` (only 重要 posts).

Entries as jekyll-feed wrote them and as feed readers need them: ``<id>`` is jekyll-feed's (the
absolute address of Jekyll's ``post.id``), kept from the post's first write through any change of
source or address (news/models/feeds.py); ``<updated>`` is the post's date until its title or body
changes; ``<content type="html">`` is the sanitised body and ``<summary>`` a short plain text, both
without the scraper's 返回 footer links. Whatever a post holds, the feed is XML: text XML cannot
carry is dropped as it is written (news/text.py). Absolute links come from the configured origin
(news/origin.py).
"""
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.xmlutils import SimplerXMLGenerator

from news import cache
from news.jekyll.dates import SITE_TZ
from news.models import Post, PostCategory, TaggedPost
from news.models.feeds import entry_path
from news.origin import CanonicalRequest, absolute
from news.reader import live
from news.reader.views import find_category, find_tag
from news.reader.wall import tag_path
from news.search.tokens import text_of_html
from news.text import xml_text

# The scraper's last paragraph: links back to the source and the home page (返回…｜返回首页).
# Matched against the last paragraph only, by a pattern with one way to split its whitespace: linear
# in the body whatever it holds.
FOOTER_RE = re.compile(r"<p>\s*(?:<a [^>]*>返回[^<]*</a>\s*(?:[｜|]\s*)?)+</p>\s*")
SUMMARY_CHARS = 140


class XMLTextGenerator(SimplerXMLGenerator):
    """Writes only what XML can carry, in text and attributes alike (Django's refuses C0 controls
    with an error, and lets U+FFFE through into a document no parser accepts)."""

    def characters(self, content):
        super().characters(xml_text(content))

    def startElement(self, name, attrs):
        super().startElement(name, {key: xml_text(value) for key, value in attrs.items()})


class AtomFeed(Atom1Feed):
    """Atom with each entry's whole body as ``<content type="html">``, written as XML text."""

    def write(self, outfile, encoding):
        buffer = io.BytesIO()  # written whole at the end: the response's own write() per piece costs more
        handler = XMLTextGenerator(buffer, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")
        handler.endDocument()
        outfile.write(buffer.getvalue())

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("summary_text"):
            handler.addQuickElement("summary", item["summary_text"], {"type": "text"})
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


def body_without_footer(body_html):
    start = body_html.rfind("<p>")
    if start < 0 or not FOOTER_RE.fullmatch(body_html, start):
        return body_html
    return body_html[:start].rstrip() + "\n"


def summary_of(post, body):
    """The post's ``> `` summary, else the start of its text, at most SUMMARY_CHARS characters."""
    text = " ".join((post.summary or text_of_html(body)).split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


@dataclass
class Subject:
    """What a feed lists: the site, a category or a tag (``thing``), all posts or only 重要."""

    thing: object
    important: bool

    def suffix(self):
        return " · 只看重要" if self.important else ""

    def query(self):
        return "?important=1" if self.important else ""


def newest(rows, post_field, count):
    """Ids of the newest ``count`` posts among ``rows`` (posts or link rows, newest first by an
    index), in jekyll-feed's order: newest first, same-second ties by path ascending. Read as the
    index gives them, one more, and only when that one shares the last one's second all of that
    second (one more short range)."""
    fields = (post_field, "published_at", "source_path")
    found = list(rows.values_list(*fields)[: count + 1])
    if len(found) > count and found[count][1] == found[count - 1][1]:
        found += rows.filter(published_at=found[count - 1][1]).values_list(*fields)
    found = sorted(set(found), key=lambda row: row[2])
    found.sort(key=lambda row: row[1], reverse=True)
    return [row[0] for row in found[:count]]


class PostFeed(Feed):
    """The whole site's feed."""

    feed_type = AtomFeed
    subtitle = "金融消息：最新文章"
    item_guid_is_permalink = False

    def __call__(self, request, *args, **kwargs):
        return super().__call__(CanonicalRequest(request), *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        cache.depends_on("site")  # the newest posts of every source
        return Subject(None, live.important_flag(request))

    def title(self, obj):
        return settings.FINEWS_SITE_TITLE + obj.suffix()

    def link(self, obj):
        return "/" + obj.query()

    def feed_url(self, obj):
        return absolute("/feed.xml" + obj.query())

    def newest_ids(self, obj):
        posts = Post.objects.published().newest_first()
        return newest(posts.filter(important=True) if obj.important else posts, "pk", settings.FINEWS_FEED_ITEMS)

    def items(self, obj):
        """The posts, each with ``sources`` (its categories' keys and names) and ``tag_names``:
        two plain queries for the links (Django's prefetch costs a queryset per post)."""
        ids = self.newest_ids(obj)
        found = Post.objects.filter(pk__in=ids).select_related("feed_entry").only(
            "title", "url_path", "published_at", "summary", "body_html", "feed_entry").in_bulk()
        sources, tags = {pk: [] for pk in found}, {pk: [] for pk in found}
        for pk, key, name in PostCategory.objects.filter(post_id__in=ids).order_by("post_id", "position").values_list(
                "post_id", "category__key", "category__name"):
            sources[pk].append((key, name or key))
        for pk, name in TaggedPost.objects.filter(content_object_id__in=ids).order_by(
                "content_object_id", "position").values_list("content_object_id", "tag__name"):
            tags[pk].append(name)
        posts = [found[pk] for pk in ids if pk in found]
        for post in posts:
            post.sources, post.tag_names = sources[post.pk], tags[post.pk]
        return posts

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return None  # the summary is plain text, written with the content (AtomFeed)

    def item_extra_kwargs(self, item):
        body = body_without_footer(item.body_html)
        return {"summary_text": summary_of(item, body), "content_html": body}

    def item_link(self, item):
        return item.url_path

    def item_guid(self, item):
        entry = getattr(item, "feed_entry", None)
        return absolute(entry.path if entry else entry_path(item.url_path))

    def item_pubdate(self, item):
        return timezone.localtime(item.published_at, SITE_TZ)

    def item_updateddate(self, item):
        entry = getattr(item, "feed_entry", None)
        return timezone.localtime(entry.updated(item.published_at) if entry else item.published_at, SITE_TZ)

    def item_author_name(self, item):
        """The source the post came from (its first category's name)."""
        return item.sources[0][1] if item.sources else settings.FINEWS_SITE_TITLE

    def item_categories(self, item):
        return [key for key, _ in item.sources] + item.tag_names


class CategoryFeed(PostFeed):
    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except MergedCategory as merged:
            return HttpResponsePermanentRedirect(merged.category.feed_url() + merged.query)

    def get_object(self, request, key):
        category, merged = find_category(key)
        subject = Subject(category, live.important_flag(request))
        if merged:
            raise MergedCategory(category, subject.query())
        cache.depends_on(f"cat:{category.pk}")
        return subject

    def title(self, obj):
        return f"{obj.thing.display_name}{obj.suffix()} - {settings.FINEWS_SITE_TITLE}"

    def link(self, obj):
        return obj.thing.get_absolute_url() + obj.query()

    def feed_url(self, obj):
        return absolute(obj.thing.feed_url() + obj.query())

    def newest_ids(self, obj):
        return newest(live.category(obj.thing, obj.important).rows, "post_id", settings.FINEWS_FEED_ITEMS)


class MergedCategory(Exception):
    """The feed asked for is a merged category's: answer with a redirect to its new one."""

    def __init__(self, category, query=""):
        super().__init__(category.key)
        self.category, self.query = category, query


class TagFeed(PostFeed):
    def get_object(self, request, name):
        tag = find_tag(name)
        cache.depends_on(f"tag:{tag.pk}")
        return Subject(tag, live.important_flag(request))

    def title(self, obj):
        return f"{obj.thing.name}{obj.suffix()} - {settings.FINEWS_SITE_TITLE}"

    def link(self, obj):
        return tag_path(obj.thing.name) + obj.query()

    def feed_url(self, obj):
        return absolute(tag_path(obj.thing.name) + "feed.xml" + obj.query())

    def newest_ids(self, obj):
        return newest(live.tag(obj.thing, obj.important).rows, "content_object_id", settings.FINEWS_FEED_ITEMS)

