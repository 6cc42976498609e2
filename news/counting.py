"""Post counts per source and per tag at any size.

The counts live in ``SourceCount`` / ``TagCount`` and the database keeps them: a row trigger on
each link table adds one when a published link is inserted (or a link becomes published) and
subtracts one when it is deleted (or unpublished), on SQLite and PostgreSQL alike. Every writer
— the write path's bulk methods, Django's cascades, a merge — is counted without knowing it.
What the triggers cannot see is time: a scheduled post is counted from its insertion, so
readers' counts subtract the (few) scheduled posts, found by index. (Models are imported inside
the functions: migration 0008 runs ``install`` with historical models.)
"""
from django.db.models import Count, OuterRef, Subquery

LINKS = [("news_postcategory", "category_id", "news_sourcecount"), ("news_taggedpost", "tag_id", "news_tagcount")]


def _sqlite_triggers(table, key, counts):
    add = (f"INSERT INTO {counts}({key}, posts) SELECT NEW.{key}, 1 WHERE NEW.is_published "
           f"ON CONFLICT({key}) DO UPDATE SET posts = posts + 1;")
    subtract = f"UPDATE {counts} SET posts = posts - 1 WHERE OLD.is_published AND {key} = OLD.{key};"
    return [
        f"CREATE TRIGGER {table}_count_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {table}_count_delete AFTER DELETE ON {table} BEGIN {subtract} END",
        f"CREATE TRIGGER {table}_count_update AFTER UPDATE OF is_published, {key} ON {table} "
        f"BEGIN {subtract} {add} END",
    ]


def _postgres_triggers(table, key, counts):
    return [
        f"""CREATE OR REPLACE FUNCTION {table}_count() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.is_published THEN
            UPDATE {counts} SET posts = posts - 1 WHERE {key} = OLD.{key};
          END IF;
          IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.is_published THEN
            INSERT INTO {counts} ({key}, posts) VALUES (NEW.{key}, 1)
            ON CONFLICT ({key}) DO UPDATE SET posts = {counts}.posts + 1;
          END IF;
          RETURN NULL;
        END $$""",
        f"CREATE TRIGGER {table}_count AFTER INSERT OR DELETE OR UPDATE OF is_published, {key} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_count()",
    ]


def _drop(vendor, table):
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_count ON {table}", f"DROP FUNCTION IF EXISTS {table}_count()"]
    return [f"DROP TRIGGER IF EXISTS {table}_count_{event}" for event in ("insert", "delete", "update")]


def install(schema_editor):
    """Create the triggers and count what is already there (migration 0008)."""
    vendor = schema_editor.connection.vendor
    make = _postgres_triggers if vendor == "postgresql" else _sqlite_triggers
    for table, key, counts in LINKS:
        schema_editor.execute(f"DELETE FROM {counts}")
        schema_editor.execute(f"INSERT INTO {counts} ({key}, posts) SELECT {key}, COUNT(*) FROM {table} "
                              f"WHERE is_published GROUP BY {key}")
        for statement in make(table, key, counts):
            schema_editor.execute(statement)


def uninstall(schema_editor):
    for table, _, _ in LINKS:
        for statement in _drop(schema_editor.connection.vendor, table):
            schema_editor.execute(statement)


def _counted(things, links, counts, key, order):
    """``things`` (categories or tags) with ``visible`` (published posts readers can see: the
    kept count less the scheduled ones) and ``latest`` (the newest one's time, one index seek
    each), ordered by ``order``."""
    from .models import Post

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
    from .models import Category, PostCategory, SourceCount

    return _counted(Category.objects, PostCategory.objects, SourceCount.objects, "category", "key")


def tag_counts():
    """Every tag that has been used, with ``visible`` and ``latest``, by name."""
    from taggit.models import Tag

    from .models import TagCount, TaggedPost

    tags = _counted(Tag.objects, TaggedPost.objects, TagCount.objects, "tag", "name")
    return [tag for tag in tags if tag.latest is not None]
