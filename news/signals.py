"""The write path's own events, for writes Django sends no signal for (``QuerySet.update()``,
``bulk_create``, ``bulk_update``). The bulk writers send them; news/changes/ receives them with
Django's own model signals."""
from django.dispatch import Signal

#: Sent (``sender=Post``) after posts were changed in bulk: ``ids``, and optionally ``posts`` (the
#: saved objects, when the sender holds them), ``previous``
#: (``{id: {"url_path": …, "published_at": …}}`` as they were), ``reindex`` (their text changed)
#: ``settled`` (a new post's address settled in the request that made it) and ``securities`` (the
#: ids of securities whose list of posts the change touched: news/models/securities.py).
posts_changed = Signal()
#: Sent (``sender=Category``) after categories were renamed in bulk: ``ids``.
categories_renamed = Signal()
#: Sent (``sender=None``) once a change is committed (news/changes/marking.py): ``names``, the page
#: cache's stamps it made stale, and ``posts``, the ids of the posts it wrote.
pages_changed = Signal()
