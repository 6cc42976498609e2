"""Reader pages: the old site's listings at the old addresses, from the database."""
import html
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.generic import ListView, TemplateView, View
from taggit.models import Tag

from . import cache
from .filters import ListingFilter
from .jekyll.urls import normalize_request_path
from .models import Category, CategoryAlias, LegacyURL, Post, PostCategory, TaggedPost
from .names import pinyin_keys


class RefreshingMixin:
    """Listing pages stay fresh like the old rolling news wall: their first page updates itself
    in place (static/js/live.js); without JavaScript the page reloads itself."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["refresh_seconds"] = settings.FINEWS_REFRESH_SECONDS
        page = context.get("page_obj")
        context["live_seconds"] = settings.FINEWS_LIVE_SECONDS if page is None or page.number == 1 else 0
        return context


class HomeView(RefreshingMixin, TemplateView):
    """One section per tag, in Jekyll's ``site.tags`` order, with each tag's newest posts.

    Each section is a fragment cached on its own (news/cache.py) and rebuilt only when its tag
    changed: a new post rebuilds one section, not 2,000."""

    template_name = "news/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cache.depends_on("site")
        order = TaggedPost.objects.home_order()
        built = cache.fragments({f"section:{pk}": f"tag:{pk}" for pk, _ in order}, build_sections)
        context["sections"] = [{"name": name} for _, name in order]
        context["sections_html"] = mark_safe("\n".join(built.get(f"section:{pk}", "") for pk, _ in order))
        context["finder_items"] = finder_items(context["sections"])
        return context


def build_sections(names):
    """``{"section:<tag id>": html}``: the home page's sections of those tags."""
    ids = [int(name.removeprefix("section:")) for name in names]
    found = TaggedPost.objects.home_sections(settings.FINEWS_HOME_POSTS_PER_TAG, ids)
    built = {f"section:{pk}": section_html(name, posts) for pk, name, posts in found}
    return {**dict.fromkeys((f"section:{pk}" for pk in ids), ""), **built}


def section_html(name, posts):
    """One source's section of the home page (escaped here: see ``link_items``)."""
    title = html.escape(name)
    return (f'<section class="tag-section">\n  <h2 id="{title}">{title}</h2>\n'
            f'  <ul data-live-list="{html.escape(quote(name, safe=""))}">\n{link_items(posts)}\n  </ul>\n'
            f'  <p class="more"><a href="{html.escape(tag_path(name))}">更多{title}…</a></p>\n</section>')


def finder_items(sections):
    """The source finder's list: one link per section, in pinyin order, each carrying its pinyin
    (full and initials) for static/js/finder.js to match what the reader types. Fragments are
    written as text, not %-escaped (browsers escape them; a third of the bytes at 2,000 sources)."""
    keyed = sorted(((pinyin_keys(section["name"]), section) for section in sections), key=lambda pair: pair[0])
    return mark_safe("\n".join(
        f'<li data-pinyin="{html.escape(full)} {html.escape(initials)}">'
        f'<a href="#{html.escape(section["name"])}">{html.escape(section["name"])}</a></li>'
        for (full, initials), section in keyed))


@lru_cache(maxsize=1)
def _tag_prefix():
    return reverse("news:tag", kwargs={"name": "-"}).removesuffix("-/")


def tag_path(name):
    """``/tag/<name>/``, escaped as ``reverse()`` would, without resolving the URLconf per tag
    (the home page needs ~2,000 of them)."""
    return f"{_tag_prefix()}{quote(name)}/"


def link_items(posts):
    """``<li><a href=URL>TITLE</a></li>`` lines, both values escaped.

    With ~2,000 sources the home page holds ~10,000 links; joining them here with the standard
    library's escape is several times cheaper than a template loop or format_html per link.
    """
    return mark_safe("\n".join(
        f'<li><a href="{html.escape(url)}">{html.escape(title)}</a></li>' for title, url in posts))


MAX_PAGE = 1_000_000
OFFSET_PAGES = 20


def may_preview(user):
    """Drafts and scheduled posts are shown (with a banner) to those who may change posts."""
    return user.is_authenticated and user.has_perm("news.change_post")


class ListingPage:
    """One page of a listing, known without COUNT(*): one row past the page says a next one exists.

    ``next_page``/``next_older`` and ``previous_page`` are the query values that lead on. Listings that can
    (``keyset``) turn from page numbers to ``?older=<link id>`` after ``OFFSET_PAGES`` pages: a
    deep page then costs one index seek instead of skipping every row before it."""

    def __init__(self, rows, number, size, *, keyset=False, anchor=None):
        self.object_list = rows[:size]
        self.number = number
        self.has_next = len(rows) > size
        self.anchor = anchor  # the link this keyset page continues after
        self.has_previous = number > 1 or anchor is not None
        self.start_index = (number - 1) * size + 1
        # For {% querystring %}: a None removes the parameter.
        if keyset and (anchor is not None or number >= OFFSET_PAGES) and self.object_list:
            self.next_page, self.next_older = None, self.object_list[-1].pk
        else:
            self.next_page, self.next_older = number + 1, None
        self.previous_page = None if anchor else number - 1


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
        older = self.request.GET.get("older")
        if older is not None and self.keyset:
            return self.paginate_after(queryset, older, page_size)
        page = self.request.GET.get("page") or "1"
        if not page.isascii() or not page.isdigit() or not 1 <= int(page) <= MAX_PAGE:
            raise Http404("没有这一页")
        number = int(page)
        offset = (number - 1) * page_size
        # Skip rows on the link table's index alone, then join only the page's rows: a deep
        # page would otherwise join every skipped row.
        window = queryset.values("pk")[offset : offset + page_size + 1]
        rows = list(queryset.filter(pk__in=window))
        if number > 1 and not rows:
            raise Http404("没有这一页")
        page = ListingPage(rows, number, page_size, keyset=self.keyset)
        return None, page, page.object_list, page.has_next or page.has_previous

    def paginate_after(self, queryset, older, page_size):
        """``?older=<link id>``: the page after that link of this listing, by index seek."""
        if not older.isascii() or not older.isdigit() or len(older) > 18:
            raise Http404("没有这一页")
        anchor = queryset.filter(pk=int(older)).first()
        if anchor is None:
            raise Http404("没有这一页")
        rows = list(queryset.before(anchor)[: page_size + 1])
        page = ListingPage(rows, 0, page_size, keyset=True, anchor=anchor)
        return None, page, page.object_list, True

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


class CategoryView(PagedListingMixin, ListView):
    """``/category/<key>.html`` (and the older ``/<key>/``): a source's posts, newest first."""

    template_name = "news/category.html"
    keyset = True

    def get(self, request, *args, **kwargs):
        self.category, merged = find_category(kwargs["key"])
        if merged:
            return HttpResponsePermanentRedirect(self.category.get_absolute_url())
        cache.depends_on(f"cat:{self.category.pk}")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.filter_listing(
            PostCategory.objects.live().filter(category=self.category).newest_first()
            .select_related("post").only(
                "post__title", "post__url_path", "post__published_at", "published_at")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        context["feed_url"] = self.category.feed_url()
        return context


class TagView(PagedListingMixin, ListView):
    """``/tag/<name>/``: every published post with that tag, newest first."""

    template_name = "news/tag.html"
    keyset = True

    def get(self, request, *args, **kwargs):
        self.tag = find_tag(kwargs["name"])
        cache.depends_on(f"tag:{self.tag.pk}")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.filter_listing(
            TaggedPost.objects.live().filter(tag=self.tag).newest_first()
            .select_related("content_object").only(
                "content_object__title", "content_object__url_path",
                "content_object__published_at", "published_at")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tag"] = self.tag
        return context


class LatestOfTagView(RefreshingMixin, TemplateView):
    """``/emnews/``: the rolling-news source alone, its newest posts opening in a new tab."""

    template_name = "news/latest.html"
    tag_name = "东财滚动新闻"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tag = Tag.objects.filter(name=self.tag_name).first()
        cache.depends_on(f"tag:{tag.pk}" if tag else "site")  # "site": a new tag may be this one
        links = []
        if tag is not None:
            links = list(
                TaggedPost.objects.live().filter(tag=tag).newest_first()
                .select_related("content_object")[: settings.FINEWS_EMNEWS_POSTS]
            )
        context.update(tag_name=self.tag_name, tag=tag, links=links)
        return context


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
        context = {"post": post, "category_links": category_links, "tags": tags}
        if category_links and post.is_visible:
            first = category_links[0]
            siblings = PostCategory.objects.live().filter(category_id=first.category_id)
            context["older"] = siblings.before(first).select_related("post").first()
            context["newer"] = siblings.after(first).select_related("post").first()
        return TemplateResponse(request, "news/article.html", context)


def home_redirect(request):
    return redirect("news:home")
