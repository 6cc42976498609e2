"""The job functions moved (news/tasks.py to news/ingest/tasks.py and news/cache/tasks.py): jobs
queued before the upgrade name them by their old paths, so their rows are pointed at the new
ones and a worker started after the upgrade runs them instead of failing to import them."""
from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"
MOVED = [
    ("news.tasks.check_upload", "news.ingest.tasks.check_upload"),
    ("news.tasks.import_upload", "news.ingest.tasks.import_upload"),
    ("news.tasks.export_site", "news.ingest.tasks.export_site"),
    ("news.tasks.mark_everything_stale", "news.cache.tasks.mark_everything_stale"),
]


class Migration(migrations.Migration):
    dependencies = [("news", "0016_source_paths_compared_bytewise"), ("django_tasks_database", "0006_alter_dbtaskresult_args_kwargs_and_more")]
    operations = [
        migrations.RunSQL(f"UPDATE {TABLE} SET task_path = '{new}' WHERE task_path = '{old}'",
                          f"UPDATE {TABLE} SET task_path = '{old}' WHERE task_path = '{new}'")
        for old, new in MOVED
    ]
