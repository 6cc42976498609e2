"""The page cache: every cache key finews sets, and how a cached page knows it is still current.

Scheme: cache tags validated on read (key-based expiry with version stamps). Each thing readers
see change separately has a *stamp*, a small random token in the shared cache named after it:
``post:<id>`` (an article), ``cat:<id>`` and ``tag:<id>`` (a source's or tag's listings, feeds and
home section), ``day:<date>``, ``month:<YYYY-MM>``, ``site`` (pages that list everything) and a
few more (news/changes/ says which change touches which). A page records the tokens of the
stamps it depends on — views name them with :func:`depends_on` while they build — and is current
while every one of them is unchanged. A change *deletes* its stamps (news/changes/, the only
caller of :func:`mark_stale`), so exactly the pages that show it are rebuilt; every other page
stays a hit. Deleting works even when Redis is full and refuses writes (``noeviction``), and an
evicted stamp only makes its pages stale: the cache can lose anything and never serve a page
older than a change. A change that commits while a page is being built must still make that copy
stale: the page's tokens are read before its rows when its stamps are known from an earlier
build, and otherwise a counter of changes (bumped before stamps are deleted) tells whether any
change landed during the build; if one did, the copy is kept for one second only.

When a page is stale, one worker rebuilds it (a short lock) while the others serve the previous
copy; on a cold cache the others wait for that build. Pages carry an ETag; a conditional request
for an unchanged page is a 304 without rendering. Each page is compressed once, when built.
Responses say ``X-Cache: HIT``, ``STALE`` or ``MISS`` and their ``Age``. Keys are hashed.
"""
import contextvars
import functools
import gzip
import hashlib
import secrets
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_header_parameters

from news import meters
from news.cache.keys import hashed as _hashed
from news.cache.variants import may_keep_variant

EPOCH = "all"  # every page depends on it: deleted when Redis comes back from an outage
CHANGES_KEY = "finews:changes"
REBUILD_LOCK_SECONDS = 30
COLD_WAIT_SECONDS = 5.0
FIRST_BUILD_SECONDS = 1.0  # a copy built while a change landed, its stamps not known before
KEPT_HEADERS = {"content-type", "x-robots-tag", "content-language"}

_building = contextvars.ContextVar("finews_page_stamps", default=None)


def page_key(kind, path):
    return _hashed(kind, path)


def stamp_key(name):
    return _hashed("s", name)


# --- stamps ---------------------------------------------------------------------------------------
def depends_on(*names):
    """Called by a view while it builds a cached page: the page shows what these stamps cover."""
    found = _building.get()
    if found is not None:
        found.update(names)


def mark_stale(names):
    """Every page depending on one of ``names`` is stale from now on; False when the cache could
    not be reached to say so. Only the after-write step (news/changes/) calls this."""
    if not names:
        return True
    try:
        cache.incr(CHANGES_KEY)  # first: a build that read a stamp before its deletion sees this
    except ValueError:
        cache.set(CHANGES_KEY, secrets.randbelow(2**62), None)
    cache.delete_many([stamp_key(name) for name in names])
    return not getattr(cache, "in_outage", lambda: False)()


def current_tokens(names):
    """``{name: token or None}`` as the cache holds them now."""
    keys = {name: stamp_key(name) for name in names}
    found = cache.get_many(list(keys.values()))
    return {name: found.get(key) for name, key in keys.items()}


def ensure_tokens(names):
    """``{name: token}``, giving the missing stamps new tokens. Overwriting a token a concurrent
    request just made is harmless: it can only make pages stale, never fresh."""
    tokens = current_tokens(names)
    missing = {name: secrets.token_hex(8) for name, token in tokens.items() if token is None}
    if missing:
        keep = settings.FINEWS_PAGE_KEEP_SECONDS + 3600
        refused = cache.set_many({stamp_key(name): token for name, token in missing.items()}, keep) or []
        tokens.update(missing)
        # A stamp the cache would not keep cannot vouch for anything: no token.
        tokens.update({name: None for name in missing if stamp_key(name) in refused})
    return tokens


def is_current(recorded, until=None):
    """Whether every recorded token is still the current one (and the copy has not expired)."""
    if until is not None and time.time() >= until:
        return False
    current = current_tokens(recorded)
    return all(token is not None and current[name] == token for name, token in recorded.items())


# --- fragments (parts of a page cached on their own, e.g. the home page's sections) -----------
def fragments(items, build):
    """``{name: html}`` for ``items`` (``{name: stamp}``), each kept in the cache on its own and
    rebuilt only when its stamp changed: ``build(names)`` makes the missing ones (``{name:
    html}``)."""
    keys = {name: _hashed("frag", name) for name in items}
    found = cache.get_many(list(keys.values()))
    tokens = current_tokens({EPOCH, *items.values()})
    result, missing = {}, []
    for name, stamp in items.items():
        kept = found.get(keys[name])
        if kept is not None and None not in kept[0] and kept[0] == (tokens[EPOCH], tokens[stamp]):
            result[name] = kept[1]
        else:
            missing.append(name)
    if missing:
        fresh = ensure_tokens({EPOCH, *(items[name] for name in missing)})  # before reading rows
        built = build(missing)
        result.update(built)
        kept = {keys[name]: ((fresh[EPOCH], fresh[items[name]]), html) for name, html in built.items()}
        cache.set_many({key: value for key, value in kept.items() if None not in value[0]},
                       settings.FINEWS_PAGE_KEEP_SECONDS)
    return result


# --- whole pages ----------------------------------------------------------------------------------
def next_scheduled_time():
    """When the next scheduled post becomes visible (a Unix time), or None."""
    from news.models import Post  # the Redis backend imports this package before Django's apps are ready
    moment = Post.objects.scheduled().order_by("published_at").values_list("published_at", flat=True).first()
    return moment.timestamp() if moment else None


def build_entry(response, tokens, lifetime, previous=None):
    """What the cache keeps of a rendered 200 response: ``(entry, bodies)``. The entry is small
    (what every request reads); each body, plain and gzip-compressed, is kept under its own key
    with the ETag it belongs to, so a request moves only the bytes it sends (a 304 none). Its
    ``modified`` time (Last-Modified) is when these bytes were first built: a rebuild that gives
    the same bytes as the ``previous`` copy keeps that copy's, and other bytes are always later."""
    content = response.content
    now = time.time()
    until = now + lifetime
    scheduled = next_scheduled_time()
    etag = 'W/"' + hashlib.sha256(content).hexdigest()[:32] + '"'  # weak: sent plain or gzip
    bodies = {"plain": (etag, content)}
    if len(content) > 1024:
        bodies["gzip"] = (etag, gzip.compress(content, 6, mtime=0))
    earlier = previous and int(previous.get("modified", previous["built"]))
    if previous and previous.get("etag") == etag:
        modified = earlier
    else:  # HTTP dates count whole seconds: a change within the second of the last copy is the next one
        modified = max(now, earlier + 1) if earlier else now
    entry = {
        "stamps": tokens, "built": now, "until": min(until, scheduled) if scheduled else until,
        "modified": modified, "etag": etag,
        "compressed": "gzip" in bodies, "status": response.status_code,
        "headers": {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS},
    }
    return entry, bodies


def accepts_gzip(request):
    """Whether the client takes gzip: ``gzip`` (or ``*``) listed with a quality above 0 (``gzip;q=0``
    refuses it). Each coding is read with Django's own header-parameter parser."""
    for part in request.headers.get("Accept-Encoding", "").split(","):
        coding, params = parse_header_parameters(part)
        if coding in ("gzip", "*"):
            try:
                return float(params.get("q", 1)) > 0
            except ValueError:
                return False
    return False


def respond(request, key, entry, how, bodies=None):
    """The cached page (or a 304 when the client holds these bytes); None when the body has
    left the cache (evicted) and the page must be built again."""
    kind = "gzip" if entry["compressed"] and accepts_gzip(request) else "plain"
    modified = int(entry.get("modified", entry["built"]))
    not_modified = get_conditional_response(request, etag=entry["etag"], last_modified=modified)
    if not_modified is not None:
        response = not_modified
        response["ETag"] = entry["etag"]
    else:
        body = bodies[kind] if bodies else cache.get(f"{key}:{kind}")
        if body is None:
            return None
        etag, content = body  # a rebuild may have replaced the body since: it carries its own tag
        response = HttpResponse(content, status=entry["status"])
        if kind == "gzip":
            response["Content-Encoding"] = "gzip"
        for name, value in entry["headers"].items():
            response[name] = value
        response["ETag"] = etag
    patch_vary_headers(response, ["Accept-Encoding"])
    # Browsers revalidate every time (cheap: a 304); a proxy may keep it for a moment.
    patch_cache_control(response, public=True, max_age=0, s_maxage=settings.FINEWS_PROXY_SECONDS)
    response["Last-Modified"] = http_date(modified)
    response["X-Cache"] = how
    meters.page_cache_requests.labels(how.lower()).inc()
    if how == "STALE":  # the old copy while the new one is built: no proxy keeps it (nginx reads this)
        response["X-Accel-Expires"] = "0"
    response["Age"] = str(max(0, int(time.time() - entry["built"])))
    return response


def _wait_for_build(request, key):
    """Another worker is building this page for the first time: wait for its copy."""
    deadline = time.monotonic() + COLD_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
        entry = cache.get(key)
        # Only the copy that worker built (or one as current): not an older one that was there
        # all along but unreadable (Redis coming back from an outage, its epoch just bumped).
        if entry is not None and is_current(entry["stamps"], entry["until"]):
            return respond(request, key, entry, "HIT")
        if cache.get(key + ":lock") is None:
            return None
    return None


def _store(request, key, response, hint, before, used, changes_before, previous=None):
    """Keep a built page: with the tokens read before it was built when they cover every stamp
    it used; otherwise with the tokens as they are now, for as long as usual if no change landed
    while it was built (the change counter did not move), else for a second."""
    keep = getattr(response, "bounded_variant", False) or may_keep_variant(request, key)
    if not set(used) <= set(hint) or any(before.get(name) is None for name in used):
        if keep:  # a variant past the cap leaves nothing behind, not even this hint
            cache.set(key + ":stamps", sorted(used), settings.FINEWS_PAGE_KEEP_SECONDS)
        tokens = ensure_tokens(used)
        quiet = changes_before is not None and cache.get(CHANGES_KEY) == changes_before
        lifetime = settings.FINEWS_CACHE_SECONDS if quiet else FIRST_BUILD_SECONDS
    else:
        tokens, lifetime = {name: before[name] for name in used}, settings.FINEWS_CACHE_SECONDS
    entry, bodies = build_entry(response, tokens, lifetime, previous)
    if keep and all(token is not None for token in tokens.values()):
        cache.set_many({key: entry, **{f"{key}:{kind}": body for kind, body in bodies.items()}},
                       settings.FINEWS_PAGE_KEEP_SECONDS)
    return entry, bodies


def serve_cached(request, key, build):
    """The page at ``key`` from the cache, rebuilt by ``build()`` when stale. A response other
    than a plain 200 (404, redirect) is returned as it is and not kept."""
    found = cache.get_many([key, key + ":stamps", CHANGES_KEY])
    entry, hint = found.get(key), found.get(key + ":stamps") or []
    changes_before = found.get(CHANGES_KEY)
    locked = cache.add(key + ":lock", 1, REBUILD_LOCK_SECONDS) if entry is None else False
    if entry is not None:
        if is_current(entry["stamps"], entry["until"]):
            response = respond(request, key, entry, "HIT")
            if response is not None:
                return response
        locked = cache.add(key + ":lock", 1, REBUILD_LOCK_SECONDS)
        if not locked:  # another worker rebuilds it: the previous copy meanwhile
            response = respond(request, key, entry, "STALE")
            if response is not None:
                return response
    elif not locked:
        response = _wait_for_build(request, key)
        if response is not None:
            return response
    try:
        wanted = {EPOCH, *hint}
        before = ensure_tokens(wanted)  # before any row is read
        used = {EPOCH}
        marker = _building.set(used)
        try:
            response = build()
            if hasattr(response, "render"):
                response.render()
        finally:
            _building.reset(marker)
        if response.status_code != 200 or response.streaming:
            return response
        if changes_before is None:
            cache.add(CHANGES_KEY, 0, None)
        entry, bodies = _store(request, key, response, wanted, before, used, changes_before, entry)
    finally:
        if locked:
            cache.delete(key + ":lock")
    return respond(request, key, entry, "MISS", bodies)


def canonical_query(request, params):
    """``(query, redirect)``: the request's query string keeping only ``params`` (the ones the
    page understands), sorted, one value each; ``redirect`` when the request carried anything
    else (other parameters, repeats)."""
    pairs = [(name, value) for name, value in request.GET.items() if name in params]
    query = urlencode(sorted(pairs))
    given = sum(len(values) for _, values in request.GET.lists())
    return query, given != len(pairs)


def cached_page(view, params=()):
    """Serve a listing, feed or sitemap from the page cache. Only the query parameters in
    ``params`` reach the page and its cache key: a request carrying others, or repeating one, is
    redirected to the address without them."""
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        query, redirect = canonical_query(request, params)
        if redirect:
            return HttpResponsePermanentRedirect(request.path + (f"?{query}" if query else ""))
        key = page_key("page", request.path + (f"?{query}" if query else ""))
        return serve_cached(request, key, lambda: view(request, *args, **kwargs))

    return wrapped
