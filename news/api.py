"""``POST /api/posts/``: the scraper's way in. A JSON body ``{"path": "_posts/<file name>",
"content": "<the Jekyll file>"}`` (or a list of up to 100 of them), ``Authorization: Bearer <key>``
(an ``IngestToken``). The posts go through the importer exactly as files do — same validation,
same idempotence by source path, same audit (one ImportRun per request) — and so through the
write path that makes them visible on the listings at once.

Answers, in JSON with a Chinese ``error`` where something is wrong: 201 created, 200 updated or
unchanged (with the post's ``url``), 400 a post the importer rejects or a malformed request, 401
no or a bad token, 413 a body over the import file-size limit, 429 over the token's rate, 503 while
another import holds the lock. A list answers 200 when every post went in and 400 when any did
not, with one result per post (the others are stored: one bad post never stops the rest).
"""
import json
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .importer import ImportBusy, Importer
from .importing.parse import CREATED, FAILED, KEPT, SKIPPED
from .jekyll.sources import Entry, SourceSet
from .models import ImportRun, IngestToken
from .origin import absolute

MAX_BATCH = 100
MAX_PATH = 300


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


def _items(body):
    """``[(path, bytes), …]`` from the request body, or a Chinese reason it is not acceptable."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None, "请求体不是有效的 JSON"
    batch = isinstance(data, list)
    items = data if batch else [data]
    if not items or len(items) > MAX_BATCH:
        return None, f"一次提交 1 到 {MAX_BATCH} 篇文章"
    found = []
    for number, item in enumerate(items, start=1):
        where = f"第 {number} 项：" if batch else ""
        if not isinstance(item, dict) or not isinstance(item.get("path"), str) or not isinstance(item.get("content"), str):
            return None, f"{where}需要 path 和 content 两个字符串字段"
        path = item["path"]
        parts = path.split("/")
        if (not path.startswith("_posts/") or len(path) > MAX_PATH or "\\" in path or "\0" in path
                or any(part in ("", ".", "..") for part in parts)):
            return None, f"{where}path 必须是 _posts/ 下的相对路径（如 _posts/2022-02-17-名字.md）"
        try:
            found.append((path, item["content"].encode("utf-8")))
        except UnicodeEncodeError:
            return None, f"{where}content 含有无法编码的字符"
    if len({path for path, _ in found}) < len(found):
        return None, "同一 path 在一次提交中出现了两次"
    return (found, batch), None


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
    limit = settings.FINEWS_IMPORT_MAX_FILE_BYTES
    body = request.read(limit + 1)
    if len(body) > limit:
        return _error(413, f"请求体超过 {limit} 字节的上限")
    parsed, problem = _items(body)
    if problem:
        return _error(400, problem)
    items, batch = parsed
    found = SourceSet(entries=[Entry(label=path, source_path=path, loader=lambda n, data=data: data[:n], size=len(data))
                               for path, data in items])
    try:
        report = Importer(origin=ImportRun.Origin.API, lock_wait=settings.FINEWS_API_LOCK_WAIT, token=token).run(
            found, source_label=f"接口：{token.name}")
    except ImportBusy:
        return _error(503, "另一个导入正在进行，请稍后重试", Retry_After="10")
    IngestToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    results = [_result(outcome, request) for outcome in report.outcomes]
    if not batch:
        return JsonResponse(results[0], status=results[0]["code"], json_dumps_params={"ensure_ascii": False})
    status = 400 if any(result["code"] == 400 for result in results) else 409 if any(
        result["code"] == 409 for result in results) else 200
    return JsonResponse({"results": results}, status=status, json_dumps_params={"ensure_ascii": False})
