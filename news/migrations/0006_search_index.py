"""The full-text search table (FTS5 on SQLite, tsvector + GIN on PostgreSQL; news/search/backends.py
reads and writes it). Its SQL is copied here as it was written.

The index is created empty: filling it from the posts already stored would take migrate ~20
minutes and one long transaction at a million posts. On a site that has posts, a row with id 0
says the index is being built; search says so until ``manage.py rebuild_search_index`` builds it
beside the live one and swaps it in (which removes that row)."""
from django.db import migrations

CREATE = {
    "sqlite": [
        'CREATE VIRTUAL TABLE IF NOT EXISTS news_search USING fts5(tokens, tokenize="unicode61")',
        "INSERT INTO news_search (rowid, tokens) SELECT 0, '' WHERE EXISTS (SELECT 1 FROM news_post)",
    ],
    "postgresql": [
        "CREATE TABLE IF NOT EXISTS news_search (post_id bigint PRIMARY KEY, vector tsvector NOT NULL)",
        "CREATE INDEX IF NOT EXISTS news_search_vector ON news_search USING gin (vector)",
        "INSERT INTO news_search (post_id, vector) SELECT 0, ''::tsvector WHERE EXISTS (SELECT 1 FROM news_post)",
    ],
}
DROP = {
    "sqlite": ["DROP TABLE IF EXISTS news_search"],
    "postgresql": ["DROP TABLE IF EXISTS news_search"],
}


def run(statements):
    def apply(apps, schema_editor):
        for statement in statements[schema_editor.connection.vendor]:
            schema_editor.execute(statement)
    return apply


class Migration(migrations.Migration):
    dependencies = [("news", "0005_updated_at_index")]
    operations = [migrations.RunPython(run(CREATE), run(DROP), elidable=False)]
