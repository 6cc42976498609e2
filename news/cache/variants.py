"""How many query-string variants of one page the cache keeps (news/cache/'s entries)."""
import contextlib
import time

from django.conf import settings
from django.core.cache import cache

from news.cache.keys import hashed


def may_keep_variant(request, key):
    """At most FINEWS_CACHE_VARIANTS new query-string variants of one path are kept per period of
    FINEWS_PAGE_KEEP_SECONDS (the plain path always is): past that, variants are built for each
    request and not stored. A variant is kept that long, so at most twice the cap are kept at once.
    The count is per period, so it starts again whatever the traffic (a count kept alive by every
    new variant would close the path for good once the variants it counted had expired)."""
    if not request.META.get("QUERY_STRING"):
        return True
    if cache.get(key + ":variant") is not None:
        return True  # counted before
    keep = settings.FINEWS_PAGE_KEEP_SECONDS
    counter = hashed("variants", f"{int(time.time() // keep)}:{request.path}")
    counted = cache.get(counter)
    if counted is not None and counted >= settings.FINEWS_CACHE_VARIANTS:
        return False  # refused without a write
    cache.add(counter, 0, 2 * keep)
    try:
        counted = cache.incr(counter)
    except ValueError:
        return False
    # Django's incr() and decr() outside Redis store the count again with the default timeout
    # (5 min): the count is made to last its period again.
    if counted > settings.FINEWS_CACHE_VARIANTS:
        with contextlib.suppress(ValueError):
            cache.decr(counter)  # two at once passed the check: the count stays at the cap
            cache.touch(counter, 2 * keep)
        return False
    cache.touch(counter, 2 * keep)
    cache.set(key + ":variant", 1, keep)
    return True
