"""Revisions: every write to a post leaves a record of what readers see of it afterwards — title,
body, status, 重要, time, address, categories, tags, its story, the securities it names — and who
wrote it.

The after-write step (news/changes/) notes the posts each write touched; at the end of the
request or import batch that wrote them (``acting()``; at once for a write outside one) their
state is read in three queries and stored (``Revision``), one row per post whose state differs
from its last revision. Who wrote it comes from the context the write ran in
(``acting()``: an editor in the admin, a scraper's token, an import run; "系统" otherwise).
Refused attempts (an import or re-send that would have overwritten an editor) are recorded too.
A restore is a write like any other, so it is a revision as well.

Why not django-reversion or django-simple-history: both serialise each object in Python on its
own save; imports write thousands of posts a batch through bulk methods (no per-object save), and
what readers see spans two link tables. One set-based read and one bulk insert per batch keeps an
import's speed.
"""
import contextvars
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Max

from news import meters
from news.models import Category, Post, PostCategory, PostChannel, PostSecurity, Revision, RuleHold, StoryPost, TaggedPost

FIELDS = ("title", "body_markdown", "status", "important", "published_at", "url_path")
_actor = contextvars.ContextVar("finews_revision_actor", default=None)


@contextmanager
def acting(action, user=None, token=None, run=None, path=None):
    """Writes inside are recorded as ``action`` by ``user``, ``token`` or import ``run``, when the
    block ends (or at ``flush()``): a request's or a batch's writes, links included, make one
    revision per post. ``path`` names the way they came for the metrics (api, import, watch;
    an editor's are "admin")."""
    marker = _actor.set({"action": action, "user": user, "token": token, "run": run, "path": path, "ids": set()})
    try:
        yield
    finally:
        try:
            flush()
        finally:
            _actor.reset(marker)


def flush():
    """Record the posts written so far in the current ``acting()`` block."""
    actor = _actor.get()
    if actor and actor["ids"]:
        ids, actor["ids"] = actor["ids"], set()
        chosen, actor["chosen"] = actor.get("chosen", set()), set()
        _count(_path(actor), len(ids))
        record(ids, _who(), chosen)


def _count(path, written):
    """Count the posts written once they are committed (a rolled-back batch or a dry run is not)."""
    transaction.on_commit(lambda: meters.posts_written.labels(path).inc(written))


def _path(actor):
    if actor and actor.get("path"):
        return actor["path"]
    user = actor and actor.get("user")
    return "admin" if user is not None and user.is_authenticated else "system"


def set_run(run):
    """The import run the current writes belong to (known once the run has started)."""
    actor = _actor.get()
    if actor is not None:
        actor["run"] = run


def current():
    """Who is writing now (the current ``acting()`` block's actor; "系统" outside one)."""
    return _who()


def _who():
    actor = _actor.get() or {"action": "系统"}
    user = actor.get("user")
    return {"action": actor["action"][:100], "user": user if user is not None and user.is_authenticated else None,
            "token": actor.get("token"), "run": actor.get("run")}


def snapshots(ids):
    """``{post id: what readers see of it}`` for the posts ``ids`` that exist."""
    ids = list(ids)
    found = {}
    for row in Post.objects.filter(pk__in=ids).values("pk", *FIELDS):
        pk = row.pop("pk")
        row["published_at"] = row["published_at"].isoformat()
        found[pk] = {**row, "categories": [], "tags": [], "story": None, "securities": [], "channels": []}
    links = PostCategory.objects.filter(post_id__in=ids).order_by("post_id", "position")
    for pk, key in links.values_list("post_id", "category__key"):
        found[pk]["categories"].append(key)
    tags = TaggedPost.objects.filter(content_object_id__in=ids).order_by("content_object_id", "position")
    for pk, name in tags.values_list("content_object_id", "tag__name"):
        found[pk]["tags"].append(name)
    for pk, story in StoryPost.objects.filter(post_id__in=ids).values_list("post_id", "story_id"):
        found[pk]["story"] = story
    named = PostSecurity.objects.filter(post_id__in=ids).order_by("post_id", "position")
    for pk, market, code in named.values_list("post_id", "security__market", "security__code"):
        found[pk]["securities"].append(f"{code}.{market}")
    channels = PostChannel.objects.filter(post_id__in=ids).order_by("post_id", "position")
    for pk, slug in channels.values_list("post_id", "channel__slug"):
        found[pk]["channels"].append(slug)
    return found


def latest(ids):
    newest = Revision.objects.filter(post_id__in=list(ids)).values("post_id").annotate(last=Max("pk")).values("last")
    return {revision.post_id: revision for revision in Revision.objects.filter(pk__in=newest)}


def record(ids, who, chosen=()):
    """Store the state of the posts ``ids`` where it differs from their last revision (``chosen``:
    posts whose securities an editor chose, a change even against a revision from before them)."""
    found = snapshots(ids)
    if not found:
        return
    last = latest(found)
    Revision.objects.bulk_create([
        Revision(post_id=pk, data=data, **who) for pk, data in found.items()
        if pk not in last or _differs(last[pk].data, data, pk in chosen)], batch_size=500)


def _differs(old, new, chosen=False):
    """Whether readers see something else. A revision from before stories (or securities) has no
    ``story`` (``securities``, ``channels``): a post's first placement (``assign_stories``,
    ``extract_securities``, ``apply_rules`` on an existing site) is not a change of its own — an
    editor's choice of securities is."""
    derived = ("story", "channels") if chosen else ("story", "securities", "channels")
    new = {key: value for key, value in new.items() if key in old or key not in derived}
    return old != new


def note(ids, chosen=False):
    """The posts ``ids`` were written: recorded when the current ``acting()`` block ends, or at
    once (in the same transaction, so a rollback takes it back too) outside one. ``chosen``: by an
    editor's choice of their securities."""
    ids = set(ids)
    actor = _actor.get()
    if not ids:
        return
    if actor is not None:
        actor["ids"] |= ids
        if chosen:
            actor.setdefault("chosen", set()).update(ids)
    else:
        _count(_path(None), len(ids))
        record(ids, _who(), ids if chosen else ())


def refused(attempts):
    """``[(post id, reason)]``: writes that were not made; recorded with the post's state."""
    attempts = [(pk, reason) for pk, reason in attempts if pk]
    if not attempts:
        return
    who = _who()
    found = snapshots(pk for pk, _ in attempts)
    last = latest(pk for pk, _ in attempts)
    made = []
    for pk, reason in attempts:
        revision = Revision(post_id=pk, data=found.get(pk, {}),
                            **{**who, "action": f"未采纳（{who['action']}）：{reason}"[:100]})
        before = last.get(pk)
        # The same refusal again (a scraper re-sending on a schedule) is on record once.
        if before is None or (before.action, before.data, before.token_id, before.user_id) != (
                revision.action, revision.data, getattr(who["token"], "pk", None), getattr(who["user"], "pk", None)):
            made.append(revision)
    Revision.objects.bulk_create(made)


def deleted(post):
    Revision.objects.create(post_id=post.pk, data={"title": post.title, "url_path": post.url_path, "status": "deleted"},
                            **{**_who(), "action": f"删除（{_who()['action']}）"[:100]})


def restore(revision, user):
    """Make the post what ``revision`` recorded (its address stays), as ``user``: a write like
    any other, so it leaves a revision too, and holds the post against imports."""
    import datetime

    from django.utils import timezone


    data = revision.data
    post = Post.objects.get(pk=revision.post_id)
    with acting(f"恢复到修订 #{revision.pk}", user=user), transaction.atomic():
        post.title, post.body_markdown = data["title"], data["body_markdown"]
        post.status, post.important = data["status"], data["important"]
        post.published_at = datetime.datetime.fromisoformat(data["published_at"])
        post.held_at = timezone.now()
        post.held_against_rules = ("important", "status")  # the editor's state: rules leave it (news/changes/ruling.py)
        RuleHold.objects.hold([post.pk], *post.held_against_rules)
        changed = post.changed_fields()
        if changed:
            post.save(update_fields=changed)
        categories = {c.key: c for c in Category.objects.filter(key__in=data["categories"])}
        post.set_categories([categories[key] for key in data["categories"] if key in categories])
        if list(post.tag_links.order_by("position").values_list("tag__name", flat=True)) != data["tags"]:
            post.tag_links.all().delete()
            post.tags.add(*data["tags"])
        note([post.pk])  # even when only the hold changed: the restore is on record
    return post
