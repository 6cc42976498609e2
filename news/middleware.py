"""finews's own middleware: requests no page can answer, compression of reader pages, a
Chinese 503 while the database is away, and one log line per request."""
import logging
import re
import time
import uuid

from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

from .cache import accepts_gzip
from .dberrors import unreachable

log = logging.getLogger("news.db")
request_log = logging.getLogger("news.requests")


class RejectNulMiddleware:
    """A NUL character anywhere in the path, query or form data is answered 400 here: neither
    database stores NUL in text (PostgreSQL refuses it outright)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\0" in request.path or _has_nul(request.GET) or (
            request.method == "POST" and request.content_type != "multipart/form-data" and _has_nul(request.POST)
        ):
            return HttpResponseBadRequest("请求中含有 NUL 字符。".encode(), content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _has_nul(query):
    return any("\0" in key or any("\0" in value for value in values) for key, values in query.lists())


class ReaderGZipMiddleware(GZipMiddleware):
    """Compress reader pages made outside the page cache (the cache compresses its own once) for
    clients that take gzip (``gzip;q=0`` does not: Django's own check only looks for the word).
    The admin is left out: its pages carry CSRF tokens, which compression could leak (BREACH)."""

    def process_response(self, request, response):
        if request.path.startswith("/admin/"):
            return response
        if not accepts_gzip(request):
            patch_vary_headers(response, ("Accept-Encoding",))
            return response
        return super().process_response(request, response)


class DatabaseDownMiddleware:
    """A page that needs the database while it cannot be reached is a 503 with a Chinese page
    and ``Retry-After``, not a 500. Pages in the page cache keep being served without it, and the
    next request after the database returns gets a new connection (``CONN_HEALTH_CHECKS``)."""

    RETRY_SECONDS = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not unreachable(exception):
            return None
        log.error("数据库不可用（%s %s）：%s", request.method, request.path, exception)
        if request.path.startswith("/api/"):  # the scraper reads JSON, whatever the answer
            response = JsonResponse({"error": "数据库暂时不可用，请稍后重试"}, status=503,
                                    json_dumps_params={"ensure_ascii": False})
        else:
            response = HttpResponse(render_to_string("503.html", request=request), status=503)
        response["Retry-After"] = str(self.RETRY_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


class EditorActsMiddleware:
    """Writes made in a signed-in user's request are recorded as theirs (news/changes/revisions.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        from news.changes import revisions

        # Without a session cookie nobody is signed in; not asking keeps reader pages free of
        # "Vary: Cookie" (reading request.user loads the session, which marks the response so).
        if settings.SESSION_COOKIE_NAME not in request.COOKIES or not request.user.is_authenticated:
            return self.get_response(request)
        with revisions.acting("后台编辑", user=request.user):
            return self.get_response(request)


class RequestLogMiddleware:
    """One log line per request (logger ``news.requests``): method, path, status, time taken and
    the request id nginx passes (``X-Request-ID``; one is made where none came), which the answer
    carries back. JSON with ``FINEWS_LOG_FORMAT=json`` (settings.LOGGING)."""

    ID = re.compile(r"[0-9A-Za-z-]{1,64}")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get("X-Request-ID", "")
        request_id = sent if self.ID.fullmatch(sent) else uuid.uuid4().hex
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        response["X-Request-ID"] = request_id
        path = request.path.encode("unicode_escape").decode("ascii") if not request.path.isprintable() else request.path
        request_log.info("%s %s %s %.1f ms", request.method, path, response.status_code, elapsed, extra={
            "request_id": request_id, "method": request.method, "path": path,
            "status": response.status_code, "duration_ms": elapsed})
        return response
