"""``/search/?q=…``: the reader's full-text search (news/search), narrowed by source, tag and
Beijing days (django-filter), newest first or title hits first, paged like the other listings."""
from django.db.models import Case, IntegerField, Q, Value, When
from django.views.generic import ListView

from news import search
from news.models import Post, Security
from news.reader import stories, wall
from news.reader.filters import SearchFilter
from news.reader.views import PagedListingMixin
from news.search.snippets import marked, snippet
from news.search.tokens import highlight_terms, text_of_html

ORDERS = {"newest": "最新在前", "relevance": "标题命中在前"}
RELEVANCE_POOL = 200  # title hits first among this many newest matches (bounded work at 1M posts)
COUNT_UP_TO = 1000  # counted exactly up to here; past it "超过 1,000 条"


class SearchView(PagedListingMixin, ListView):
    template_name = "news/search.html"
    context_object_name = "results"

    def get(self, request, *args, **kwargs):
        self.query = request.GET.get("q", "")
        self.order = request.GET.get("order") if request.GET.get("order") in ORDERS else "newest"
        self.words = highlight_terms(self.query)
        self.error = None
        response = super().get(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_queryset(self):
        self.filterset = SearchFilter(self.request.GET, queryset=Post.objects.published())
        posts = self.filterset.qs if self.filterset.is_valid() else Post.objects.published()
        try:
            posts = search.search(posts, self.query)
        except search.QueryError as error:
            self.error = str(error) if self.query.strip() or "q" in self.request.GET else None
            return Post.objects.none()
        posts = stories.first_reports(posts, within=posts)  # a story once: its first matching report
        posts = posts.only("title", "url_path", "published_at", "summary", "body_html", "important")
        self.matches = posts
        if self.order == "relevance":
            # Title hits first among the newest RELEVANCE_POOL matches: bounded work however
            # common the word (at a million posts a common word matches tens of thousands).
            newest = posts.newest_first().values("pk")[:RELEVANCE_POOL]
            in_title = Q(*[Q(title__icontains=word) for word in self.words]) if self.words else Q(pk=None)
            posts = posts.filter(pk__in=list(newest.values_list("pk", flat=True))).annotate(
                title_hit=Case(When(in_title, then=Value(1)), default=Value(0), output_field=IntegerField()))
            return posts.order_by("-title_hit", "-published_at", "-source_path")
        return posts.newest_first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sources = wall.sources_of(post.pk for post in context["results"])
        found = stories.reports(post.pk for post in context["results"])
        for post in context["results"]:
            post.source = sources.get(post.pk)
            if post.pk in found:
                post.story_html = wall.story_html(wall.Item(
                    post.pk, post.title, post.url_path, post.published_at, post.important, post.source, found[post.pk]))
            post.marked_title = marked(post.title, self.words)
            post.snippet = snippet(post.summary or text_of_html(post.body_html), self.words)
        matches = getattr(self, "matches", None)
        if matches is not None and not self.error:
            found = matches.order_by().values("pk")[: COUNT_UP_TO + 1].count()
            context["found"] = found if found <= COUNT_UP_TO else None
            context["count_up_to"] = COUNT_UP_TO
        context.update(query=self.query, order=self.order, orders=ORDERS, error=self.error,
                       refresh_seconds=0, index_building=search.is_building(), securities=securities_named(self.query))
        return context


def securities_named(query):
    """The securities whose code or exact name the query is (``600519``, ``贵州茅台``): search leads
    with their pages."""
    query = " ".join(query.split())
    if not query or len(query) > 20 or " " in query:
        return []
    return list(Security.objects.filter(Q(code=query.upper()) | Q(name=query)).order_by("code", "market")[:5])
