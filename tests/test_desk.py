"""The desk (``/admin/desk/``, news/admin/desk.py and the rules in news/desk/): which sources went
quiet, learned from each one's own rhythm, tested with the clock moved, never waited for."""
import datetime
import re
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news import desk
from news.models import ImportRun

from . import factories
from .test_review_gate import member

pytestmark = pytest.mark.django_db


def posts_every(key, step, first, last):
    """Posts of the source ``key`` every ``step``, from ``first`` ago to ``last`` ago."""
    now = timezone.now()
    moment = now - first
    while moment <= now - last:
        factories.post(f"{key} {moment:%m-%d %H:%M}", categories=(key,), tags=(), when=moment)
        moment += step


def silent(client):
    html = client.get("/admin/desk/").content.decode()
    table = re.search(r'<table id="silent">(.*?)</table>', html, re.S).group(1)
    return re.findall(r'<a href="/category/([^".]+)\.html">', table)


@pytest.fixture
def sources():
    minutes = datetime.timedelta(minutes=10)
    posts_every("stopped", minutes, datetime.timedelta(hours=8), datetime.timedelta(hours=6))
    posts_every("steady", minutes, datetime.timedelta(hours=2), datetime.timedelta(minutes=1))
    posts_every("daily", datetime.timedelta(days=1), datetime.timedelta(days=9, hours=20), datetime.timedelta(hours=20))


def test_a_source_that_stopped_is_named_and_the_steady_and_the_daily_are_not(sources):
    editor = member("bianji", "编辑")
    assert silent(editor) == ["stopped"]
    html = editor.get("/admin/desk/").content.decode()
    assert "6 小时" in html and "10 分钟" in html  # how long quiet, its usual interval
    assert "/admin/news/post/?category=stopped" in html


def test_with_the_clock_moved_the_steady_source_goes_quiet_and_the_daily_does_not(sources):
    editor = member("bianji", "编辑")
    later = timezone.now() + datetime.timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert silent(editor) == ["steady", "stopped"]  # the newest silence first
    much_later = timezone.now() + datetime.timedelta(days=7)
    with mock.patch("django.utils.timezone.now", return_value=much_later):
        assert "daily" in silent(editor)


def test_the_rules():
    now = timezone.now()
    ten = desk.usual_interval(now, now - datetime.timedelta(minutes=90), 10)
    assert ten == datetime.timedelta(minutes=10)
    assert desk.quiet_after(ten) == datetime.timedelta(hours=1)
    assert desk.quiet_after(datetime.timedelta(days=1)) == datetime.timedelta(days=6)
    assert not desk.is_quiet(now - datetime.timedelta(minutes=59), ten, now)
    assert desk.is_quiet(now - datetime.timedelta(minutes=61), ten, now)
    assert desk.usual_interval(now, now, 2) is None  # too few posts to know
    assert desk.duration(datetime.timedelta(days=2, hours=5, minutes=3)) == "2 天 5 小时"


def test_queries_do_not_grow_with_sources(django_assert_max_num_queries):
    from django.db import connection

    editor = member("bianji", "编辑")

    def queries():
        with CaptureQueriesContext(connection) as done:
            assert editor.get("/admin/desk/").status_code == 200
        return len(done)

    posts_every("a", datetime.timedelta(hours=1), datetime.timedelta(hours=5), datetime.timedelta(hours=1))
    few = queries()
    for key in "bcdef":
        posts_every(key, datetime.timedelta(hours=1), datetime.timedelta(hours=5), datetime.timedelta(hours=1))
    assert queries() == few


def test_charts_failures_and_what_waits(sources):
    factories.post("待审", status="review", when=timezone.now() - datetime.timedelta(hours=1))
    ImportRun.objects.create(origin=ImportRun.Origin.API, source="接口：上证快讯", failed=2, state="finished",
                             errors=[{"file": "_posts/2026-12-07-a.md", "reason": "没有标题"},
                                     {"file": "_posts/2026-12-07-b.md", "reason": "日期无效"}])
    editor = member("bianji", "编辑")
    html = editor.get("/admin/desk/").content.decode()
    assert re.search(r'<svg class="desk-chart"[^>]*role="img" aria-label="今天每小时的文章：共 \d+ 篇', html)
    assert "接口：上证快讯</td><td>2<" in html and "_posts/2026-12-07-b.md" in html and "日期无效" in html
    assert "待审核的文章：1" in html
    one = editor.get("/admin/desk/?source=steady").content.decode()
    assert "进稿：steady" in one and "最近 7 天每小时（共 12 篇）" in one
    assert editor.get("/admin/desk/?source=nope").status_code == 404


def test_who_may_open_it(client):
    assert client.get("/admin/desk/").status_code == 302  # to the login page
    stranger = User.objects.create_user("staff", password="pw-staff-2026", is_staff=True)
    client.force_login(stranger)
    assert client.get("/admin/desk/").status_code == 403
    assert member("shenhe", "审核").get("/admin/desk/").status_code == 200
    assert 'href="/admin/desk/"' in member("bianji2", "编辑").get("/admin/").content.decode()
