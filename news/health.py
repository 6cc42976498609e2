"""``/healthz``: what a load balancer or an operator asks an app server. It reads no session and
sets no cookie, and is never cached."""
import time

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

HEALTH_KEY = "finews:healthz"


@never_cache
def healthz(request):
    """200 while the database answers (the cache only degrades speed: it is reported, not
    failed), 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError as error:
        database = f"unavailable: {error}".strip()[:200]
    stamp = time.time_ns()
    cache.set(HEALTH_KEY, stamp, 60)  # the cache backend turns an outage into a miss
    cache_state = "ok" if cache.get(HEALTH_KEY) == stamp else "unavailable"
    return JsonResponse({"database": database, "cache": cache_state}, status=200 if database == "ok" else 503,
                        json_dumps_params={"ensure_ascii": False})
