"""finews's own middleware: requests no page can answer, and compression of reader pages."""
from django.http import HttpResponseBadRequest
from django.middleware.gzip import GZipMiddleware


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
    """Compress reader pages made outside the page cache (the cache compresses its own once).
    The admin is left out: its pages carry CSRF tokens, which compression could leak (BREACH)."""

    def process_response(self, request, response):
        if request.path.startswith("/admin/"):
            return response
        return super().process_response(request, response)
