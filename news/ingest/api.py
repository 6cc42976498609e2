"""``POST /api/posts/``: the scraper's way in. A JSON body ``{"path": "_posts/<file name>",
"content": "<the Jekyll file>"}`` (or a list of up to 100 of them), ``Authorization: Bearer <key>``
(an ``IngestToken``). The posts go through the importer exactly as files do — same validation,
same idempotence by source path, same audit (one ImportRun per request) — and so through the
write path that makes them visible on the listings at once.

Answers, in JSON with a Chinese ``error`` where something is wrong: 201 created, 200 updated or
unchanged (with the post's ``url``), 400 a post the importer rejects or a malformed request, 401
no or a bad token, 413 a post over the import file-size limit or a body over the batch limit,
429 over the token's rate, 503 while another import holds the lock (or the database is away).
A list answers 200 when every post went in and 400 when any did not, with one result per post in
the order sent (the others are stored: one bad post, an oversize one included, never stops the
rest).

Bounded before anything is built: the body (``FINEWS_API_MAX_BODY_BYTES``, 20 MB: refused by
its declared length before it is read), each post (the import file-size limit), the JSON's
nesting (a scan, before the parser recurses), each path (no surrounding space, no control
characters). A chunked body is read from the server's de-chunked stream. The posts are then
written in batches of an eighth of ``FINEWS_IMPORT_BATCH_BYTES`` (1 MB), so a worker holds the body
about once plus one batch's work (docs/benchmarks.md).
"""
import codecs
import json
import re
import time
import unicodedata

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from news.ingest.importer import ImportBusy, Importer
from news.ingest.parse import CREATED, FAILED, KEPT, SKIPPED
from news.jekyll.sources import Entry, SourceSet
from news.models import ImportRun, IngestToken
from news.origin import absolute

MAX_BATCH = 100
MAX_PATH = 300
MAX_DEPTH = 8  # a request is at most a list of objects of strings: depth 2
# JSON's structure outside strings: an escape (skipped with what it escapes), a quote, a bracket.
_STRUCTURE_RE = re.compile(rb'\\.|["\[\]{}]', re.S)
SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _error(status, message, **headers):
    response = JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _token(request):
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip() or len(key) > 200:
        return None
    return IngestToken.holder(key.strip())


def _over_rate(token):
    """Requests per token per minute, counted in the shared cache (no cache: no limit)."""
    window = int(time.time() // 60)
    key = f"finews:api-rate:{token.pk}:{window}"
    cache.add(key, 0, 120)
    try:
        used = cache.incr(key)
    except ValueError:
        return None
    return (60 - int(time.time()) % 60) if used > settings.FINEWS_API_RATE_PER_MINUTE else None


def too_deep(body, limit=MAX_DEPTH):
    """Whether the JSON ``body`` nests deeper than ``limit`` — a linear scan, so that a body of
    100,000 ``[`` is refused before ``json.loads`` recurses into it."""
    depth, in_string = 0, False
    for match in _STRUCTURE_RE.finditer(body):
        token = match.group()
        if token == b'"':
            in_string = not in_string
        elif in_string or len(token) == 2:
            continue
        elif token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _bad_path(path):
    parts = path.split("/")
    return (not path.startswith("_posts/") or len(path) > MAX_PATH or path != path.strip() or "\\" in path
            or any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp") for char in path)
            or any(part in ("", ".", "..") or part != part.strip() for part in parts))


def _items(request, limit, body_limit):
    """``([(path, bytes or None), …], batch)`` from the request body — None for a post over
    ``limit`` bytes — or ``(status, Chinese reason)`` it is not acceptable. The body, its JSON
    and the posts' bytes are each let go once the next is made: at most about two of them at a time."""
    body = _read_body(request, body_limit)
    if len(body) > body_limit:
        return None, (413, too_big(body_limit))
    if too_deep(body):
        return None, (400, f"请求体的 JSON 嵌套超过 {MAX_DEPTH} 层")
    try:
        text = _decode(body)
        del body
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None, (400, "请求体不是有效的 JSON")
    del text
    problem, found = _posts_of(data, limit)
    return (None, (400, problem)) if problem else ((found, isinstance(data, list)), None)


def _decode(body, chunk=1 << 20):
    """The body as text, decoded a megabyte at a time: decoding it whole costs three times its size
    at once (the decoder widens its buffer as it meets wider characters)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(body)
    text = "".join(decoder.decode(view[start : start + chunk]) for start in range(0, len(view), chunk))
    return (text + decoder.decode(b"", final=True)).removeprefix("\ufeff")


def too_big(body_limit):
    return (f"请求体超过 {body_limit} 字节（{body_limit / 1048576:g} MB）的上限"
            "（FINEWS_API_MAX_BODY_BYTES）：请把文章分成几次提交")


def _posts_of(data, limit):
    """``(problem, [(path, bytes or None), …])`` of the parsed JSON (its contents are taken out
    of it as they are encoded)."""
    batch = isinstance(data, list)
    items = data if batch else [data]
    if not items or len(items) > MAX_BATCH:
        return f"一次提交 1 到 {MAX_BATCH} 篇文章", None
    found = []
    for number, item in enumerate(items, start=1):
        where = f"第 {number} 项：" if batch else ""
        if not isinstance(item, dict) or not isinstance(item.get("path"), str) or not isinstance(item.get("content"), str):
            return f"{where}需要 path 和 content 两个字符串字段", None
        path = item["path"]
        if _bad_path(path):
            return (f"{where}path 必须是 _posts/ 下的相对路径（如 _posts/2022-02-17-名字.md），"
                    "前后没有空白，不含控制字符"), None
        # A lone surrogate (only a JSON escape makes one) cannot be encoded: it becomes U+FFFE, which
        # the importer removes and reports like every character XML cannot hold (news/text.py).
        content = SURROGATE_RE.sub("\ufffe", item.pop("content")).encode("utf-8")
        found.append((path, content if len(content) <= limit else None))
    if len({path for path, _ in found}) < len(found):
        return "同一 path 在一次提交中出现了两次", None
    return None, found


def _declared_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _read_body(request, limit):
    """Up to ``limit`` + 1 bytes of the body. Without a Content-Length (``Transfer-Encoding:
    chunked``) Django's request stream is empty: the server's own stream is de-chunked."""
    if "chunked" in request.headers.get("Transfer-Encoding", "").lower() and not request.META.get("CONTENT_LENGTH"):
        return request.META["wsgi.input"].read(limit + 1)
    return request.read(limit + 1)


def _result(outcome, request):
    code = (400 if outcome.outcome in (FAILED, SKIPPED) else 409 if outcome.outcome == KEPT
            else 201 if outcome.outcome == CREATED else 200)
    result = {"path": outcome.source_path, "status": outcome.outcome, "code": code}
    if code in (400, 409):
        result["error"] = outcome.reason
    elif outcome.url:
        result["url"] = absolute(outcome.url)
    return result


@csrf_exempt
def posts(request):
    if request.method != "POST":
        return _error(405, "只接受 POST", Allow="POST")
    token = _token(request)
    if token is None:
        return _error(401, "缺少或无效的令牌：请在 Authorization 头中使用 Bearer <令牌>",
                      WWW_Authenticate='Bearer realm="finews"')
    wait = _over_rate(token)
    if wait:
        return _error(429, f"请求太频繁：每分钟最多 {settings.FINEWS_API_RATE_PER_MINUTE} 次", Retry_After=str(wait))
    limit, body_limit = settings.FINEWS_IMPORT_MAX_FILE_BYTES, settings.FINEWS_API_MAX_BODY_BYTES
    if _declared_length(request) > body_limit:
        return _error(413, too_big(body_limit))  # refused before a byte of it is read
    parsed, problem = _items(request, limit, body_limit)
    if problem:
        return _error(*problem)
    items, batch = parsed
    oversize = {path: {"path": path, "status": "failed", "code": 413, "error": f"文章超过 {limit} 字节的上限"}
                for path, data in items if data is None}
    if oversize and not batch:
        return _error(413, oversize[items[0][0]]["error"])
    found = SourceSet(entries=[Entry(label=path, source_path=path, loader=lambda n, data=data: data[:n], size=len(data))
                               for path, data in items if data is not None])
    results = dict(oversize)
    if found.entries:
        try:
            report = Importer(origin=ImportRun.Origin.API, lock_wait=settings.FINEWS_API_LOCK_WAIT, token=token,
                              batch_bytes=settings.FINEWS_IMPORT_BATCH_BYTES // 8).run(
                found, source_label=f"接口：{token.name}")
        except ImportBusy:
            return _error(503, "另一个导入正在进行，请稍后重试", Retry_After="10")
        IngestToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        results.update((outcome.source_path, _result(outcome, request)) for outcome in report.outcomes)
    results = [results[path] for path, _ in items]  # in the order sent
    if not batch:
        return JsonResponse(results[0], status=results[0]["code"], json_dumps_params={"ensure_ascii": False})
    codes = {result["code"] for result in results}
    status = 400 if codes & {400, 413} else 409 if 409 in codes else 200
    return JsonResponse({"results": results}, status=status, json_dumps_params={"ensure_ascii": False})
