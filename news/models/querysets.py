"""Queries on posts, and the bulk half of the one write path for them.

Reading: the reader listings (``published``, ``newest_first``; the link tables' ``live`` ranges and
the home page's per-tag top-N are in linksets.py). Writing: every change to many posts at once
(status, categories, tags) is a method here, so the link tables' sort keys and the cached pages
follow whatever changed.
"""
import datetime

from django.db import transaction
from django.utils import timezone

from news.models.bulk import BulkQuerySet
from news.signals import posts_changed

FEW_DATES = 5000  # datetimes() reads the dates of a narrowed list up to this size

SORT_KEYS = ("published_at", "is_published", "source_path")


class PostQuerySet(BulkQuerySet):
    def published(self, now=None):
        """Posts a reader may see: published status and a publication time that has come."""
        return self.filter(status=self.model.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def scheduled(self, now=None):
        """Published posts whose time has not come yet."""
        return self.filter(status=self.model.Status.PUBLISHED, published_at__gt=now or timezone.now())

    def newest_first(self):
        # Jekyll's order: date descending, ties broken by the larger source path first.
        return self.order_by("-published_at", "-source_path")

    def in_category(self, category):
        return self.filter(category_links__category=category)

    def tagged(self, tag):
        return self.filter(tag_links__tag=tag)

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        """Django's ``datetimes()`` (a real DateTimeQuerySet), computed over one post per period.

        Django truncates every row's date (a per-row function on SQLite: ~1 s for 100,000 posts),
        and the admin's date hierarchy asks on every list page. Here one post of each period is
        found first — by one index seek per period, or for a narrowed list (a search, a filter)
        by reading its dates once — and Django's own ``datetimes()`` runs over just those.
        """
        if field_name != "published_at" or kind not in ("year", "month", "day"):
            return super().datetimes(field_name, kind, order, tzinfo)
        tz = tzinfo or timezone.get_current_timezone()
        representatives = self._one_per_period(kind, tz)
        return super(PostQuerySet, self.model.objects.filter(pk__in=representatives)).datetimes(
            field_name, kind, order, tzinfo)

    def _one_per_period(self, kind, tz):
        """The id of one post in each ``kind`` period (in ``tz``) that holds posts."""
        dated = self.order_by()
        if self.query.where:
            rows = list(dated.values_list("pk", "published_at")[: FEW_DATES + 1])
            if len(rows) <= FEW_DATES:
                return list({_period_start(timezone.localtime(moment, tz), kind): pk for pk, moment in rows}.values())
        first = dated.order_by("published_at").values_list("pk", "published_at").first()
        last = dated.order_by("-published_at").values_list("pk", "published_at").first()
        if first is None:
            return []
        found = [first[0], last[0]]
        start = _next_period(_period_start(timezone.localtime(first[1], tz), kind), kind)
        last_start = _period_start(timezone.localtime(last[1], tz), kind)
        while start < last_start:
            end = _next_period(start, kind)
            found += dated.filter(published_at__gte=start, published_at__lt=end).values_list("pk", flat=True)[:1]
            start = end
        return found

    # --- writing many posts ------------------------------------------------------------------
    def set_status(self, status):
        """Publish or unpublish; returns the ids of the posts that actually changed."""
        return self._set(status=status)

    def set_important(self, important):
        """Mark or unmark as 重要; returns the ids of the posts that actually changed."""
        return self._set(important=important)

    def _set(self, **values):
        """Set one field on the posts where it differs, in one statement, and announce the change
        to the after-write step; the link rows' sort keys follow a status change."""
        ids = list(self.exclude(**values).values_list("pk", flat=True))
        with transaction.atomic():
            self.model.objects.filter(pk__in=ids).update(**values, updated_at=timezone.now())
            if "status" in values:  # the links' copy of it: one statement per link table
                published = values["status"] == self.model.Status.PUBLISHED
                for links in ("category_links", "tag_links", "security_links", "channel_links"):
                    relation = self.model._meta.get_field(links)
                    relation.related_model.objects.filter(**{f"{relation.field.attname}__in": ids}).update(
                        is_published=published)
            if ids:
                posts_changed.send(sender=self.model, ids=ids)
        return ids

    def sync_link_keys(self):
        """Copy each post's date, status and path onto its category, tag, security and channel links."""
        for post in self.only(*_KEY_SOURCES):
            keys = post.link_keys()
            post.category_links.update(**keys)
            post.tag_links.update(**keys)
            post.security_links.update(**keys)
            post.channel_links.update(**keys)

    def move_to(self, category):
        """Make ``category`` the only category of each post; returns the ids that changed.
        (A post's address stays what it was: old links keep working.)"""
        moved = []
        with transaction.atomic():
            for post in self:
                if post.set_categories([category]):
                    moved.append(post.pk)
        return moved

    def add_tag(self, tag):
        """Add ``tag`` after each post's other tags; returns the ids that changed."""
        added = []
        with transaction.atomic():
            for post in self.exclude(tag_links__tag=tag):
                post.tags.add(tag)
                added.append(post.pk)  # taggit's add() sends m2m_changed: news/changes/ hears it
        return added

    def remove_tag(self, tag):
        ids = list(self.filter(tag_links__tag=tag).values_list("pk", flat=True))
        with transaction.atomic():
            self.model._meta.get_field("tag_links").related_model.objects.filter(
                content_object_id__in=ids, tag=tag).delete()  # each link's post_delete is heard
        return ids


_KEY_SOURCES = ("pk", "published_at", "status", "source_path")


def _period_start(moment, kind):
    moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind in ("year", "month"):
        moment = moment.replace(day=1)
    if kind == "year":
        moment = moment.replace(month=1)
    return moment


def _next_period(start, kind):
    tz = start.tzinfo
    naive = start.replace(tzinfo=None)
    if kind == "year":
        naive = naive.replace(year=naive.year + 1)
    elif kind == "month":
        naive = naive.replace(year=naive.year + naive.month // 12, month=naive.month % 12 + 1)
    else:
        naive = naive + datetime.timedelta(days=1)
    return naive.replace(tzinfo=tz)
