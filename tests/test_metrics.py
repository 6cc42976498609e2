"""``/metrics`` (news/metrics.py): Prometheus's text format, parsed with prometheus-client's own
parser; loopback or a bearer token only; posts written by path, the page cache's answers, the
publish histogram, jobs waiting and Django's request metrics — summed over gunicorn's workers."""
import concurrent.futures
import datetime
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from django.core.cache import cache
from django.core.management import call_command
from prometheus_client.parser import text_string_to_metric_families

from . import factories
from .live import ROOT, free_port, wait_for_port
from .test_api import GOOD, new_key
from .test_views import at

pytestmark = pytest.mark.django_db


def samples(text):
    """``{(name, labels as sorted tuples): value}`` as Prometheus reads them."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def scrape(client, **headers):
    response = client.get("/metrics", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return samples(response.content.decode())


def value(found, name, **labels):
    return found.get((name, tuple(sorted(labels.items()))), 0)


def test_only_loopback_or_the_token_gets_the_metrics(client, settings):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    proxied = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}  # what nginx passes on from outside
    assert client.get("/metrics", **proxied).status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer guess", **proxied).status_code == 403  # none set
    settings.FINEWS_METRICS_TOKEN = "k" * 40
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer guess", **proxied).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + "k" * 40, **proxied).status_code == 200


def test_posts_written_by_path_and_what_the_cache_did(client, tmp_path,
                                                      django_capture_on_commit_callbacks):
    cache.clear()
    before = scrape(client)
    key = new_key()
    with django_capture_on_commit_callbacks(execute=True):  # the writes commit (the publish is timed)
        factories.post("计数", when=at(10, 0))
        response = client.post("/api/posts/", {"path": "_posts/2022-02-17-m.md", "content": GOOD},
                               content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201
    folder = tmp_path / "_posts"
    folder.mkdir()
    for n in range(3):
        (folder / f"2022-02-17-import{n}.md").write_text(GOOD.replace("接口送来的快讯", f"导入{n}"), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):  # counted once committed
        call_command("import_posts", str(tmp_path), "--quiet")
        call_command("import_posts", str(tmp_path), "--quiet", "--dry-run")  # rolled back: not counted
    client.get("/")
    client.get("/")
    after = scrape(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("finews_posts_written_total", path="api") == 1
    assert grew("finews_posts_written_total", path="import") == 3
    assert grew("finews_posts_written_total", path="system") >= 1  # the factory's own writes
    assert grew("finews_page_cache_requests_total", result="miss") >= 1
    assert grew("finews_page_cache_requests_total", result="hit") >= 1
    assert grew("finews_publish_seconds_count") >= 1
    assert value(after, "finews_jobs_waiting") >= 0
    assert grew("django_http_requests_total_by_method_total", method="GET") >= 3


def test_an_editors_save_counts_as_admin(admin_client, client, django_capture_on_commit_callbacks):
    before = scrape(client)
    post = factories.post("后台", when=at(10, 0))
    from .test_admin import change_data

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/news/post/{post.pk}/change/", change_data(post, title="后台改过"))
    assert response.status_code == 302, response.content.decode()[:500]
    after = scrape(client)
    assert value(after, "finews_posts_written_total", path="admin") - value(
        before, "finews_posts_written_total", path="admin") == 1


def test_silent_sources_are_the_desks(client):
    from .test_desk import posts_every

    posts_every("stopped", datetime.timedelta(minutes=10), datetime.timedelta(hours=8), datetime.timedelta(hours=6))
    posts_every("steady", datetime.timedelta(minutes=10), datetime.timedelta(hours=2), datetime.timedelta(minutes=1))
    assert value(scrape(client), "finews_sources_silent") == 1


def test_jobs_waiting_is_the_queue(client):
    from news.cache.tasks import mark_everything_stale

    before = value(scrape(client), "finews_jobs_waiting")
    mark_everything_stale.enqueue()
    mark_everything_stale.enqueue()
    assert value(scrape(client), "finews_jobs_waiting") == before + 2


def gunicorn_env(tmp_path):
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'metrics.sqlite3'}", "CONN_MAX_AGE": "0",
           "FINEWS_CACHE_DIR": str(tmp_path / "cache"), "FINEWS_WEB_WORKERS": "2",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"), "FINEWS_ACCESS_LOG": str(tmp_path / "access.log"),
           "FINEWS_LOG_FORMAT": "json"}
    (tmp_path / "prometheus").mkdir(exist_ok=True)
    environ = {**os.environ, **env}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=environ, check=True,
                   capture_output=True)
    return environ


def start_gunicorn(tmp_path, environ):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--access-logformat", "%(p)s %(r)s",
         "finews.wsgi"], cwd=ROOT, env={**environ, "FINEWS_BIND": f"127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL, stderr=(tmp_path / "stderr.log").open("ab"))
    wait_for_port(port)
    return server, f"http://127.0.0.1:{port}"


def stop(server):
    server.terminate()
    server.wait(timeout=30)


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


def test_two_gunicorn_workers_are_summed(tmp_path):
    """Requests answered by either worker are all counted, whichever worker answers the scrape."""
    server, base = start_gunicorn(tmp_path, gunicorn_env(tmp_path))
    try:

        def get(path):
            return fetch(base + path)

        sent = 0
        pids = set()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            while len(pids) < 2 and sent < 400:  # until both workers have answered some
                list(pool.map(lambda _: get("/feed.xml"), range(40)))
                sent += 40
                lines = (tmp_path / "access.log").read_text().splitlines()
                pids = {line.split()[0] for line in lines if "/feed.xml" in line}
        assert len(pids) == 2, pids
        found = samples(get("/metrics"))
        by_method = value(found, "django_http_requests_total_by_method_total", method="GET")
        cached = sum(value(found, "finews_page_cache_requests_total", result=result) for result in ("hit", "miss", "stale"))
        assert cached == sent, (cached, sent)  # every feed request, from both workers
        assert by_method >= sent
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(base + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}),
                                   timeout=30)
        assert refused.value.code == 404
        # One JSON line per request, with the request id nginx passes on.
        request = urllib.request.Request(base + "/healthz", headers={"X-Request-ID": "nginx-42"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["X-Request-ID"] == "nginx-42"
        logged = [json.loads(line) for line in (tmp_path / "stderr.log").read_text().splitlines() if line.startswith("{")]
        requests = [line for line in logged if line["name"] == "news.requests"]
        assert sum(line["path"] == "/feed.xml" for line in requests) == sent
        assert any(line["request_id"] == "nginx-42" and line["status"] == 200 for line in requests)
    finally:
        stop(server)


def test_imports_on_the_box_are_counted_and_nothing_is_lost_on_a_restart(tmp_path):
    """``import_posts`` runs in processes of its own (as the background worker does); sharing the
    app servers' folder, what it wrote is in their ``/metrics``. Its files are named by slot, so
    runs one after another reuse one set of files, and a restart of gunicorn loses no count."""
    environ = gunicorn_env(tmp_path)
    folder = tmp_path / "drop" / "_posts"
    folder.mkdir(parents=True)

    def import_posts(*names):
        for name in names:
            (folder / f"2022-02-17-{name}.md").write_text(GOOD.replace("接口送来的快讯", name), encoding="utf-8")
        subprocess.run([sys.executable, "manage.py", "import_posts", str(folder.parent), "--quiet"], cwd=ROOT,
                       env=environ, check=True, capture_output=True)

    def imported(base):
        return value(samples(fetch(base + "/metrics")), "finews_posts_written_total", path="import")

    server, base = start_gunicorn(tmp_path, environ)
    try:
        assert imported(base) == 0
        import_posts("一", "二", "三")
        assert imported(base) == 3
        import_posts("四")  # a second run, one after the first: the same slot's files, counts carried on
        assert imported(base) == 4
    finally:
        stop(server)
    files = sorted(path.name for path in (tmp_path / "prometheus").glob("counter_*.db"))
    server, base = start_gunicorn(tmp_path, environ)
    try:
        assert imported(base) == 4  # a restart: nothing emptied, nothing counted twice
        import_posts("五")
        assert imported(base) == 5
    finally:
        stop(server)
    # as many files as processes ran at once (two workers, the import), not one set per process
    assert sorted(path.name for path in (tmp_path / "prometheus").glob("counter_*.db")) == files
    assert len(files) <= 3, files


def test_a_process_holding_a_slot_keeps_it_from_others(tmp_path):
    code = ("import os, sys; os.environ['PROMETHEUS_MULTIPROC_DIR'] = sys.argv[1];"
            "from finews import metricfiles; print(metricfiles.slot(), flush=True); sys.stdin.read()")
    first = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout.readline().strip() == "s0"
        second = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, input="", capture_output=True,
                                text=True, check=True)
        assert second.stdout.strip() == "s1"  # s0 is held while the first runs
    finally:
        first.communicate("")
    third = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, input="", capture_output=True,
                           text=True, check=True)
    assert third.stdout.strip() == "s0"  # free again once its holder exited



def test_one_line_per_request_and_per_job(client, caplog):
    from news.cache.tasks import mark_everything_stale

    from .test_admin_import import run_jobs

    with caplog.at_level("INFO", logger="news.requests"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
        client.get("/healthz", HTTP_X_REQUEST_ID="not an id; " * 10)
    first, second = [record for record in caplog.records if record.name == "news.requests"]
    assert response["X-Request-ID"] == first.request_id == "abc-123"
    assert (first.method, first.path, first.status) == ("GET", "/healthz", 200) and first.duration_ms >= 0
    assert len(second.request_id) == 32  # one made: what came was not an id
    caplog.clear()
    mark_everything_stale.enqueue()
    with caplog.at_level("INFO", logger="django_tasks"):
        run_jobs()
    assert any("mark_everything_stale" in record.getMessage() and "SUCCESSFUL" in record.getMessage()
               for record in caplog.records if record.name == "django_tasks")


def test_a_token_that_is_not_ascii_is_refused_not_a_crash(client, settings):
    settings.FINEWS_METRICS_TOKEN = "k" * 40
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer 令牌").status_code == 403


def test_a_path_cannot_forge_a_log_line(client, caplog):
    with caplog.at_level("INFO", logger="news.requests"):
        client.get("/x%0A2026-01-01 INFO news.requests GET /admin/ 200")
    line = [record for record in caplog.records if record.name == "news.requests"][0].getMessage()
    assert "\n" not in line and "\\n" in line
