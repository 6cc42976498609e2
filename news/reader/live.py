"""The live wall's deltas: ``/live/<list>/?after=<id>`` answers what changed at the top of a list
since the reader's page was built, so an open page never fetches itself again.

Each live list (home's newest block, ``/emnews/``, a category's, tag's, stock's or channel's first page, each with
its 只看重要 form) is its top ``size`` posts. Its page carries the id of its newest item (the
cursor); the answer holds the ids of the list's current top, in order (``!`` after an important
one), and the markup of only the items above the cursor (without a cursor, of every item: a
cursor that left the top is redirected there). An id the page lacks that came without markup (a
post dated below the newest, one marked 重要 later) makes the page ask for the whole list once.
The page removes what is no longer in the top, adds the new items, and asks next with the new
cursor. Everyone whose page is in the same state asks for the same address, so the answer is
cached like a page (news/cache/: stamped, ETag/304 for a quiet poll, ``s-maxage`` for nginx):
a thousand readers cost one build.
"""
import json
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from news import cache
from news.jekyll.dates import SITE_TZ
from news.models import Channel, Post, PostCategory, PostChannel, PostSecurity, Security, TaggedPost
from news.reader import stories, wall


@dataclass
class LiveList:
    """The top of one live list: where its delta lives and how to read it."""

    src: str  # the delta endpoint's address
    channel: str  # its push channel (news/push/): "latest", "category/12", "tag/5~imp"…
    size: int
    stamp: str  # the cache stamp whose change may change it
    rows: object  # a queryset: Post objects, or link rows with their post selected
    links: bool = False
    with_source: bool = True
    new_tab: bool = False
    stories: bool = False  # a list where sources mix: a story once, with its other reports
    relation: str = "content_object"  # the link rows' post field

    def collapsed(self, rows=None):
        """``rows`` (default: the list's) as the reader sees them: a story once where sources mix."""
        rows = self.rows if rows is None else rows
        if not self.stories:
            return rows
        return stories.first_tagged(rows, self.relation) if self.links else stories.first_reports(rows)

    def top_posts(self):
        """The ``Post`` objects at the top (title, address, time, 重要 read): one query."""
        found = self.collapsed()[: self.size]
        return [link.post for link in found] if self.links else list(found)

    def items(self, posts, memo=None):
        """``posts`` as this list shows them (wall.Item): sources, securities, story reports.
        ``memo`` keeps the items made for other lists shown the same way (one change's events)."""
        made = {} if memo is None else memo.setdefault((self.with_source, self.stories), {})
        missing = [post for post in posts if post.pk not in made]
        if missing:
            items = wall.from_posts(missing, self.with_source)
            made.update((item.pk, item) for item in (stories.with_reports(items) if self.stories else items))
        return [made[post.pk] for post in posts]

    def top(self):
        return self.items(self.top_posts())

    def cursor(self, items):
        return items[0].pk if items else 0

    @property
    def important(self):
        """Its 只看重要 form."""
        return self.channel.endswith("~imp")

    @property
    def stream(self):
        """Where readers hear its events (an nchan location of the front, news/push/), or "" where
        there is none (readers poll the delta)."""
        return f"{settings.FINEWS_PUSH_STREAM}{self.channel}" if settings.FINEWS_PUSH_URL else ""


def _src(name, important, **kwargs):
    """The delta's address and the push channel of a list."""
    url = reverse(f"news:live_{name}", kwargs=kwargs)
    channel = "/".join([name, *(str(value) for value in kwargs.values())]) + ("~imp" if important else "")
    return (f"{url}?important=1" if important else url), channel


def latest(important=False):
    posts = Post.objects.published().newest_first().only("title", "url_path", "published_at", "important")
    if important:
        posts = posts.filter(important=True)
    return LiveList(*_src("latest", important), settings.FINEWS_HOME_LATEST, "site", posts, stories=True)


def _links_of_post(queryset, important, relation):
    rows = queryset.live().newest_first().select_related(relation).only(
        *(f"{relation}__{name}" for name in ("title", "url_path", "published_at", "important")), "published_at")
    return rows.filter(**{f"{relation}__important": True}) if important else rows


def category(category, important=False):
    rows = _links_of_post(PostCategory.objects.filter(category=category), important, "post")
    return LiveList(*_src("category", important, pk=category.pk), settings.FINEWS_LISTING_PAGE_SIZE,
                    f"cat:{category.pk}", rows, links=True, with_source=False)


def tag(tag, important=False, size=None, new_tab=False, src=None):
    rows = _links_of_post(TaggedPost.objects.filter(tag=tag), important, "content_object")
    src = _src("emnews", important) if src == "emnews" else _src("tag", important, pk=tag.pk)
    return LiveList(*src, size or settings.FINEWS_LISTING_PAGE_SIZE,
                    f"tag:{tag.pk}", rows, links=True, new_tab=new_tab, stories=True)


def stock(security, important=False):
    rows = _links_of_post(PostSecurity.objects.filter(security=security), important, "post")
    return LiveList(*_src("stock", important, pk=security.pk), settings.FINEWS_LISTING_PAGE_SIZE,
                    f"stock:{security.pk}", rows, links=True, stories=True, relation="post")


def channel(channel_object, important=False):
    rows = _links_of_post(PostChannel.objects.filter(channel=channel_object), important, "post")
    return LiveList(*_src("channel", important, pk=channel_object.pk), settings.FINEWS_LISTING_PAGE_SIZE,
                    f"channel:{channel_object.pk}", rows, links=True, stories=True, relation="post")


def emnews(tag_object, important=False):
    return tag(tag_object, important, settings.FINEWS_EMNEWS_POSTS, new_tab=True, src="emnews")


def story_updates(items, after):
    """For items the page holds whose story gained reports since its cursor (``after``, a post id)
    was written: ``{id: [story id, "N 家来源", markup of those reports]}`` — a copy's whole delta
    stays small (the page ignores a report it holds already)."""
    since = Post.objects.filter(pk=after).values_list("created_at", flat=True).first() if any(
        item.story for item in items) else None
    if since is None:
        return {}
    return _updates(items, lambda other: other.added and other.added > since)


def _updates(items, wanted):
    year = timezone.localtime(timezone.now(), SITE_TZ).year
    updates = {}
    for item in items:
        if item.story:
            new = [other for other in item.story[1] if wanted(other)]
            if new:
                label = wall.story_label(item)
                updates[item.pk] = [item.story[0], label, "".join(wall.report_html(other, year) for other in new)]
    return updates


def _now():
    """When a top is read (taken before reading it): pages apply no answer older than one they
    applied (static/js/live.js), as events from two app servers may cross."""
    return time.time_ns() // 1000


def _answer(live, shown, fresh, read_at):
    """A delta's body: the ids of the top (``shown``: items or posts, in order) and the markup of
    the items ``fresh``."""
    return {"v": read_at, "c": live.cursor(shown),
            "ids": ",".join(f"{each.pk}{'!' if each.important else ''}" for each in shown),
            "new": [wall.item_html(item, live.new_tab) for item in fresh]}


def event(live, posts, mates=frozenset(), memo=None):
    """What a change to the posts ``posts`` (ids) tells the readers of ``live`` (news/push/): its
    current top as the delta says it, the markup of those of them in it, and, where the list shows
    a story once, the reports among them of the stories it shows (``mates``: the other posts of
    their stories). A list the change does not show in costs one query; ``memo`` (a dict kept
    across one change's lists) makes each item once."""
    posts = set(posts)
    read_at = _now()
    top = live.top_posts()
    body = _answer(live, top, live.items([post for post in top if post.pk in posts], memo), read_at)
    if live.stories:
        touched = live.items([post for post in top if post.pk in mates and post.pk not in posts], memo)
        updates = _updates(touched, lambda other: other.pk in posts)
        if updates:
            body["s"] = updates
    return body


def important_flag(request):
    """``?important=1`` → True; absent → False; anything else is not a page."""
    value = request.GET.get("important")
    if value not in (None, "1"):
        raise Http404("没有这个页面")
    return value == "1"


def id_or_404(pk, what="列表"):
    """An id as its one address spells it (no sign, no leading zeros: its cache stamp is named
    after it), or a 404."""
    if not pk.isascii() or not pk.isdigit() or len(pk) > 18 or pk != str(int(pk)):
        raise Http404(f"没有这个{what}")
    return int(pk)


def _object_or_404(model, pk):
    found = model.objects.filter(pk=id_or_404(pk)).first()
    if found is None:
        raise Http404("没有这个列表")
    return found


def delta(request, kind, pk=None):
    """The delta of one live list after the cursor ``?after=<post id>``."""
    important = important_flag(request)
    if kind == "latest":
        live = latest(important)
    elif kind == "emnews":
        found = Tag.objects.filter(name=settings.FINEWS_EMNEWS_TAG).first()
        if found is None:
            raise Http404("没有这个列表")
        live = emnews(found, important)
    elif kind == "category":
        live = category(_object_or_404(PostCategory._meta.get_field("category").related_model, pk), important)
    elif kind == "stock":
        live = stock(_object_or_404(Security, pk), important)
    elif kind == "channel":
        live = channel(_object_or_404(Channel, pk), important)
    else:
        live = tag(_object_or_404(Tag, pk), important)
    after = request.GET.get("after") or None
    if after is not None and (not after.isascii() or not after.isdigit() or len(after) > 18):
        raise Http404("没有这个位置")
    cache.depends_on(live.stamp)
    read_at = _now()
    items = live.top()
    ids = [item.pk for item in items]
    held = int(after) if after else 0
    if held and held not in ids:
        # The reader's newest item left the top: the whole list, at the one address for it (so
        # the cursors an answer is kept for are the few in the top, whatever anyone sends).
        return HttpResponseRedirect(live.src)
    body = _answer(live, items, items[: ids.index(held)] if held else items, read_at)
    if not held:
        body["reset"] = 1  # every item: the page keeps what it holds and adds the rest
    else:
        updates = story_updates(items[ids.index(held):], held)
        if updates:
            body["s"] = updates
    response = HttpResponse(json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                            content_type="application/json")
    response.bounded_variant = True  # news/cache/: no more variants than items in the top
    return response
