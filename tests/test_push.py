"""Push (news/push/): once a change commits, each live list it touched gets one event on its nchan
channel holding what the list's delta would answer, through the shipped nginx configuration
(deploy/nginx.conf.in). Streams here are read as a browser's EventSource reads them."""
import json
import logging

import pytest
from django.core.cache import cache
from django.db import transaction
from taggit.models import Tag

from news.models import Category, Post

from . import factories
from .push import PrivateNchan
from .test_admin_import import run_jobs
from .test_stories import RR, report
from .test_views import at

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not PrivateNchan.available, reason="needs nginx with nchan (Debian libnginx-mod-nchan)")]


@pytest.fixture(scope="module")
def nchan(tmp_path_factory):
    engine = PrivateNchan(tmp_path_factory.mktemp("nchan"))
    yield engine
    engine.stop()


@pytest.fixture(autouse=True)
def push(settings, nchan):
    settings.FINEWS_PUSH_URL = nchan.publish_url
    cache.clear()


def committed(django_capture_on_commit_callbacks, make):
    """``make()`` in a transaction that commits (its on-commit callbacks run as they would). Every
    write of a test goes through here: one left outside would hold the test transaction's pending
    change (news/changes/marking.py), which later writes join."""
    with django_capture_on_commit_callbacks(execute=True):
        return make()


def test_a_new_post_reaches_every_list_it_is_on_once_committed(nchan, django_capture_on_commit_callbacks):
    committed(django_capture_on_commit_callbacks, lambda: factories.post("旧闻", when=at(9, 0)))
    emnews = Category.objects.get(key="emnews")
    tag = Tag.objects.get(name="东财滚动新闻")
    streams = {channel: nchan.stream(channel) for channel in
               ("latest", "emnews", f"category/{emnews.pk}", f"tag/{tag.pk}", "latest~imp")}
    post = committed(django_capture_on_commit_callbacks, lambda: factories.post("推送的新闻", when=at(10, 0)))
    for channel in ("latest", "emnews", f"category/{emnews.pk}", f"tag/{tag.pk}"):
        event_id, data = streams[channel].next_json()
        assert event_id, channel  # what a reconnecting browser sends back as Last-Event-ID
        assert data["ids"].split(",")[0] == str(post.pk) and data["c"] == post.pk, channel
        assert len(data["new"]) == 1 and "推送的新闻" in data["new"][0] and f'data-id="{post.pk}"' in data["new"][0]
    # 只看重要 hears of an important post only: its first event is the next one's.
    important = committed(django_capture_on_commit_callbacks, lambda: factories.post("重要的新闻", when=at(11, 0)))
    committed(django_capture_on_commit_callbacks, lambda: Post.objects.filter(pk=important.pk).set_important(True))
    _, data = streams["latest~imp"].next_json()
    assert data["ids"] == f"{important.pk}!" and "重要的新闻" in data["new"][0]


def test_nothing_is_published_from_inside_a_transaction_that_rolls_back(nchan, django_capture_on_commit_callbacks):
    stream = nchan.stream("latest")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        factories.post("撤回的新闻", when=at(10, 0))
        raise RuntimeError
    kept = committed(django_capture_on_commit_callbacks, lambda: factories.post("留下的新闻", when=at(10, 1)))
    _, data = stream.next_json()  # the first event is the committed post's, and shows only it
    assert data["ids"] == str(kept.pk) and "撤回的新闻" not in "".join(data["new"])


def test_a_later_copy_of_a_story_updates_its_count_in_a_small_event(nchan, django_capture_on_commit_callbacks):
    first = committed(django_capture_on_commit_callbacks, lambda: report("央行开展1000亿元逆回购操作", RR.format(1000)))
    stream = nchan.stream("latest")
    copy = committed(django_capture_on_commit_callbacks, lambda: report(
        "【快讯】央行开展1000亿元逆回购", "财联社12月6日电，" + RR.format(1000), source="cls", minutes=5))
    _, raw = stream.next()
    assert len(raw.encode()) <= 1024, len(raw.encode())
    data = json.loads(raw)
    assert data["new"] == [] and data["ids"] == str(first.pk)  # the story stays where it was
    story, label, markup = data["s"][str(first.pk)]
    assert label == "2 家来源" and f'href="{copy.url_path}"' in markup


def test_a_reader_who_reconnects_gets_what_was_published_meanwhile(nchan, django_capture_on_commit_callbacks):
    stream = nchan.stream("latest")
    committed(django_capture_on_commit_callbacks, lambda: factories.post("第一条", when=at(10, 0)))
    last_seen, _ = stream.next()
    stream.close()  # the connection drops; five posts arrive meanwhile
    missed = [committed(django_capture_on_commit_callbacks, lambda n=n: factories.post(f"错过的{n}", when=at(10, n + 1)))
              for n in range(5)]
    again = nchan.stream("latest", last_event_id=last_seen)  # as EventSource reconnects
    got = [again.next_json()[1] for _ in missed]
    assert [data["c"] for data in got] == [post.pk for post in missed]
    assert all(len(data["new"]) == 1 for data in got)


def test_a_list_that_looks_as_before_gets_no_event(nchan, settings, django_capture_on_commit_callbacks):
    """An edit of a post below the top of home's newest block publishes nothing there."""
    settings.FINEWS_HOME_LATEST = 3
    old = committed(django_capture_on_commit_callbacks, lambda: factories.post("很旧的新闻", when=at(1, 0)))
    for n in range(3):
        committed(django_capture_on_commit_callbacks, lambda n=n: factories.post(f"新闻{n}", when=at(9, n)))
    latest = nchan.stream("latest")
    committed(django_capture_on_commit_callbacks, lambda: factories.post("最新", when=at(10, 0)))
    latest.next()

    def edit(post, title):
        post.title = title
        post.save()

    committed(django_capture_on_commit_callbacks, lambda: edit(old, "改过的旧闻"))
    newest = committed(django_capture_on_commit_callbacks, lambda: factories.post("更新", when=at(11, 0)))
    _, data = latest.next_json()  # the next event is the new post's: the edit sent none
    assert data["c"] == newest.pk and "改过的旧闻" not in "".join(data["new"])


def test_a_failed_publish_is_logged_and_the_write_stands(settings, client, caplog, django_capture_on_commit_callbacks):
    from .live import free_port

    settings.FINEWS_PUSH_URL = f"http://127.0.0.1:{free_port()}/pub/"  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="news.push"):
        post = committed(django_capture_on_commit_callbacks, lambda: factories.post("照样发布", when=at(10, 0)))
    assert "推送失败" in caplog.text
    assert client.get(post.url_path).status_code == 200
    assert "照样发布" in client.get("/live/latest/").content.decode()  # the polling path brings it


def test_a_change_to_many_lists_is_published_by_a_job(settings, nchan, django_capture_on_commit_callbacks):
    settings.FINEWS_PUSH_INLINE_LISTS = 2
    stream = nchan.stream("latest")
    post = committed(django_capture_on_commit_callbacks, lambda: factories.post("导入的新闻", when=at(10, 0)))
    run_jobs()
    _, data = stream.next_json()
    assert data["c"] == post.pk


def test_pages_name_their_stream_only_where_the_front_pushes(client, settings):
    post = factories.post("页面", when=at(10, 0))
    category = post.categories.get()
    for url, stream in (("/", "/stream/latest"), ("/?important=1", "/stream/latest~imp"),
                        (f"/category/{category.key}.html", f"/stream/category/{category.pk}"),
                        ("/emnews/", "/stream/emnews")):
        html = client.get(url).content.decode()
        assert f'<link rel="alternate" type="text/event-stream" href="{stream}">' in html, url
        assert f'data-live-stream="{stream}"' in html, url
    settings.FINEWS_PUSH_URL = ""
    cache.clear()
    html = client.get("/").content.decode()
    assert "text/event-stream" not in html and "data-live-stream" not in html


def test_readers_can_only_listen(nchan):
    import urllib.error
    import urllib.request

    for method in ("POST", "DELETE"):
        request = urllib.request.Request(f"http://127.0.0.1:{nchan.port}/stream/latest", b"{}", method=method)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code in (403, 405)
    assert nchan.stream("anything/else").status != 200  # not a stream: channels are the live lists' only
    assert nchan.stream("category/1~imp").status == 200



def test_important_lists_hear_of_a_copy_and_of_a_deletion(nchan, django_capture_on_commit_callbacks):
    first = committed(django_capture_on_commit_callbacks, lambda: report("央行开展1000亿元逆回购操作", RR.format(1000)))
    committed(django_capture_on_commit_callbacks, lambda: Post.objects.filter(pk=first.pk).set_important(True))
    important = nchan.stream("latest~imp")
    committed(django_capture_on_commit_callbacks, lambda: report(
        "【快讯】央行开展1000亿元逆回购", "财联社12月6日电，" + RR.format(1000), source="cls", minutes=5))
    _, data = important.next_json()  # the copy is not important, but its story's first report is
    assert data["ids"] == f"{first.pk}!" and data["s"][str(first.pk)][1] == "2 家来源"
    committed(django_capture_on_commit_callbacks, lambda: Post.objects.get(pk=first.pk).delete())
    _, data = important.next_json()
    assert data["ids"] == "" and data["new"] == []


def test_each_more_list_costs_one_query(nchan, django_capture_on_commit_callbacks):
    """Publishing reads each list's top in one query; the markup of the post is made once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from news import push
    from news.changes import post_stamps

    def queries(tags):
        post = committed(django_capture_on_commit_callbacks, lambda: factories.post("标签", tags=tags))
        names = post_stamps([post.pk])  # its lists' last events are known: published as it was written
        with CaptureQueriesContext(connection) as done:
            push.published(names=names, posts={post.pk})
        return len(push.lists_of(names)), len(done)

    lists_one, one = queries(("甲",))
    lists_six, six = queries(("甲", "乙", "丙", "丁", "戊", "己"))
    assert lists_six - lists_one == 10  # five more tags, each with its 只看重要 form
    assert six - one <= 5, (one, six)  # one top query each; their 只看重要 forms are not read


def test_a_publish_that_breaks_is_logged_and_the_write_answers(client, caplog, monkeypatch, django_capture_on_commit_callbacks):
    from news.reader import live

    def broken(*args, **kwargs):
        raise RuntimeError("数据库忙")

    monkeypatch.setattr(live, "event", broken)
    with caplog.at_level(logging.ERROR, logger="news.push"):
        post = committed(django_capture_on_commit_callbacks, lambda: factories.post("照样保存", when=at(10, 0)))
    assert "推送失败" in caplog.text and "数据库忙" in caplog.text
    assert Post.objects.filter(pk=post.pk).exists()


def test_a_channels_list_hears_a_post_a_rule_put_in_it(nchan, django_capture_on_commit_callbacks):
    from news.models import Channel

    channel = Channel.objects.get(slug="central-banks")  # shipped, with its rule
    committed(django_capture_on_commit_callbacks, lambda: factories.post("央行旧闻", when=at(9, 0)))
    stream = nchan.stream(f"channel/{channel.pk}")
    post = committed(django_capture_on_commit_callbacks, lambda: factories.post("美联储宣布降息", when=at(10, 0)))
    _, data = stream.next_json()
    assert data["ids"].split(",")[0] == str(post.pk) and "美联储宣布降息" in data["new"][0]
