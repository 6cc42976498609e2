"""Rebuilding the search index while the site keeps writing and searching.

The new index is built beside the live one (``news_search_new``), a chunk of posts per short
transaction, tokenised outside any transaction; writers keep updating the live index meanwhile
and searches keep reading it. Then the posts changed since the build began are copied again
(until few are left), and one short transaction copies the last of them, drops from the new
index the posts deleted meanwhile, and puts the new index in the live one's place. A writer or
a search waits at most for that last transaction, never for the whole build.
"""
import datetime
import time
from contextlib import nullcontext

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from .tokens import document_text

SHADOW = "news_search_new"
# A post saved just before a pass began may commit just after it (an import's batch holds its
# transaction a second or two): each pass looks this far back.
SLACK = datetime.timedelta(seconds=30)
CATCH_UP_PASSES = 3
SWAP_ATTEMPTS = 10


def rebuild(backend, posts, *, batch=1000, progress=None, pause=0.0):
    """Fill a new index from ``posts`` (a queryset of every post) and swap it in; returns how
    many posts were indexed. ``progress(done)`` is called after each chunk; ``pause`` seconds
    are left to other writers between chunks (a throttle for a busy site)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in backend.shadow_sql:
            cursor.execute(statement)
    since = timezone.now()
    done = 0
    for chunk in _chunks(posts, batch):
        _store(backend, chunk)
        done += len(chunk)
        if progress is not None:
            progress(done)
        if pause:
            time.sleep(pause)
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in backend.shadow_ready_sql:
            cursor.execute(statement)
    for _ in range(CATCH_UP_PASSES):  # catch up outside the final transaction while much changed
        started = timezone.now()
        changed = posts.filter(updated_at__gte=since - SLACK)
        if changed.count() <= batch:
            break
        for chunk in _chunks(changed, batch):
            _store(backend, chunk)
        since = started
    for attempt in range(SWAP_ATTEMPTS):
        try:
            _swap(backend, posts, since, batch)
            return done
        except OperationalError:  # PostgreSQL's lock_timeout: a long write held the live index
            if attempt == SWAP_ATTEMPTS - 1:
                raise
            time.sleep(1)


def _swap(backend, posts, since, batch):
    with transaction.atomic(), connection.cursor() as cursor:
        # The first statement takes the write lock (SQLite) or holds writers off the live index
        # (PostgreSQL), so no change can slip in between the last copy and the swap.
        for statement in backend.final_lock_sql(posts.model._meta.db_table):
            cursor.execute(statement)
        for chunk in _chunks(posts.filter(updated_at__gte=since - SLACK), batch):
            _store(backend, chunk, atomic=False)
        for statement in backend.swap_sql:
            cursor.execute(statement)


def _chunks(posts, batch):
    last = 0
    while chunk := list(posts.filter(pk__gt=last).order_by("pk").only("title", "summary", "body_html")[:batch]):
        yield chunk
        last = chunk[-1].pk


def _store(backend, chunk, atomic=True):
    documents = [(post.pk, document_text(post.title, post.summary, post.body_html)) for post in chunk]
    with transaction.atomic() if atomic else nullcontext(), connection.cursor() as cursor:
        backend.store(cursor, documents, table=SHADOW)
