"""Where the job functions were until they moved to news/ingest/tasks.py and news/cache/tasks.py.

Kept for one release: an app server still running the previous code while the new one is being
deployed queues its jobs under these paths, and a new worker must still run them (migration 0017
moved the rows queued before). Remove after the next release."""
from news.cache.tasks import mark_everything_stale
from news.ingest.tasks import check_upload, export_site, import_upload

__all__ = ["check_upload", "export_site", "import_upload", "mark_everything_stale"]
