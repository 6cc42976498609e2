"""Reader pages: the old site's listings at the old addresses, from the database."""
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.generic import ListView, TemplateView, View
from taggit.models import Tag

from .jekyll.urls import normalize_request_path
from .models import Category, CategoryAlias, LegacyURL, Post, PostCategory, TaggedPost


class RefreshingMixin:
    """Listing pages reload themselves like the old rolling news wall."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["refresh_seconds"] = settings.FINEWS_REFRESH_SECONDS
        return context


class HomeView(RefreshingMixin, TemplateView):
    """One section per tag, in Jekyll's ``site.tags`` order, with each tag's newest posts."""

    template_name = "news/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        live = TaggedPost.objects.live(now)
        order = {
            row["tag_id"]: (row["published_at"], row["source_path"], row["position"])
            for row in live.first_appearances().values(
                "tag_id", "published_at", "source_path", "position")
        }
        sections = {}
        for row in live.newest_per_tag(settings.FINEWS_HOME_POSTS_PER_TAG).values(
            "tag_id", "tag__name", "content_object__title", "content_object__url_path", "rank",
        ).order_by("tag_id", "rank"):
            section = sections.setdefault(row["tag_id"], {"name": row["tag__name"], "posts": []})
            section["posts"].append(
                {"title": row["content_object__title"], "url": row["content_object__url_path"]})
        context["sections"] = [sections[tag_id] for tag_id in sorted(sections, key=order.__getitem__)]
        return context


class PagedListingMixin(RefreshingMixin):
    paginate_by = settings.FINEWS_LISTING_PAGE_SIZE
    context_object_name = "links"

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404:
            raise Http404("没有这一页") from None


class CategoryView(PagedListingMixin, ListView):
    """``/category/<key>.html`` (and the older ``/<key>/``): a source's posts, newest first."""

    template_name = "news/category.html"

    def get(self, request, *args, **kwargs):
        key = kwargs["key"]
        self.category = Category.objects.filter(key=key).first()
        if self.category is None:
            alias = CategoryAlias.objects.select_related("category").filter(key=key).first()
            if alias is None:
                raise Http404("没有这个分类")
            return HttpResponsePermanentRedirect(alias.category.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (
            PostCategory.objects.live().filter(category=self.category).newest_first()
            .select_related("post").only(
                "post__title", "post__url_path", "post__published_at", "published_at")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        context["feed_url"] = self.category.get_absolute_url().removesuffix(".html") + "/feed.xml"
        return context


class TagView(PagedListingMixin, ListView):
    """``/tag/<name>/``: every published post with that tag, newest first."""

    template_name = "news/tag.html"

    def get(self, request, *args, **kwargs):
        self.tag = get_object_or_404(Tag, name=kwargs["name"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (
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
        links = []
        if tag is not None:
            links = list(
                TaggedPost.objects.live().filter(tag=tag).newest_first()
                .select_related("content_object")[: settings.FINEWS_EMNEWS_POSTS]
            )
        context.update(tag_name=self.tag_name, tag=tag, links=links)
        return context


def article_cache_key(url_path):
    return f"finews:article:{url_path}"


class ArticleView(View):
    """A post at its Jekyll permalink; old addresses redirect; drafts only for staff."""

    def get(self, request, path):
        url_path = normalize_request_path("/" + path)
        anonymous = not request.user.is_authenticated
        if anonymous:
            cached = cache.get(article_cache_key(url_path))
            if cached is not None:
                return HttpResponse(cached)
        post = Post.objects.filter(url_path=url_path).first()
        if post is None:
            legacy = LegacyURL.objects.select_related("post").filter(path=url_path).first()
            if legacy is None:
                raise Http404("此页面不存在")
            return HttpResponsePermanentRedirect(legacy.post.url_path)
        if not post.is_visible and not request.user.is_staff:
            raise Http404("此页面不存在")
        category_links = list(post.category_links.select_related("category"))
        tags = [link.tag for link in post.tag_links.select_related("tag").order_by("position")]
        context = {"post": post, "category_links": category_links, "tags": tags}
        if category_links and post.is_visible:
            first = category_links[0]
            siblings = PostCategory.objects.live().filter(category_id=first.category_id)
            context["older"] = siblings.before(first).select_related("post").first()
            context["newer"] = siblings.after(first).select_related("post").first()
        response = TemplateResponse(request, "news/article.html", context)
        if anonymous and post.is_visible:
            response.render()
            cache.set(article_cache_key(url_path), response.content, settings.FINEWS_CACHE_SECONDS)
        return response


def category_back_link(request, key):
    """``/<key>/``, the form the scraper's back-links used: the same listing as the category page."""
    return CategoryView.as_view()(request, key=key)


def home_redirect(request):
    return redirect("news:home")
