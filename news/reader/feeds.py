"""Atom feeds: the whole site at the old ``/feed.xml``, and one per category and per tag."""
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from news import cache
from news.jekyll.dates import SITE_TZ
from news.models import Post, PostCategory, TaggedPost
from news.origin import CanonicalRequest
from news.reader.views import find_category, find_tag
from news.reader.wall import tag_path


class PostFeed(Feed):
    """The whole site's feed. Absolute links come from the configured origin (news/origin.py)."""

    feed_type = Atom1Feed
    link = "/"
    subtitle = "金融消息：最新文章"

    def __call__(self, request, *args, **kwargs):
        return super().__call__(CanonicalRequest(request), *args, **kwargs)

    def title(self, obj=None):
        return settings.FINEWS_SITE_TITLE

    def get_object(self, request, *args, **kwargs):
        cache.depends_on("site")  # the newest posts of every source
        return None

    def posts(self, queryset):
        # jekyll-feed re-sorted by date only, so same-second ties come out in ascending path order.
        return list(
            queryset.order_by("-published_at", "source_path").prefetch_related(
                Prefetch("category_links", PostCategory.objects.select_related("category")),
                Prefetch("tag_links", TaggedPost.objects.select_related("tag").order_by("position")),
            )[: settings.FINEWS_FEED_ITEMS]
        )

    def items(self, obj=None):
        return self.posts(Post.objects.published())

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body_html

    def item_link(self, item):
        return item.url_path

    # No item_guid: Django then uses the absolute item link, the post's permanent URL.
    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return timezone.localtime(item.published_at, SITE_TZ)

    def item_updateddate(self, item):
        return timezone.localtime(item.updated_at, SITE_TZ)

    def item_author_name(self, item):
        """The source the post came from (its first category's name)."""
        links = item.category_links.all()
        return links[0].category.display_name if links else settings.FINEWS_SITE_TITLE

    def item_categories(self, item):
        return [link.category.key for link in item.category_links.all()] + [
            link.tag.name for link in item.tag_links.all()
        ]


class CategoryFeed(PostFeed):
    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except MergedCategory as merged:
            return HttpResponsePermanentRedirect(merged.category.feed_url())

    def get_object(self, request, key):
        category, merged = find_category(key)
        if merged:
            raise MergedCategory(category)
        cache.depends_on(f"cat:{category.pk}")
        return category

    def title(self, obj):
        return f"{obj.display_name} - {settings.FINEWS_SITE_TITLE}"

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return self.posts(Post.objects.published().in_category(obj))


class MergedCategory(Exception):
    """The feed asked for is a merged category's: answer with a redirect to its new one."""

    def __init__(self, category):
        super().__init__(category.key)
        self.category = category


class TagFeed(PostFeed):
    def get_object(self, request, name):
        tag = find_tag(name)
        cache.depends_on(f"tag:{tag.pk}")
        return tag

    def title(self, obj):
        return f"{obj.name} - {settings.FINEWS_SITE_TITLE}"

    def link(self, obj):
        return tag_path(obj.name)

    def items(self, obj):
        return self.posts(Post.objects.published().tagged(obj))
