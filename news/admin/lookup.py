"""What the admin's post list finds and counts, kept cheap at a million posts."""
from urllib.parse import unquote, urlsplit

from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property

from news import search
from news.jekyll.urls import normalize_request_path
from news.models import Category, Post, PostCategory


def search_ids(term, limit, posts=None):
    """``(id, published_at)`` of the posts an editor may mean by ``term``, at most ``limit + 1``: exactly its public
    path or full URL, the id in its file name, its original article URL, or its source's key or
    name (each one index lookup), then the newest of ``posts`` (the list as filtered so far) with
    the words in title or body (the readers' full-text index). A pasted address is not also
    looked for as words."""
    term = term.strip()
    posts = Post.objects.all() if posts is None else posts
    found = list(Post.objects.filter(Q(source_url=term) | Q(slug=term)).values_list("pk", "published_at")[: limit + 1])
    if term.startswith(("http://", "https://", "/")):
        path = normalize_request_path(unquote(urlsplit(term).path))
        found += Post.objects.filter(url_path=path).values_list("pk", "published_at")
        return found[: limit + 1]
    categories = Category.objects.filter(Q(key=term) | Q(name=term))
    found += PostCategory.objects.filter(category__in=categories).newest_first().values_list(
        "post_id", "published_at")[: limit + 1]
    try:
        words = search.search(posts, term)
    except search.QueryError:
        words = posts.filter(title__icontains=term)  # one character: a title scan, slower but exact
    found += words.order_by("-published_at", "-source_path").values_list("pk", "published_at")[: limit + 1]
    return list(dict.fromkeys(found))[: limit + 1]


class CappedCountPaginator(Paginator):
    """The post list's paginator without a ``COUNT(*)`` of the whole table: it counts at most
    ``CAP`` rows (one bounded index scan), so past that the list shows ``CAP`` posts in
    ``CAP / per_page`` pages; search, filters and the date hierarchy narrow it further."""

    CAP = 20_000

    @cached_property
    def count(self):
        return self.object_list.order_by()[: self.CAP].count()
