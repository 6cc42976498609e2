"""Settings for finews, read from the environment.

Settings fail closed: DEBUG is off unless ``DEBUG=1`` is set (the README's commands set it for
local use), and outside DEBUG there is no default SECRET_KEY. Production sets SECRET_KEY,
ALLOWED_HOSTS and usually DATABASE_URL and REDIS_URL; then ``manage.py check --deploy`` is clean.
"""
import hashlib
import os
import stat
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from finews.metricfiles import use_slots

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only-finews"

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "django_filters",
    # Before django_tasks_db: news's ``db_worker`` (leases, database outages) replaces the stock one.
    "news",
    "django_tasks",
    "django_tasks_db",
]

# Background jobs (the admin's imports): Django's tasks API (the django-tasks backport) with its
# database backend, so every app server and the worker (`manage.py db_worker`) share the queue in
# the database finews already has; on PostgreSQL workers take jobs with SKIP LOCKED.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # request metrics for /metrics
    "news.middleware.RequestLogMiddleware",  # one line per request, whatever answers it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "news.middleware.ReaderGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "news.middleware.RejectNulMiddleware",
    "news.middleware.DatabaseDownMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "news.middleware.EditorActsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# Content-Security-Policy for every page, the admin included: finews's own pages need no inline
# script or style; article bodies may show images from anywhere (sanitised <img src>).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:", "http:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

ROOT_URLCONF = "finews.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "news.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "finews.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers keep reading while an import writes; a busy timeout instead of
    # "database is locked" errors when the import and the site share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Page queries are short; PostgreSQL's JIT compiler costs more (~20 ms) than it saves.
    # A database that does not answer is a 503 after 5 s, not a worker hung until gunicorn's timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).update(options="-c jit=off", connect_timeout=5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

def local_cache_dir(database, base=None):
    """The page cache's folder when there is no Redis: ``<the SQLite file>.cache/``, or for another
    database a folder of this user's in the system's temporary directory, named after it. The cache
    unpickles what it finds there, so a folder someone else made or may write to is refused."""
    if database["ENGINE"] == "django.db.backends.sqlite3" and str(database["NAME"]) != ":memory:":
        return f"{database['NAME']}.cache"
    named = f"{database['ENGINE']}|{database.get('HOST')}|{database.get('PORT')}|{database['NAME']}"
    folder = os.path.join(base or tempfile.gettempdir(),
                          f"finews-cache-{os.getuid()}-" + hashlib.sha256(named.encode()).hexdigest()[:16])
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        found = os.lstat(folder)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"无法建立页面缓存的目录 {folder}（{exc.strerror}）：设置 REDIS_URL 或 FINEWS_CACHE_DIR") from exc
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        raise ImproperlyConfigured(
            f"页面缓存的目录 {folder} 不是本用户独有的（只应本用户可读写）：删除它，或设置 REDIS_URL 或 FINEWS_CACHE_DIR")
    return folder


REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # A Redis error is a cache miss, logged once, not a 500 (news/cache/backend.py).
            "BACKEND": "news.cache.backend.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "finews"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    # Without Redis, one cache every process of this box shares — the web server, the job worker,
    # import_posts — so a change any of them makes is on every page at once (an in-process cache
    # would keep each process's own stale copies). Files beside the SQLite database (one cache per
    # database, so two sites on a box never share one); docs/benchmarks.md has the figures against
    # Django's in-process and database caches.
    CACHES = {
        "default": {
            "BACKEND": "news.cache.files.SharedFileCache",
            "LOCATION": os.environ.get("FINEWS_CACHE_DIR") or local_cache_dir(DATABASES["default"]),
            # A page is a few keys (entry, bodies, stamps): Django's default 300 keeps ~50 pages.
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Everything is in Chinese whatever the browser asks for; strings Django has no Chinese for fall
# back to English.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads above this size are spooled to a temporary file, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 500

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Logs go to stderr: one line per request (news.requests, with nginx's request id) and per job
# (django_tasks: started, finished), warnings and errors from the rest; FINEWS_LOG_FORMAT=json
# makes each line a JSON object (python-json-logger) for a log shipper.
FINEWS_LOG_FORMAT = os.environ.get("FINEWS_LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s", "rename_fields": {"levelname": "level"}},
    },
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "formatter": "json" if FINEWS_LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {name: {"level": os.environ.get("FINEWS_ACTIVITY_LOG_LEVEL", "INFO")}
                for name in ("news.requests", "django_tasks")},
}

TAGGIT_CASE_INSENSITIVE = False

# --- finews -----------------------------------------------------------------------------
# Hosts of the old Jekyll site: links to them in imported bodies become site-relative.
FINEWS_OLD_SITE_HOSTS = env_list(
    "FINEWS_OLD_SITE_HOSTS", ["finews.withounder.com", "finews.zning.me"]
)
# A post file larger than this is refused by the importer.
FINEWS_IMPORT_MAX_FILE_BYTES = env_int("FINEWS_IMPORT_MAX_FILE_BYTES", 5 * 1024 * 1024)
# An import writes (and holds in memory) at most this many bytes of files per batch (the API's
# batches, in a web worker, an eighth of it).
FINEWS_IMPORT_BATCH_BYTES = env_int("FINEWS_IMPORT_BATCH_BYTES", 8 * 1024 * 1024)
# Parsing one post may take this many seconds on every import path; a post over it is refused
# with a reason (news/ingest/parse.py). Real posts take milliseconds; 0 turns it off.
FINEWS_IMPORT_POST_SECONDS = float(os.environ.get("FINEWS_IMPORT_POST_SECONDS") or 10)
# A zip whose entries add up to more than this (uncompressed) is refused as a zip bomb.
FINEWS_IMPORT_MAX_ZIP_BYTES = env_int("FINEWS_IMPORT_MAX_ZIP_BYTES", 1024 * 1024 * 1024)
# How long an import job waits for another import to finish before giving up.
FINEWS_IMPORT_JOB_LOCK_WAIT = env_int("FINEWS_IMPORT_JOB_LOCK_WAIT", 3600)
# A background worker renews its lease every third of this; a job whose worker has not renewed
# for this long is put back in the queue (news/ingest/jobs.py).
FINEWS_JOB_LEASE_SECONDS = env_int("FINEWS_JOB_LEASE_SECONDS", 60)
# The ingestion API (news/ingest/api.py): requests per token per minute; how long a request waits for
# another import to finish before answering 503.
FINEWS_API_RATE_PER_MINUTE = env_int("FINEWS_API_RATE_PER_MINUTE", 600)
# The largest API request body (a whole batch): what one web worker may be asked to hold.
FINEWS_API_MAX_BODY_BYTES = env_int("FINEWS_API_MAX_BODY_BYTES", 20 * 1024 * 1024)
FINEWS_API_LOCK_WAIT = env_int("FINEWS_API_LOCK_WAIT", 10)
# The HTML sanitiser's engine (news/sanitize.py): "nh3" (default) or "bleach"; same allowlist.
FINEWS_SANITIZER = os.environ.get("FINEWS_SANITIZER", "nh3")
if FINEWS_SANITIZER not in ("bleach", "nh3"):
    raise ImproperlyConfigured(f"FINEWS_SANITIZER must be bleach or nh3, not {FINEWS_SANITIZER!r}")
# Largest upload accepted by the admin import screen.
FINEWS_UPLOAD_MAX_BYTES = env_int("FINEWS_UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
# Posts per home-page section, per listing page, and in /emnews/.
FINEWS_HOME_POSTS_PER_TAG = env_int("FINEWS_HOME_POSTS_PER_TAG", 5)
FINEWS_LISTING_PAGE_SIZE = env_int("FINEWS_LISTING_PAGE_SIZE", 50)
FINEWS_EMNEWS_POSTS = env_int("FINEWS_EMNEWS_POSTS", 20)
FINEWS_EMNEWS_TAG = os.environ.get("FINEWS_EMNEWS_TAG", "东财滚动新闻")  # the source /emnews/ shows
# Home: the newest posts of all sources, then the sources by their latest post, this many a page.
FINEWS_HOME_LATEST = env_int("FINEWS_HOME_LATEST", 50)
FINEWS_HOME_SECTIONS_PER_PAGE = env_int("FINEWS_HOME_SECTIONS_PER_PAGE", 20)
FINEWS_FEED_ITEMS = env_int("FINEWS_FEED_ITEMS", 50)
# Reports of one news item join one story when they are this many hours apart or fewer.
FINEWS_STORY_WINDOW_HOURS = env_int("FINEWS_STORY_WINDOW_HOURS", 48)
# Rules (news/rules/): each rule's time per post (ms); one that overruns it is stopped.
FINEWS_RULE_BUDGET_MS = env_int("FINEWS_RULE_BUDGET_MS", 50)
# A rule's preview over more recent posts than this runs as a background job.
FINEWS_RULE_PREVIEW_INLINE = env_int("FINEWS_RULE_PREVIEW_INLINE", 5000)
# The first page of a listing asks for news this often (seconds; 0 turns it off); without
# JavaScript it reloads itself every FINEWS_REFRESH_SECONDS instead.
FINEWS_LIVE_SECONDS = env_int("FINEWS_LIVE_SECONDS", 5)
FINEWS_REFRESH_SECONDS = env_int("FINEWS_REFRESH_SECONDS", 60)
# Push (news/push/): where the app publishes live lists' events (nchan's publisher location on
# loopback, e.g. http://127.0.0.1:8081/pub/; empty: pages poll) and where readers subscribe (the
# front's stream location). A change touching more lists than FINEWS_PUSH_INLINE_LISTS is
# published by a job; a publish waits at most FINEWS_PUSH_TIMEOUT seconds.
FINEWS_PUSH_URL = os.environ.get("FINEWS_PUSH_URL", "")
FINEWS_PUSH_STREAM = os.environ.get("FINEWS_PUSH_STREAM", "/stream/")
FINEWS_PUSH_INLINE_LISTS = env_int("FINEWS_PUSH_INLINE_LISTS", 16)
FINEWS_PUSH_TIMEOUT = float(os.environ.get("FINEWS_PUSH_TIMEOUT", "2"))
# /metrics (news/metrics.py) answers loopback, and anyone sending "Authorization: Bearer <this>".
FINEWS_METRICS_TOKEN = os.environ.get("FINEWS_METRICS_TOKEN", "")
# Cached pages are rebuilt when something they show changes (news/cache/), so they can be
# kept long: at most this many seconds unchanged, and old copies this long to serve while one
# worker rebuilds. A proxy in front may keep a page FINEWS_PROXY_SECONDS (s-maxage). At most
# FINEWS_CACHE_VARIANTS query-string variants of one path are kept (others are built, not kept).
FINEWS_CACHE_SECONDS = env_int("FINEWS_CACHE_SECONDS", 3600)
FINEWS_PAGE_KEEP_SECONDS = env_int("FINEWS_PAGE_KEEP_SECONDS", 86400)
FINEWS_PROXY_SECONDS = env_int("FINEWS_PROXY_SECONDS", 1)
FINEWS_CACHE_VARIANTS = env_int("FINEWS_CACHE_VARIANTS", 1000)
# The site's own address: absolute URLs in feeds, sitemaps and API answers are built from it,
# never from a request's Host. Defaults to https:// and the first ALLOWED_HOSTS name.
_first_host = next((h.lstrip(".") for h in ALLOWED_HOSTS if h not in ("*", "testserver")), "127.0.0.1")
FINEWS_SITE_URL = os.environ.get(
    "FINEWS_SITE_URL", "http://127.0.0.1:8000" if DEBUG else f"https://{_first_host}").rstrip("/")
_origin = urlsplit(FINEWS_SITE_URL)
if _origin.scheme not in ("http", "https") or not _origin.netloc or _origin.path or _origin.query:
    raise ImproperlyConfigured(
        f"FINEWS_SITE_URL must be the site's origin, like https://news.example.com, not {FINEWS_SITE_URL!r}.")
FINEWS_SITE_TITLE = "金融消息"

# Prometheus series kept in files (PROMETHEUS_MULTIPROC_DIR): named by slot, before any is made.
use_slots()
