"""The full-text search table (news/search/backends.py: FTS5 on SQLite, tsvector + GIN on
PostgreSQL), filled from the posts already stored."""
from django.db import migrations

from news import search


def create(apps, schema_editor):
    search.create_index(schema_editor)
    search.rebuild(apps.get_model("news", "Post").objects.all())


def drop(apps, schema_editor):
    search.drop_index(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("news", "0005_updated_at_index")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
