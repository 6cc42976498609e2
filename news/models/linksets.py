"""The link tables' querysets: a post's place in a category or under a tag, with the post's sort
keys copied onto it so a listing is one index range (news/models/posts.py has the tables). The
bulk half of the write path for links — their inserts and a tag merge — and the listing reads.
"""
import datetime

from django.db import connections, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from news.models.bulk import BulkQuerySet
from news.signals import posts_changed


def _aware(moment):
    """A date-time from raw SQL: SQLite gives UTC text, PostgreSQL an aware value."""
    if isinstance(moment, str):
        moment = datetime.datetime.fromisoformat(moment)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=datetime.UTC)



class LinkQuerySet(BulkQuerySet):
    """The post–category and post–tag link tables, which carry a copy of the post's sort keys.

    Every insert fills those keys from the post (``bulk_create`` here, ``save()`` on the model),
    so Django's ``post.categories.add()`` and taggit's ``post.tags.add()`` work like the importer.
    """

    post_field = "post"

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        self.model.fill_sort_keys(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def live(self, now=None):
        return self.filter(is_published=True, published_at__lte=now or timezone.now())

    def newest_first(self):
        return self.order_by("-published_at", "-source_path")

    def before(self, link):
        """Links older than ``link`` in listing order (the next-older post first). Written as a
        range with an exception rather than an OR, so it stays one index range scan."""
        return self.filter(published_at__lte=link.published_at).exclude(
            published_at=link.published_at, source_path__gte=link.source_path).newest_first()

    def around(self, ranges, limit, now=None):
        """For ``ranges`` (``{category_id: (low, high)}``, a category link table only): ``(post
        ids, crowded)`` — the links of each category dated from ``low`` to ``high`` and the nearest
        live one on each side, and the categories with more than ``limit`` links in range. Three
        index seeks a category, sent as one statement per 150 categories (the write path asks this
        for every batch an import writes)."""
        connection = connections[self.db]
        adapt = connection.ops.adapt_datetimefield_value
        table, now = self.model._meta.db_table, adapt(now or timezone.now())
        live = "is_published AND published_at <= %s"
        ids, crowded, items = [], set(), list(ranges.items())
        for start in range(0, len(items), 150):
            parts, params = [], []
            for n, (category, (low, high)) in enumerate(items[start:start + 150]):
                low, high = adapt(low), adapt(high)
                select = f"SELECT * FROM (SELECT %s AS kind, category_id, post_id FROM {table} WHERE category_id = %s"
                parts += [
                    f"{select} AND published_at >= %s AND published_at <= %s LIMIT {limit + 1}) r{n}",
                    f"{select} AND {live} AND published_at < %s ORDER BY published_at DESC, source_path DESC LIMIT 1) o{n}",
                    f"{select} AND {live} AND published_at > %s ORDER BY published_at, source_path LIMIT 1) n{n}"]
                params += ["r", category, low, high, "s", category, now, low, "s", category, now, high]
            with connection.cursor() as cursor:
                cursor.execute(" UNION ALL ".join(parts), params)
                rows = cursor.fetchall()
            in_range = {}
            for kind, category, post in rows:
                ids.append(post)
                if kind == "r":
                    in_range[category] = in_range.get(category, 0) + 1
            crowded |= {category for category, count in in_range.items() if count > limit}
        return ids, crowded

    def after(self, link):
        """Links newer than ``link`` (the next-newer post first)."""
        return self.filter(
            Q(published_at__gt=link.published_at)
            | Q(published_at=link.published_at, source_path__gt=link.source_path)
        ).order_by("published_at", "source_path")


class TagLinkQuerySet(LinkQuerySet):
    def merge_tags(self, sources, target):
        """Give every post of the tags ``sources`` the tag ``target`` instead — once, where the
        first of them stood in its list — and delete ``sources``; returns the ids of the posts changed."""
        sources = [tag for tag in sources if tag.pk != target.pk]
        with transaction.atomic():
            first, drop, changed = {}, [], set()
            rows = self.filter(tag__in=[*sources, target]).order_by("content_object_id", "position")
            for pk, post_id, tag_id in rows.values_list("pk", "content_object_id", "tag_id"):
                if tag_id != target.pk:
                    changed.add(post_id)
                if post_id in first:
                    drop.append(pk)
                else:
                    first[post_id] = (pk, tag_id)
            self.filter(pk__in=drop).delete()  # each link's post_delete is heard
            self.filter(pk__in=[pk for pk, tag_id in first.values() if tag_id != target.pk]).update(tag=target)
            if changed:
                posts_changed.send(sender=self.model._meta.get_field("content_object").related_model,
                                   ids=sorted(changed))
            for tag in sources:
                tag.delete()  # post_delete of the tag: its pages are stale
        return sorted(changed)

    def home_order(self, now=None):
        """``[(tag_id, name)]`` of the tags with live posts, in Jekyll's ``site.tags`` order
        (where each tag's oldest post stands): three index seeks per tag."""
        tag_model = self.model.tag.field.related_model
        first = self.live(now).filter(tag=OuterRef("pk")).order_by("published_at", "source_path", "position")
        return list(tag_model.objects.annotate(
            first_at=Subquery(first.values("published_at")[:1]),
            first_path=Subquery(first.values("source_path")[:1]),
            first_position=Subquery(first.values("position")[:1]),
        ).filter(first_at__isnull=False).order_by("first_at", "first_path", "first_position", "pk")
            .values_list("pk", "name"))

    def recent_order(self, offset, limit, now=None):
        """``[(tag_id, name)]`` of the tags with live posts, the one with the newest post first
        (ties: the larger id first), ``limit`` of them from ``offset``: one index seek per tag."""
        tag_model = self.model.tag.field.related_model
        newest = self.live(now).filter(tag=OuterRef("pk")).order_by("-published_at", "-source_path")
        return list(tag_model.objects.annotate(latest=Subquery(newest.values("published_at")[:1]))
                    .filter(latest__isnull=False).order_by("-latest", "-pk")
                    .values_list("pk", "name")[offset: offset + limit])

    def home_sections(self, per_tag, tag_ids, now=None):
        """The ``per_tag`` newest live posts of each of the tags ``tag_ids`` (their order is
        ``home_order``'s), in one query whatever the number of tags; both forms read a few index
        entries per tag, never the whole link table. Returns ``[(tag_id, tag_name, [(title,
        url_path, published_at), ...]), ...]``.
        """
        ids = [int(pk) for pk in tag_ids]
        if not ids:
            return []
        connection = connections[self.db]
        now = connection.ops.adapt_datetimefield_value(now or timezone.now())
        post_model = self.model._meta.get_field("content_object").related_model
        link, post, tag = (
            m._meta.db_table for m in (self.model, post_model, self.model.tag.field.related_model))
        live = "x.tag_id = t.id AND x.is_published AND x.published_at <= %s"
        only = f"t.id IN ({', '.join(['%s'] * len(ids))})"
        if connection.vendor == "postgresql":
            # PostgreSQL's natural per-group top-N: an index-ordered LATERAL scan per tag.
            sql = f"""
                SELECT t.id, t.name, p.title, p.url_path, l.published_at
                FROM {tag} t
                CROSS JOIN LATERAL (
                    SELECT x.content_object_id, x.published_at, x.source_path FROM {link} x
                    WHERE {live}
                    ORDER BY x.published_at DESC, x.source_path DESC LIMIT %s) l
                JOIN {post} p ON p.id = l.content_object_id
                WHERE {only}
                ORDER BY t.id, l.published_at DESC, l.source_path DESC
            """
            params = [now, per_tag, *ids]
        else:
            # SQLite has no LATERAL: each tag's cut-off is an index seek in a materialised CTE,
            # and the range join reads only the rows above it.
            sql = f"""
                WITH cut AS MATERIALIZED (
                    SELECT t.id AS tag_id, t.name AS name,
                        (SELECT x.published_at FROM {link} x WHERE {live}
                         ORDER BY x.published_at DESC, x.source_path DESC LIMIT 1 OFFSET %s) AS cutoff
                    FROM {tag} t WHERE {only}
                )
                SELECT cut.tag_id, cut.name, p.title, p.url_path, l.published_at
                FROM cut
                JOIN {link} l ON l.tag_id = cut.tag_id
                JOIN {post} p ON p.id = l.content_object_id
                WHERE l.is_published AND l.published_at <= %s
                  AND (cut.cutoff IS NULL OR l.published_at >= cut.cutoff)
                ORDER BY cut.tag_id, l.published_at DESC, l.source_path DESC
            """
            params = [now, per_tag - 1, *ids, now]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        sections = {}
        for tag_id, name, title, url_path, moment in rows:
            posts = sections.setdefault(tag_id, (tag_id, name, []))[2]
            if len(posts) < per_tag:  # ties at the cut-off can bring a few more
                posts.append((title, url_path, _aware(moment)))
        return list(sections.values())
