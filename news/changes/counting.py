"""Post counts per source and per tag at any size.

The counts live in ``SourceCount`` / ``TagCount`` and the database keeps them: a row trigger on
each link table adds one when a published link is inserted (or a link becomes published) and
subtracts one when it is deleted (or unpublished), on SQLite and PostgreSQL alike. Every writer
— the write path's bulk methods, Django's cascades, a merge — is counted without knowing it.
What the triggers cannot see is time: a scheduled post is counted from its insertion, so
readers' counts subtract the (few) scheduled posts, found by index. The triggers are installed by
migration 0008, which keeps its own copy of their SQL.
"""
from django.db.models import Count, OuterRef, Subquery

from news.models import Category, Post, PostCategory, SourceCount, TagCount, TaggedPost


def _counted(things, links, counts, key, order):
    """``things`` (categories or tags) with ``visible`` (published posts readers can see: the
    kept count less the scheduled ones) and ``latest`` (the newest one's time, one index seek
    each), ordered by ``order``."""
    latest = links.live().filter(**{key: OuterRef("pk")}).newest_first().values("published_at")[:1]
    post = links.model.post_attname.removesuffix("_id")
    scheduled = dict(links.filter(**{f"{post}__in": Post.objects.scheduled().values("pk")})
                     .values_list(key).annotate(n=Count("pk")).values_list(key, "n"))
    found = list(things.annotate(latest=Subquery(latest), counted=Subquery(
        counts.filter(**{key: OuterRef("pk")}).values("posts")[:1])).order_by(order))
    for thing in found:
        thing.visible = (thing.counted or 0) - scheduled.get(thing.pk, 0)
    return found


def source_counts():
    """Every category with ``visible`` and ``latest`` (see ``_counted``), in key order."""
    return _counted(Category.objects, PostCategory.objects, SourceCount.objects, "category", "key")


def tag_counts():
    """Every tag that has been used, with ``visible`` and ``latest``, by name."""
    from taggit.models import Tag


    tags = _counted(Tag.objects, TaggedPost.objects, TagCount.objects, "tag", "name")
    return [tag for tag in tags if tag.latest is not None]
