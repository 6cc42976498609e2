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


def _scheduled(links, key):
    from .models import Post

    scheduled = Post.objects.scheduled().values("pk")
    return dict(links.filter(**{f"{links.model.post_attname.removesuffix('_id')}__in": scheduled})
                .values_list(key).annotate(n=Count("pk")).values_list(key, "n"))


def source_counts():
    """Every category with ``visible`` (published posts readers can see) and ``latest`` (the
    newest one's time, one index seek each), in key order."""
    from .models import Category, PostCategory, SourceCount
    latest = PostCategory.objects.live().filter(category=OuterRef("pk")).newest_first().values("published_at")[:1]
    scheduled = _scheduled(PostCategory.objects, "category")
    categories = list(Category.objects.annotate(latest=Subquery(latest), counted=Subquery(
        SourceCount.objects.filter(category=OuterRef("pk")).values("posts")[:1])).order_by("key"))
    for category in categories:
        category.visible = (category.counted or 0) - scheduled.get(category.pk, 0)
    return categories


def tag_counts():
    """Every tag with ``visible`` and ``latest``, like :func:`source_counts`, by name."""
    from taggit.models import Tag

    from .models import TagCount, TaggedPost

    latest = TaggedPost.objects.live().filter(tag=OuterRef("pk")).newest_first().values("published_at")[:1]
    scheduled = _scheduled(TaggedPost.objects, "tag")
    tags = list(Tag.objects.annotate(latest=Subquery(latest), counted=Subquery(
        TagCount.objects.filter(tag=OuterRef("pk")).values("posts")[:1])).order_by("name"))
    for tag in tags:
        tag.visible = (tag.counted or 0) - scheduled.get(tag.pk, 0)
    return [tag for tag in tags if tag.latest is not None]
