"""Full-text search of posts, behind one small interface.

The write path calls :func:`index_posts` for every post whose title, summary or body it stored
(``Post.save()`` and the importer's batch writer) and :func:`remove_posts` when posts are
deleted; readers' and editors' searches call :func:`search`. ``manage.py rebuild_search_index``
refills it. Which database does the matching is the backend's business (news/search/backends.py):
a dedicated engine could take over by implementing the same four calls.
"""
import contextlib
import html
import unicodedata

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL

from .backends import BACKENDS
from .tokens import QueryError, document_text, query_terms

__all__ = ["QueryError", "index_posts", "index_documents", "remove_posts", "search", "rebuild", "is_building"]


def _backend(using=None):
    return BACKENDS[(using or connection).vendor]


def index_posts(posts):
    """(Re)index ``posts`` (objects with ``pk``, ``title``, ``summary`` and ``body_html``)."""
    index_documents([(post.pk, document_text(post.title, post.summary, post.body_html)) for post in posts])


def index_documents(documents):
    """(Re)index ``[(post id, text)]`` whose text is ``document_text()`` of the post
    (for a writer that already has them, e.g. many posts sharing one body)."""
    if documents:
        with connection.cursor() as cursor:
            _backend().store(cursor, documents)


def remove_posts(ids):
    ids = list(ids)
    if ids:
        with connection.cursor() as cursor:
            _backend().remove(cursor, ids)


_built = set()  # the databases whose index this process saw built: it stays built


def is_building():
    """True while the index of a site that had posts before search existed is still being built
    (migration 0006 leaves it so; ``rebuild_search_index`` finishes it): until then search finds
    only the posts written since. Once a process has seen the index built it asks no more."""
    name = connection.settings_dict["NAME"]
    if name in _built:
        return False
    with connection.cursor() as cursor:
        cursor.execute(_backend().building_sql)
        building = cursor.fetchone() is not None
    if not building:
        _built.add(name)
    return building


LITERAL_SCAN = 5_000  # a query of symbols alone (``5%``) is compared with this many newest posts


def search(queryset, query):
    """``queryset`` narrowed to the posts matching ``query``; QueryError (with a Chinese message)
    for a query that cannot be searched. Terms with symbols (``5%``, ``美元。``) must also stand in
    the title, summary or body as typed; one that gives the index nothing to narrow by is looked
    for among the newest LITERAL_SCAN posts."""
    terms, literals = query_terms(query)
    if terms:
        sql, params = _backend().match(terms)
        queryset = queryset.filter(pk__in=RawSQL(sql, params))
    else:
        newest = queryset.order_by("-published_at", "-source_path").values("pk")[:LITERAL_SCAN]
        queryset = queryset.filter(pk__in=newest)
    for typed in literals:
        # As typed and NFKC-normalised (全角 ，％ or half-width); in the body as its HTML stores it.
        forms = {typed, unicodedata.normalize("NFKC", typed)}
        match = Q()
        for form in forms:
            match |= (Q(title__icontains=form) | Q(summary__icontains=form)
                      | Q(body_html__icontains=html.escape(form, quote=False)))
        queryset = queryset.filter(match)
    return queryset


def rebuild(posts, batch=1000, progress=None, pause=0.0):
    """Build a new index from ``posts`` (a queryset of every post) beside the live one and swap
    it in, writes and searches going on meanwhile (news/search/online.py); returns how many
    posts were indexed."""
    from .online import rebuild as online

    return online(_backend(), posts, batch=batch, progress=progress, pause=pause)


@contextlib.contextmanager
def bulk_load():
    """For a writer loading very many posts into a site nobody reads yet (bench/fill.py): the
    index's lookup structure is set aside while documents are stored and built once at the end."""
    before, after = _backend().bulk_sql
    with connection.cursor() as cursor:
        for statement in before:
            cursor.execute(statement)
    yield
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in after:
            cursor.execute(statement)
