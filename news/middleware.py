"""Requests no page can answer: a NUL character anywhere in the path, query or form data.

Neither database stores NUL in text (PostgreSQL refuses it outright), so such a request is
answered 400 here instead of failing deep in a query."""
from django.http import HttpResponseBadRequest


class RejectNulMiddleware:
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
