"""The scraper's ingestion API, POST /api/posts/, through the test client as a scraper sends it."""
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from news.models import ImportRun, IngestToken, Post

pytestmark = pytest.mark.django_db
URL = "/api/posts/"
GOOD = "---\ntitle: 接口送来的快讯\ndate: 2022-02-17 17:38:20 +0800\ncategories: emnews\ntags: 东财滚动新闻\n---\n正文。\n"


def new_key(name="scraper"):
    out = io.StringIO()
    call_command("ingest_token", name, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture
def scraper():
    key = new_key()
    client = Client(enforce_csrf_checks=True)  # the API needs no CSRF token: only the bearer key

    def send(payload, key=key, **extra):
        body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload, ensure_ascii=False)
        return client.post(URL, body, content_type="application/json",
                           **({"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}), **extra)

    return send


def test_a_new_post_is_created_and_on_the_home_page_at_once(scraper, client):
    assert "接口送来的快讯" not in client.get("/").content.decode()  # cached now
    response = scraper({"path": "_posts/2022-02-17-api1.md", "content": GOOD})
    assert response.status_code == 201
    assert response.json() == {"path": "_posts/2022-02-17-api1.md", "status": "created", "code": 201,
                               "url": "http://127.0.0.1:8000/emnews/2022/02/17/api1.html"}
    assert "接口送来的快讯" in client.get("/").content.decode()
    run = ImportRun.objects.get()
    assert run.origin == "api" and "scraper" in run.source and run.created == 1


def test_sending_the_same_file_again_changes_nothing_and_a_change_updates(scraper):
    item = {"path": "_posts/2022-02-17-api1.md", "content": GOOD}
    assert scraper(item).status_code == 201
    again = scraper(item)
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    changed = scraper({**item, "content": GOOD.replace("正文", "更正后的正文")})
    assert changed.status_code == 200 and changed.json()["status"] == "updated"
    assert "更正后的正文" in Post.objects.get().body_html


@pytest.mark.parametrize("key", [None, "wrong", "fin_" + "x" * 43, "x" * 500])
def test_a_missing_or_bad_token_is_401_and_nothing_is_stored(scraper, key):
    response = scraper({"path": "_posts/2022-02-17-api1.md", "content": GOOD}, key=key)
    assert response.status_code == 401 and "令牌" in response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Post.objects.exists() and not ImportRun.objects.exists()


def test_a_revoked_token_stops_working(scraper, admin_client):
    token = IngestToken.objects.get()
    assert "scraper" in admin_client.get("/admin/news/ingesttoken/").content.decode()
    admin_client.post("/admin/news/ingesttoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert IngestToken.objects.get().revoked_at is not None
    assert scraper({"path": "_posts/2022-02-17-api1.md", "content": GOOD}).status_code == 401


def test_an_oversize_body_is_413_and_nothing_is_stored(scraper, settings):
    settings.FINEWS_IMPORT_MAX_FILE_BYTES = 1000
    response = scraper({"path": "_posts/2022-02-17-big.md", "content": GOOD + "长" * 1000})
    assert response.status_code == 413 and "1000" in response.json()["error"]
    assert not Post.objects.exists()


@pytest.mark.parametrize(("payload", "reason"), [
    ({"path": "_posts/2022-02-17-bad.md", "content": "---\ntitle: [unclosed\n---\n正文"}, "YAML"),
    ({"path": "_posts/2022-02-17-bad.md", "content": "---\ndate: 2022-13-45\n---\n正文"}, "日期"),
    ({"path": "_posts/not-a-post.md", "content": GOOD}, "YYYY-MM-DD"),
    ({"path": "../2022-02-17-x.md", "content": GOOD}, "_posts/"),
    ({"path": "_posts/../../etc/2022-02-17-x.md", "content": GOOD}, "_posts/"),
    ({"path": "_posts/2022-02-17-x.md"}, "content"),
    ([], "1 到 100"),
    ("{not json", "JSON"),
])
def test_a_rejected_post_is_400_with_the_reason_and_nothing_is_stored(scraper, payload, reason):
    response = scraper(payload)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert not Post.objects.exists()


def test_a_batch_stores_the_good_posts_and_names_the_bad_one(scraper):
    response = scraper([
        {"path": "_posts/2022-02-17-a.md", "content": GOOD},
        {"path": "_posts/2022-02-17-b.md", "content": "---\ntitle: [unclosed\n---\n"},
        {"path": "_posts/2022-02-17-c.md", "content": GOOD.replace("快讯", "第二条")},
    ])
    assert response.status_code == 400
    results = {r["path"]: r for r in response.json()["results"]}
    assert {path: r["code"] for path, r in results.items()} == {
        "_posts/2022-02-17-a.md": 201, "_posts/2022-02-17-b.md": 400, "_posts/2022-02-17-c.md": 201}
    assert "YAML" in results["_posts/2022-02-17-b.md"]["error"]
    assert Post.objects.count() == 2


def test_over_the_rate_is_429(scraper, settings):
    settings.FINEWS_API_RATE_PER_MINUTE = 2
    item = {"path": "_posts/2022-02-17-api1.md", "content": GOOD}
    assert [scraper(item).status_code for _ in range(2)] == [201, 200]
    limited = scraper(item)
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 60


def test_only_post_is_accepted(client):
    assert client.get(URL).status_code == 405


def test_the_command_prints_the_key_last_and_refuses_a_taken_name():
    key = new_key("a")
    assert key.startswith("fin_") and IngestToken.holder(key).name == "a"
    assert IngestToken.objects.get().key_hash != key  # only a hash is kept
    with pytest.raises(CommandError, match="已有"):
        new_key("a")


# --- the edges (issue 18) -----------------------------------------------------------------------

def test_deep_json_is_refused_before_it_is_parsed(scraper):
    for body in ["[" * 100_000, '{"a":' * 50_000, json.dumps([[[[[[[[[["x"]]]]]]]]]])]:
        response = scraper(body)
        assert response.status_code == 400 and "嵌套" in response.json()["error"]
    quoted = scraper({"path": "_posts/2022-02-17-q.md", "content": GOOD + "[[[[[[[[[[ {{{{{{{{{{ \\\"[[[[[[[[[[\n"})
    assert quoted.status_code == 201  # brackets inside strings are text


def test_an_oversize_post_in_a_batch_is_its_own_413_and_the_rest_go_in(scraper, settings):
    settings.FINEWS_IMPORT_MAX_FILE_BYTES = 2000
    items = [{"path": f"_posts/2022-02-17-n{n}.md", "content": GOOD + "长" * (900 if n % 2 else 10)}
             for n in range(6)]  # 6 posts of ~2.8 KB or ~200 B: the request is over one post's limit
    response = scraper(items)
    assert response.status_code == 400
    assert [(r["path"], r["code"]) for r in response.json()["results"]] == [
        (item["path"], 413 if n % 2 else 201) for n, item in enumerate(items)]
    assert "2000" in response.json()["results"][1]["error"]
    assert Post.objects.count() == 3


def test_a_batch_answers_in_the_order_it_was_sent(scraper):
    paths = [f"_posts/2022-02-17-{name}.md" for name in ("z", "a", "m", "b")]
    scraper({"path": paths[2], "content": GOOD})  # one of them is already there: updated, not new
    response = scraper([{"path": path, "content": GOOD.replace("快讯", path)} for path in paths])
    assert [r["path"] for r in response.json()["results"]] == paths
    assert [r["code"] for r in response.json()["results"]] == [201, 201, 200, 201]


@pytest.mark.parametrize("path", [
    "_posts/2022-02-17-x.md ", " _posts/2022-02-17-x.md", "_posts/2022-02-17-x.md\r\n", "_posts/2022-02-17-x\n.md",
    "_posts/2022-02-17-\tx.md", "_posts/2022-02-17-x\u2028.md", "_posts/ /2022-02-17-x.md", "_posts/2022-02-17-x\u200b.md",
])
def test_paths_with_space_around_or_control_characters_are_400(scraper, path):
    response = scraper({"path": path, "content": GOOD})
    assert response.status_code == 400 and "控制字符" in response.json()["error"]
    assert not Post.objects.exists()


def test_a_chunked_body_is_read(db):
    from django.core.handlers.wsgi import WSGIRequest
    from django.test import RequestFactory

    from news.ingest.api import posts

    body = json.dumps({"path": "_posts/2022-02-17-chunked.md", "content": GOOD}).encode()
    environ = RequestFactory().post(URL, body, content_type="application/json",
                                    HTTP_AUTHORIZATION=f"Bearer {new_key()}").environ
    del environ["CONTENT_LENGTH"]  # what a server passes on for Transfer-Encoding: chunked
    environ.update({"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(body)})
    response = posts(WSGIRequest(environ))
    assert response.status_code == 201 and Post.objects.get().slug == "chunked"


def test_the_database_away_is_a_json_503(scraper, monkeypatch):
    from django.db import OperationalError

    def unreachable(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr("news.ingest.api.Importer.run", unreachable)
    response = scraper({"path": "_posts/2022-02-17-x.md", "content": GOOD})
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert "数据库" in response.json()["error"] and response["Retry-After"]


def test_a_post_over_the_parse_time_budget_is_refused_with_the_reason(scraper, settings):
    settings.FINEWS_IMPORT_POST_SECONDS = 0.05
    slow = "---\ntitle: 慢\n---\n" + "段落 **粗体** [链接](/a) 与 *斜体* 和 `代码`\n\n" * 9_000
    response = scraper({"path": "_posts/2022-02-17-slow.md", "content": slow})
    assert response.status_code == 400 and "0.05 秒的上限" in response.json()["error"]
    assert scraper({"path": "_posts/2022-02-17-api1.md", "content": GOOD}).status_code == 201
    assert list(Post.objects.values_list("slug", flat=True)) == ["api1"]
