"""Reader pages: the old site's listings at the old addresses, from the database."""
import html
import re

from django.conf import settings
from django.core.paginator import InvalidPage
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.generic import ListView, TemplateView, View
from taggit.models import Tag

from news import cache, origin
from news.jekyll.urls import normalize_request_path
from news.models import Category, CategoryAlias, LegacyURL, Post, PostCategory
from news.reader import live, stories, wall
from news.reader.filters import ListingFilter
from news.reader.paging import ListingPaginator
from news.search.tokens import text_of_html


class RefreshingMixin:
    """Listing pages stay fresh like the old rolling news wall: the first page of a live list
    (``live`` in the context, news/reader/live.py) asks for what changed above its newest item and updates
    itself in place (static/js/live.js); without JavaScript the page reloads itself."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["refresh_seconds"] = settings.FINEWS_REFRESH_SECONDS
        return context

    def render_to_response(self, context, **kwargs):
        context["live_seconds"] = settings.FINEWS_LIVE_SECONDS if context.get("live") else 0
        return super().render_to_response(context, **kwargs)




def may_preview(user):
    """Drafts and scheduled posts are shown (with a banner) to those who may change posts."""
    return user.is_authenticated and user.has_perm("news.change_post")


class PagedListingMixin(RefreshingMixin):
    """Newest-first listings paged by ``?page=N``, with rel=next/prev links.

    No COUNT(*): a source with hundreds of thousands of posts pages as cheaply as a small one.
    """

    context_object_name = "links"
    keyset = False  # link-table listings turn to ?older= after OFFSET_PAGES pages

    def filter_listing(self, queryset):
        """Apply ``?date=YYYY-MM-DD``; an invalid date shows the listing unfiltered, with a note."""
        self.filterset = ListingFilter(self.request.GET, queryset=queryset)
        return self.filterset.qs if self.filterset.is_valid() else queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        return context

    def paginate_queryset(self, queryset, page_size):
        paginator = ListingPaginator(queryset, page_size, keyset=self.keyset)
        older = self.request.GET.get("older")
        try:
            if older is not None and self.keyset:
                page = paginator.page_after(older)
            else:
                page = paginator.page(self.request.GET.get("page") or "1")
        except InvalidPage:
            raise Http404("没有这一页") from None
        return paginator, page, page.object_list, page.has_next or page.has_previous

    def get_paginate_by(self, queryset):
        return settings.FINEWS_LISTING_PAGE_SIZE


def find_category(key):
    """``(category, merged)``: the category at ``key``, or for a merged key the category it
    became (``merged``: answer with a 301). Http404 for anything else, NULs and over-long keys
    included."""
    if "\0" in key or len(key) > 200:
        raise Http404("没有这个分类")
    category = Category.objects.filter(key=key).first()
    if category is not None:
        return category, False
    alias = CategoryAlias.objects.select_related("category").filter(key=key).first()
    if alias is None:
        raise Http404("没有这个分类")
    return alias.category, True


def find_tag(name):
    if "\0" in name or len(name) > 100:
        raise Http404("没有这个标签")
    return get_object_or_404(Tag, name=name)


def feed_of(url, title, important):
    """The page's own feed, for its ``<link rel="alternate">`` and its 订阅 link (base.html); a
    只看重要 page's is the 重要 feed."""
    if important:
        return {"feed_url": f"{url}?important=1", "feed_title": f"{title}（只看重要）"}
    return {"feed_url": url, "feed_title": title}


class LiveListingMixin(PagedListingMixin):
    """A source's or tag's listing as wall items; its first page (no date asked) is a live list
    (news/reader/live.py), and ``?important=1`` narrows it to 只看重要."""

    keyset = True
    with_source = False

    def get(self, request, *args, **kwargs):
        self.important = live.important_flag(request)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        live_list = self.live_list()
        return live_list.collapsed(self.filter_listing(live_list.rows))  # a story once, in the list as narrowed

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = wall.from_links(context["links"], self.with_source)
        if self.live_list().stories:
            items = stories.with_reports(items)
        page = context.get("page_obj")
        context.update(items_html=wall.items_html(items), important=self.important)
        if page and page.number == 1 and not page.anchor and "date" not in self.request.GET:
            context.update(live=self.live_list(), cursor=items[0].pk if items else 0)
        return context


class CategoryView(LiveListingMixin, ListView):
    """``/category/<key>.html`` (and the older ``/<key>/``): a source's posts, newest first."""

    template_name = "news/category.html"

    def get(self, request, *args, **kwargs):
        self.category, merged = find_category(kwargs["key"])
        if merged:
            return HttpResponsePermanentRedirect(self.category.get_absolute_url())
        cache.depends_on(f"cat:{self.category.pk}")
        return super().get(request, *args, **kwargs)

    def live_list(self):
        return live.category(self.category, self.important)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        context.update(feed_of(self.category.feed_url(), self.category.display_name, self.important))
        return context


class TagView(LiveListingMixin, ListView):
    """``/tag/<name>/``: every published post with that tag, newest first, with each one's source."""

    template_name = "news/tag.html"
    with_source = True

    def get(self, request, *args, **kwargs):
        self.tag = find_tag(kwargs["name"])
        cache.depends_on(f"tag:{self.tag.pk}")
        return super().get(request, *args, **kwargs)

    def live_list(self):
        return live.tag(self.tag, self.important)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tag"] = self.tag
        context.update(feed_of(reverse("news:tag_feed", args=[self.tag.name]), self.tag.name, self.important))
        return context


class LatestOfTagView(RefreshingMixin, TemplateView):
    """``/emnews/``: the rolling-news source alone, its newest posts opening in a new tab."""

    template_name = "news/latest.html"

    def get_context_data(self, **kwargs):
        important = live.important_flag(self.request)
        tag_name = settings.FINEWS_EMNEWS_TAG
        tag = Tag.objects.filter(name=tag_name).first()
        cache.depends_on(f"tag:{tag.pk}" if tag else "site")  # "site": a new tag may be this one
        context = {"tag_name": tag_name, "tag": tag, "important": important, "items_html": ""}
        if tag is not None:
            context.update(feed_of(reverse("news:tag_feed", args=[tag_name]), tag_name, important))
            latest = live.emnews(tag, important)
            items = latest.top()
            context.update(live=latest, cursor=latest.cursor(items), items_html=wall.items_html(items, new_tab=True))
        return super().get_context_data(**kwargs, **context)


def without_source_line(body_html, source_url):
    """The body as shown under a header that links the original as 查看原文: without the paragraph
    that is nothing but the bare original address (the scraper's ``<http://…>`` line)."""
    if not source_url:
        return body_html
    return re.sub(rf'<p><a href="{re.escape(html.escape(source_url))}"[^>]*>[^<]*</a></p>\n?', "", body_html, count=1)


class ArticleView(View):
    """A post at its Jekyll permalink; old addresses redirect; drafts only for those who may
    change posts. Readers get it from the page cache; signed-in users a private copy."""

    def get(self, request, path):
        if "\0" in path or len(path) > 1000:
            raise Http404("此页面不存在")
        url_path = normalize_request_path("/" + path)
        if request.user.is_authenticated:
            response = self.article(request, url_path, preview=may_preview(request.user))
            response["Cache-Control"] = "private, no-cache"
            return response
        return cache.serve_cached(request, cache.page_key("article", url_path),
                                  lambda: self.article(request, url_path, preview=False))

    def article(self, request, url_path, *, preview):
        post = Post.objects.filter(url_path=url_path).first()
        if post is None:
            legacy = LegacyURL.objects.select_related("post").filter(path=url_path).first()
            if legacy is None or not (legacy.post.is_visible or preview):
                raise Http404("此页面不存在")
            return HttpResponsePermanentRedirect(legacy.post.url_path)
        if not post.is_visible and not preview:
            raise Http404("此页面不存在")
        category_links = list(post.category_links.select_related("category"))
        tags = [link.tag for link in post.tag_links.select_related("tag").order_by("position")]
        cache.depends_on(f"post:{post.pk}", "articles", *(f"catname:{link.category_id}" for link in category_links),
                         *(f"tagname:{tag.pk}" for tag in tags))
        named = list(post.security_links.select_related("security").order_by("position"))
        cache.depends_on(*(f"stockname:{link.security_id}" for link in named if not link.name), "channels")
        channels = [link.channel for link in post.channel_links.select_related("channel").order_by("position")]
        context = {"post": post, "category_links": category_links, "tags": tags, "securities": named, "channels": channels,
                   "body_html": without_source_line(post.body_html, post.source_url),
                   "canonical": origin.absolute(post.url_path),
                   "description": " ".join((post.summary or text_of_html(post.body_html)).split())}
        found = stories.reports([post.pk]).get(post.pk)
        if found:
            context.update(story=found[0], reports=found[1], story_size=found[2])
        if category_links and post.is_visible:
            first = category_links[0]
            siblings = PostCategory.objects.live().filter(category_id=first.category_id)
            context["older"] = siblings.before(first).select_related("post").first()
            context["newer"] = siblings.after(first).select_related("post").first()
        return TemplateResponse(request, "news/article.html", context)


def home_redirect(request):
    return redirect("news:home")


def robots_txt(request):
    """Crawlers may read every reader page but search and the live deltas; the sitemap is named
    with the configured origin."""
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search/", "Disallow: /live/", "Disallow: /api/",
             "", f"Sitemap: {origin.absolute(reverse('sitemap-index'))}", ""]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=3600)
    return response


def favicon(request):
    """``/favicon.ico``, which browsers ask for whatever the page says: the site's icon."""
    response = HttpResponsePermanentRedirect(static("favicon.svg"))
    patch_cache_control(response, public=True, max_age=86400)
    return response
