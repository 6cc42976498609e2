"""Every cache key finews sets, and the one way cached pages learn that content changed.

One number, the *generation*, is kept in the shared cache (Redis in production, so every app
server sees it). The write path calls :func:`content_changed` for every change to a post or a
category — import, admin save, bulk action, merge, delete — and that bumps it. Every cached page
(listings, feeds, sitemaps, articles) remembers the generation it was built at and is rebuilt on
the first request after a bump: fresh at once, on every server, with no list of pages to delete.
A cached page also expires when the next scheduled post's time comes.

When a popular page is stale, one worker rebuilds it (it takes a short lock) while the others
keep serving the previous copy. Pages carry an ETag derived from their bytes; a conditional
request for an unchanged page is answered 304 from the cache without rendering. Each page is
compressed once when it is built, and sent compressed to clients that accept gzip. Keys are hashed
(paths can be long and non-ASCII).
"""
import functools
import gzip
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified

GENERATION_KEY = "finews:generation"
REBUILD_LOCK_SECONDS = 30
KEPT_HEADERS = {"content-type", "x-robots-tag", "content-language"}


def generation():
    """The current content generation (a fresh cache starts from the clock, never from 0)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), None)
        value = cache.get(GENERATION_KEY)
    return value


def _bump():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # evicted or never set
        cache.set(GENERATION_KEY, time.time_ns(), None)


def content_changed():
    """Something readers see changed: every cached page is stale from now on (and again when the
    current transaction commits, so a page rebuilt in between from old rows is not kept)."""
    _bump()
    transaction.on_commit(_bump)


def page_key(kind, path):
    return f"finews:{kind}:" + hashlib.sha256(path.encode()).hexdigest()


def next_scheduled_time():
    """When the next scheduled post becomes visible (a Unix time), or None."""
    from .models import Post  # the cache module is imported by models

    moment = Post.objects.scheduled().order_by("published_at").values_list("published_at", flat=True).first()
    return moment.timestamp() if moment else None


def build_entry(response, built_at_generation):
    """What the cache keeps of a rendered 200 response: ``(entry, bodies)``. The entry is small
    (what every request reads); each body, plain and gzip-compressed, is kept under its own key
    with the ETag it belongs to, so a request moves only the bytes it sends (a 304 none)."""
    content = response.content
    scheduled = next_scheduled_time()
    until = time.time() + settings.FINEWS_CACHE_SECONDS
    # Weak: the same page is sent plain or gzip-compressed.
    etag = 'W/"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    bodies = {"plain": (etag, content)}
    if len(content) > 1024:
        bodies["gzip"] = (etag, gzip.compress(content, 6, mtime=0))
    entry = {
        "generation": built_at_generation,
        "until": min(until, scheduled) if scheduled else until,
        "etag": etag,
        "compressed": "gzip" in bodies,
        "status": response.status_code,
        "headers": {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS},
    }
    return entry, bodies


def is_fresh(entry, current):
    return entry is not None and entry["generation"] == current and time.time() < entry["until"]


def respond(request, key, entry, bodies=None):
    """The cached page, or 304 when the client already holds these bytes; None when the body
    has left the cache (evicted) and the page must be built again."""
    if entry["etag"] in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
        etag = entry["etag"]
    else:
        kind = "gzip" if entry["compressed"] and "gzip" in request.headers.get("Accept-Encoding", "") else "plain"
        body = bodies[kind] if bodies else cache.get(f"{key}:{kind}")
        if body is None:
            return None
        # A rebuild may have replaced the body since the entry was read: it carries its own tag.
        etag, content = body
        response = HttpResponse(content, status=entry["status"])
        if kind == "gzip":
            response["Content-Encoding"] = "gzip"
        for name, value in entry["headers"].items():
            response[name] = value
    response["ETag"] = etag
    response["Vary"] = "Accept-Encoding"
    # Browsers revalidate every time (cheap: a 304); a proxy may keep it for a moment.
    response["Cache-Control"] = f"public, max-age=0, s-maxage={settings.FINEWS_PROXY_SECONDS}"
    return response


def serve_cached(request, key, build):
    """The page at ``key`` from the cache, rebuilt by ``build()`` when stale. A response other
    than a plain 200 (404, redirect) is returned as it is and not kept. One round trip reads the
    generation and the entry, one more the body."""
    found = cache.get_many([GENERATION_KEY, key])
    current = found.get(GENERATION_KEY) or generation()
    entry = found.get(key)
    locked = False
    if entry is not None:
        fresh = is_fresh(entry, current)
        locked = not fresh and cache.add(key + ":lock", 1, REBUILD_LOCK_SECONDS)
        if fresh or not locked:
            # Fresh, or stale while another worker rebuilds it: either way the cached copy.
            response = respond(request, key, entry)
            if response is not None:
                return response
    else:
        locked = cache.add(key + ":lock", 1, REBUILD_LOCK_SECONDS)
    try:
        response = build()
        if hasattr(response, "render"):
            response.render()
        if response.status_code != 200 or response.streaming:
            return response
        entry, bodies = build_entry(response, current)
        kept = {key: entry, **{f"{key}:{kind}": body for kind, body in bodies.items()}}
        cache.set_many(kept, settings.FINEWS_PAGE_KEEP_SECONDS)
    finally:
        if locked:
            cache.delete(key + ":lock")
    return respond(request, key, entry, bodies)


def cached_page(view):
    """Serve a listing, feed or sitemap from the page cache, rebuilt after any content change."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = page_key("page", request.get_full_path())
        return serve_cached(request, key, lambda: view(request, *args, **kwargs))

    return wrapped
