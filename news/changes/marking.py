"""Marking pages stale: the after-write step's last act (news/changes/ works out the stamps).

A change's stamps are marked stale at once and again when its transaction commits (a page rebuilt
in between from the old rows is not kept). Once the change is committed, :data:`pages_changed`
tells whoever shows those pages elsewhere (news/push/ publishes the live lists' events): with the
stamps and the ids of the posts the change wrote, once per transaction.
"""

from django.db import transaction

from news import cache, meters
from news.cache.tasks import mark_everything_stale
from news.signals import pages_changed


class _Pending:
    """The stamps and posts touched in one transaction, told again when it commits."""
    def __init__(self, connection):
        self.connection = connection
        self.names = set()
        self.posts = set()

    def __call__(self):
        if self.connection._finews_pending is self:  # told: what follows is another change
            self.connection._finews_pending = None
        with meters.publish_seconds.time():  # committed just now: until its pages are marked
            _tell_cache(self.names)
        _committed(self.names, self.posts)


def _committed(names, posts):
    pages_changed.send(sender=None, names=frozenset(names), posts=frozenset(posts))


def _tell_cache(names):
    """Mark ``names`` stale. When the cache cannot be reached (Redis away or hanging), readers on
    other servers would keep pages this change made stale once it is back: a job (news/cache/tasks.py)
    then marks every page stale as soon as it answers — once per outage per process."""
    global _outage_reported
    if cache.mark_stale(names):
        _outage_reported = False
    elif not _outage_reported:
        _outage_reported = True
        mark_everything_stale.enqueue()


_outage_reported = False


def mark(names, posts=()):
    """Mark ``names`` stale, now and when the transaction commits; ``posts`` are the ids of the
    posts the change wrote (what a live list's event carries the markup of)."""
    names = set(names)
    if not names:
        return
    _tell_cache(names)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _committed(names, posts)
        return
    pending = getattr(connection, "_finews_pending", None)
    # A pending set whose callback a rollback discarded is not reused.
    if pending is None or not any(func is pending for _, func, _ in connection.run_on_commit):
        pending = connection._finews_pending = _Pending(connection)
        transaction.on_commit(pending, robust=True)  # committed: a failure here is logged, not the writer's
    pending.names |= names
    pending.posts |= set(posts)
