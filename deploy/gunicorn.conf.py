"""gunicorn settings for a finews app server: ``gunicorn -c deploy/gunicorn.conf.py finews.wsgi``.

Everything can be overridden from the environment (FINEWS_BIND, FINEWS_WEB_WORKERS, ...), so one
file serves every app server. Sync workers: finews's pages are short CPU-bound requests served
mostly from the shared page cache; nothing long runs in a request (imports are background jobs).
"""
import multiprocessing
import os
import tempfile

bind = os.environ.get("FINEWS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("FINEWS_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("FINEWS_WEB_TIMEOUT", 30))
graceful_timeout = 20
max_requests = 5000  # recycle workers now and then
max_requests_jitter = 500
forwarded_allow_ips = "127.0.0.1,::1"  # nginx on the same host sets X-Forwarded-Proto
accesslog = os.environ.get("FINEWS_ACCESS_LOG", "-") or None  # empty: none
errorlog = "-"
proc_name = "finews-web"


# /metrics sums the workers (prometheus-client's multiprocess mode): their series live in files in
# one folder, PROMETHEUS_MULTIPROC_DIR. Give every finews service on the box the same one (in
# /etc/finews/env) and /metrics counts the background worker and imports too; without it each start
# makes a fresh folder of its own. A process's files are named after its slot, not its pid
# (finews/metricfiles.py), so recycled workers leave nothing behind and nothing needs emptying.
_metrics = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="finews-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics
