"""What finews counts for Prometheus (served at ``/metrics``, news/metrics.py). The write path,
the page cache and the after-write step add to these; prometheus-client keeps them per process,
and with ``PROMETHEUS_MULTIPROC_DIR`` in files that ``/metrics`` sums: gunicorn's workers, and every
other finews process on the box that shares the folder (finews/metricfiles.py)."""
from prometheus_client import Counter, Histogram

posts_written = Counter(
    "finews_posts_written", "Posts written (created or changed), by the path that wrote them", ["path"])
page_cache_requests = Counter(
    "finews_page_cache_requests", "Requests for cached pages, by what the page cache did", ["result"])
publish_seconds = Histogram(
    "finews_publish_seconds", "From a write's commit until the pages it touched were marked stale",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
