"""What the admin's post list finds and counts, kept cheap at a million posts."""
from urllib.parse import unquote, urlsplit

from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property

from . import search
from .jekyll.urls import normalize_request_path
from .models import Category, Post, PostCategory


def search_ids(term, limit):
    """Posts an editor may mean by ``term``: words of its title or body (the full-text index
    readers search too), or exactly its public path or full URL, the id in its file name, its
    original article URL, or its source's key or name."""
    term = term.strip()
    paths = []
    if term.startswith(("http://", "https://", "/")):
        paths.append(normalize_request_path(unquote(urlsplit(term).path)))
    categories = Category.objects.filter(Q(key=term) | Q(name=term))
    try:
        words = Q(pk__in=search.search(Post.objects.all(), term).values("pk"))
    except search.QueryError:
        words = Q(title__icontains=term)  # one character: a title scan, slower but exact
    matches = Post.objects.filter(
        words | Q(source_url=term) | Q(slug=term) | Q(url_path__in=paths)
        | Q(pk__in=PostCategory.objects.filter(category__in=categories).values("post_id"))
    )
    return list(matches.order_by().values_list("pk", flat=True)[: limit + 1])


class CappedCountPaginator(Paginator):
    """The post list's paginator without a ``COUNT(*)`` of the whole table: it counts at most
    ``CAP`` rows (one bounded index scan), so past that the list shows ``CAP`` posts in
    ``CAP / per_page`` pages; search, filters and the date hierarchy narrow it further."""

    CAP = 20_000

    @cached_property
    def count(self):
        return self.object_list.order_by()[: self.CAP].count()
