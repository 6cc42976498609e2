"""gunicorn settings for a finews app server: ``gunicorn -c deploy/gunicorn.conf.py finews.wsgi``.

Everything can be overridden from the environment (FINEWS_BIND, FINEWS_WEB_WORKERS, ...), so one
file serves every app server. Sync workers: finews's pages are short CPU-bound requests served
mostly from the shared page cache; nothing long runs in a request (imports are background jobs).
"""
import multiprocessing
import os
import shutil
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
# one folder, made fresh for each start unless PROMETHEUS_MULTIPROC_DIR names one (then emptied).
_metrics = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="finews-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics


def on_starting(server):
    for entry in os.scandir(_metrics):
        if entry.is_file():
            os.unlink(entry.path)
        elif entry.is_dir():
            shutil.rmtree(entry.path)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
