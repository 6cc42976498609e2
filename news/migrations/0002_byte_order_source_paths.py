"""Compare source paths byte by byte on PostgreSQL, as Jekyll does when it breaks date ties.

A database created with a language collation (en_US.UTF-8, zh_CN.UTF-8) would sort ``_posts/NW…``
and ``_posts/2022…`` or upper and lower case differently from Jekyll; the "C" collation sorts by
bytes. SQLite already compares text as bytes, so there is nothing to do there.
"""
from django.db import migrations

COLUMNS = [("news_post", "source_path"), ("news_postcategory", "source_path"),
           ("news_taggedpost", "source_path")]


def collate_paths(collation):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column in COLUMNS:
            schema_editor.execute(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar(500) COLLATE "{collation}"')

    return run


class Migration(migrations.Migration):
    dependencies = [("news", "0001_initial")]
    operations = [migrations.RunPython(collate_paths("C"), collate_paths("default"))]
