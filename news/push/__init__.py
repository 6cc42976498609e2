"""Push: once a change is committed, each live list it touched gets one event on its channel of
the front's pub/sub engine (nginx's nchan module, deploy/nginx.conf.in), and every open page of
that list has it within a second, without asking.

The after-write step marks the pages a change touched (news/changes/marking.py) and, once the
transaction commits, sends :data:`news.signals.pages_changed` with their stamps and the posts it
wrote. :func:`published` (connected in ``NewsConfig.ready()``) turns the stamps into the live lists
they cover — ``site``: home's newest block; ``cat:N``, ``tag:N``, ``stock:N``, ``channel:N``: that list and
``/emnews/`` for its tag; each with its 只看重要 form — and publishes for each what its delta
answers (news/reader/live.py ``event``): the top's ids, the markup of the written posts in it, the
reports of the stories it shows. A list whose top looks as it did at the last event, with none of
the posts in it, gets none. A change touching more lists than ``FINEWS_PUSH_INLINE_LISTS`` (an
import) is published by a job, so a writer never waits on hundreds of lists.

Publishing is an HTTP POST to ``FINEWS_PUSH_URL`` + channel (nchan's publisher location, on
loopback). It is best effort: a publish that fails is logged, and readers' pages still catch up
with one delta request when their stream reconnects (static/js/live.js). Without
``FINEWS_PUSH_URL`` (``make run``), nothing is published and pages poll as before.
"""
import http.client
import json
import logging
import urllib.parse

from django.conf import settings
from django.core.cache import cache
from taggit.models import Tag

from news.models import Category, Channel, Post, Security, StoryPost
from news.reader import live

log = logging.getLogger("news.push")

_KINDS = {"cat": (Category, live.category), "tag": (Tag, live.tag), "stock": (Security, live.stock),
          "channel": (Channel, live.channel)}


def lists_of(names):
    """The live lists (both forms of each) that the stamps ``names`` cover."""
    found = []
    emnews = ...  # the /emnews/ tag's id, read once
    for name in sorted(names):
        kind, _, pk = name.partition(":")
        if name == "site":
            found += [live.latest(important) for important in (False, True)]
        elif kind in _KINDS and pk.isdigit():
            model, make = _KINDS[kind]
            found += [make(model(pk=int(pk)), important) for important in (False, True)]
            if kind == "tag":
                if emnews is ...:
                    emnews = Tag.objects.filter(name=settings.FINEWS_EMNEWS_TAG).values_list("pk", flat=True).first()
                if emnews == int(pk):
                    found += [live.emnews(Tag(pk=emnews), important) for important in (False, True)]
    return found


def published(sender=None, names=(), posts=(), **kwargs):
    """Receiver of ``pages_changed``: publish the events of the live lists the change touched. The
    change is committed already: whatever goes wrong here is logged, never the writer's error."""
    if not settings.FINEWS_PUSH_URL:
        return
    try:
        lists = lists_of(names)
        if len(lists) > settings.FINEWS_PUSH_INLINE_LISTS:
            from news.push.tasks import publish_later

            publish_later.enqueue(sorted(names), sorted(posts))
            return
        publish(lists, posts)
    except Exception:  # best effort: pages catch up through the delta when their stream reconnects
        log.exception("推送失败：无法发布这次修改的实时事件")


def _key(channel):
    return f"finews:push:{channel}"


def _ids(shown):
    return {int(pk.rstrip("!")) for pk in shown.split(",") if pk}


def publish(lists, posts):
    """Publish each list's event, skipping a list the change left as its last event showed it,
    and a 只看重要 list none of the posts (or their stories' other reports) was in or can enter."""
    posts = set(posts)
    mates = StoryPost.objects.reports_of(posts)  # a copy's story, shown by its first report
    important = Post.objects.filter(pk__in=posts, important=True).exists() if posts else False
    last = cache.get_many([_key(each.channel) for each in lists])
    memo, events = {}, {}
    for each in lists:
        shown = last.get(_key(each.channel))
        if each.important and not important and shown is not None and not (posts | mates) & _ids(shown):
            continue
        body = live.event(each, posts, mates, memo)
        if body["new"] or body.get("s") or shown != body["ids"]:
            events[each.channel] = body
    if events and _send(events):
        cache.set_many({_key(channel): body["ids"] for channel, body in events.items()}, 24 * 3600)


def _send(events):
    """POST each event to its channel; False (logged) when the engine cannot be reached."""
    url = urllib.parse.urlsplit(settings.FINEWS_PUSH_URL)
    connection = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=settings.FINEWS_PUSH_TIMEOUT)
    try:
        for channel, body in events.items():
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            connection.request("POST", f"{url.path}{channel}", data, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            if response.status >= 300:
                log.warning("推送失败：频道 %s 的事件被拒绝（HTTP %s）", channel, response.status)
        return True
    except (OSError, http.client.HTTPException) as exc:
        log.warning("推送失败：无法连接推送服务 %s（%s）；读者的页面在重新连接时补齐", settings.FINEWS_PUSH_URL, exc)
        return False
    finally:
        connection.close()
