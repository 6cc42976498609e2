"""gunicorn settings for a finews app server: ``gunicorn -c deploy/gunicorn.conf.py finews.wsgi``.

Everything can be overridden from the environment (FINEWS_BIND, FINEWS_WEB_WORKERS, ...), so one
file serves every app server. Sync workers: finews's pages are short CPU-bound requests served
mostly from the shared page cache; nothing long runs in a request (imports are background jobs).
"""
import multiprocessing
import os

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
