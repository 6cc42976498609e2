"""The front page.

``/`` leads with the news: the newest posts of every source, each with its time and source (a
live list, news/reader/live.py), then the sources' sections — each source's newest posts, as the old site
had them — ordered by their latest post and paged (``?page=N``). ``/?important=1`` is 只看重要.
``/?order=site`` is the old site's home, kept as Jekyll built it: every source's newest posts in
``site.tags`` order.

Each source's section is a fragment cached on its own (news/cache/) and rebuilt only when its
tag changed: a new post rebuilds one section, not 2,000.
"""
import html

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from news import cache
from news.jekyll.dates import SITE_TZ
from news.models import Channel, TaggedPost
from news.reader import live, wall
from news.reader.names import pinyin_keys
from news.reader.paging import MAX_PAGE, ListingPage
from news.reader.views import RefreshingMixin, feed_of


class HomeView(RefreshingMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        self.order = request.GET.get("order")
        if self.order not in (None, "site"):
            raise Http404("没有这种排列方式")
        self.important = live.important_flag(request)
        page = request.GET.get("page") or "1"
        if not page.isascii() or not page.isdigit() or not 1 <= int(page) <= MAX_PAGE:
            raise Http404("没有这一页")
        self.page = int(page)
        if (self.order or self.important) and self.page > 1 or self.order and self.important:
            raise Http404("没有这一页")
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        return ["news/home_site.html" if self.order == "site" else "news/home.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cache.depends_on("site")
        if self.order == "site":
            return {**context, **site_order()}
        context.update(important=self.important, wide=True)
        if self.important:
            context.update(feed_of(reverse("news:feed"), settings.FINEWS_SITE_TITLE, True))
        if self.page == 1:
            cache.depends_on("channels")
            context["channels"] = list(Channel.objects.only("slug", "name"))  # the tabs
            latest = live.latest(self.important)
            items = latest.top()
            context.update(live=latest, cursor=latest.cursor(items), latest_html=wall.items_html(items))
        if not self.important:
            per_page = settings.FINEWS_HOME_SECTIONS_PER_PAGE
            offset = (self.page - 1) * per_page
            order = TaggedPost.objects.recent_order(offset, per_page + 1)
            if self.page > 1 and not order:
                raise Http404("没有这一页")
            page = ListingPage(order, self.page, per_page)
            context.update(page_obj=page, is_paginated=page.has_next or page.has_previous,
                           sections_html=sections(page.object_list, timed=True))
        return context


def site_order():
    """The old home's context: every tag's section in ``site.tags`` order, and the finder."""
    order = TaggedPost.objects.home_order()
    names = [{"name": name} for _, name in order]
    return {"sections": names, "sections_html": sections(order), "finder_items": finder_items(names)}


def sections(order, timed=False):
    """The sections of the tags ``[(tag id, name)]``, in that order, from the fragment cache;
    ``timed``: each post with its time (the home page; ``/?order=site`` shows the old site's
    links alone)."""
    prefix = "tsection:" if timed else "section:"
    built = cache.fragments({f"{prefix}{pk}": f"tag:{pk}" for pk, _ in order},
                            lambda names: build_sections(names, prefix))
    return mark_safe("\n".join(built.get(f"{prefix}{pk}", "") for pk, _ in order))


def build_sections(names, prefix="section:"):
    """``{"<prefix><tag id>": html}``: the sections of those tags."""
    ids = [int(name.removeprefix(prefix)) for name in names]
    found = TaggedPost.objects.home_sections(settings.FINEWS_HOME_POSTS_PER_TAG, ids)
    timed = prefix == "tsection:"
    built = {f"{prefix}{pk}": section_html(pk, name, posts, timed) for pk, name, posts in found}
    return {**dict.fromkeys((f"{prefix}{pk}" for pk in ids), ""), **built}


def section_html(pk, name, posts, timed=False):
    """One source's section (escaped here: see ``link_items``); ``data-tag`` is for 关注
    (static/js/follow.js)."""
    title = html.escape(name)
    return (f'<section class="tag-section" data-tag="{pk}">\n  <h2 id="{title}">{title}</h2>\n'
            f'  <ul>\n{link_items(posts, timed)}\n  </ul>\n'
            f'  <p class="more"><a href="{html.escape(wall.tag_path(name))}">更多{title}…</a></p>\n</section>')


def link_items(posts, timed=False):
    """``<li><a href=URL>TITLE</a></li>`` lines (``timed``: the time first), both values escaped.

    The old home holds ~10,000 links at 2,000 sources; joining them here with the standard
    library's escape is several times cheaper than a template loop or format_html per link.
    """
    if timed:
        year = timezone.localtime(timezone.now(), SITE_TZ).year
        return "\n".join(
            f'<li><time datetime="{timezone.localtime(at, SITE_TZ).isoformat()}">{wall.when(at, year)}</time> '
            f'<a href="{html.escape(url)}">{html.escape(title)}</a></li>' for title, url, at in posts)
    return "\n".join(f'<li><a href="{html.escape(url)}">{html.escape(title)}</a></li>' for title, url, _ in posts)


def finder_items(sections):
    """The source finder's list: one link per section, in pinyin order, each carrying its pinyin
    (full and initials) for static/js/finder.js to match what the reader types. Fragments are
    written as text, not %-escaped (browsers escape them; a third of the bytes at 2,000 sources)."""
    keyed = sorted(((pinyin_keys(section["name"]), section) for section in sections), key=lambda pair: pair[0])
    return mark_safe("\n".join(
        f'<li data-pinyin="{html.escape(full)} {html.escape(initials)}">'
        f'<a href="#{html.escape(section["name"])}">{html.escape(section["name"])}</a></li>'
        for (full, initials), section in keyed))


def section(request, pk):
    """``/live/section/<tag id>/``: one source's section alone, for the reader's 关注 block."""
    tag_id = live.id_or_404(pk, "来源")
    cache.depends_on(f"tag:{tag_id}")
    found = sections([(tag_id, "")], timed=True)
    if not found:
        raise Http404("没有这个来源")
    return HttpResponse(found, content_type="text/html; charset=utf-8")
