"""The news wall's items: one markup for every list of posts readers see (home's newest block,
``/emnews/``, categories, tags, days, search), and the top of each live list for the delta
endpoint (news/reader/live.py).

An item is ``<li data-id=ID>`` holding the time, in lists where sources mix the source's name
linked to its page, a 重要 mark and the linked title. Lists render here with the standard library's
escape (a template loop per item costs several times more on pages that hold hundreds)."""
import html
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe

from news import cache
from news.jekyll.dates import SITE_TZ
from news.models import PostCategory, PostSecurity


@dataclass(frozen=True)
class Item:
    pk: int
    title: str
    url: str
    at: object  # aware datetime
    important: bool = False
    source: tuple = None  # (name, url) where sources mix
    story: tuple = None  # (story id, [Item of other reports], reports in all) where the story has others
    added: object = None  # when the post was written (a story's reports: which ones a page lacks)
    securities: tuple = ()  # ((name, code), …): the securities it names, in its order


@lru_cache(maxsize=1)
def _category_prefix():
    return reverse("news:category", kwargs={"key": "-"}).removesuffix("-.html")


def category_path(key):
    """``/category/<key>.html`` as ``reverse()`` spells it, without resolving the URLconf per item."""
    return f"{_category_prefix()}{quote(key)}.html"


@lru_cache(maxsize=1)
def _tag_prefix():
    return reverse("news:tag", kwargs={"name": "-"}).removesuffix("-/")


def tag_path(name):
    """``/tag/<name>/``, escaped as ``reverse()`` escapes it (the same characters kept), without
    resolving the URLconf per tag (the old home page needs ~2,000 of them); tests/test_views.py
    holds the two equal over every printable character."""
    return f"{_tag_prefix()}{quote(name, safe=RFC3986_SUBDELIMS + '/~:@')}/"


def sources_of(post_ids):
    """``{post id: (name, url)}``: each post's first category (its source), in one query. A
    cached page showing them is stale when one is renamed (``catname:<id>``)."""
    found = {}
    rows = (PostCategory.objects.filter(post_id__in=list(post_ids)).order_by("post_id", "-position")
            .values_list("post_id", "category_id", "category__key", "category__name"))
    for pk, category_id, key, name in rows:  # the lowest position comes last and wins
        found[pk] = (name or key, category_path(key), category_id)
    cache.depends_on(*{f"catname:{category_id}" for _, _, category_id in found.values()})
    return {pk: (name, url) for pk, (name, url, _) in found.items()}


SHOWN_SECURITIES = 5  # an item links at most this many of the securities its post names


def securities_of(post_ids):
    """``{post id: ((name, code), …)}``: the securities each post names, in one query."""
    found = {}
    rows = (PostSecurity.objects.filter(post_id__in=list(post_ids), position__lt=SHOWN_SECURITIES)
            .order_by("post_id", "position").values_list("post_id", "name", "security__name", "security__code"))
    for pk, name, known, code in rows:
        found.setdefault(pk, []).append((name or known or code, code))
    return {pk: tuple(named) for pk, named in found.items()}


def from_posts(posts, with_source=True):
    """Items of ``Post`` objects (title, url_path, published_at, important read), with the
    securities they name."""
    posts = list(posts)
    if not posts:
        return []
    sources = sources_of(p.pk for p in posts) if with_source else {}
    named = securities_of(p.pk for p in posts)
    return [Item(p.pk, p.title, p.url_path, p.published_at, p.important, sources.get(p.pk),
                 securities=named.get(p.pk, ())) for p in posts]


def securities_html(item):
    """The securities an item's post names, as small links to their pages."""
    if not item.securities:
        return ""
    links = "".join(f'<a class="sec" href="/stock/{quote(code)}/">{html.escape(name)}</a>' for name, code in item.securities)
    return f' <span class="secs" aria-label="相关证券">{links}</span>'



def from_links(links, with_source=False):
    """Items of category or tag link rows whose post was selected with them."""
    return from_posts([link.post for link in links], with_source)


def when(moment, year=None):
    """``MM-DD HH:MM`` in Beijing time, the year added when it is not this one."""
    local = timezone.localtime(moment, SITE_TZ)
    this_year = year or timezone.localtime(timezone.now(), SITE_TZ).year
    return local.strftime("%m-%d %H:%M" if local.year == this_year else "%Y-%m-%d %H:%M")


def story_label(item):
    """``N 家来源``: the sources reporting the item's story (a source that sent it twice counts once)."""
    _, others, size = item.story
    if size > len(others) + 1:
        return f"共 {size} 篇报道"  # more than are listed: how many sources is not known here
    names = {item.source[0] if item.source else ""} | {other.source[0] if other.source else "" for other in others}
    return f"{len(names)} 家来源" if len(names) > 1 else f"同一来源 {len(others) + 1} 篇"


def story_html(item, year=None):
    """A story's other reports under its first: ``<details>`` (no script needed to open it)."""
    story, others, _ = item.story
    return mark_safe(f'<details class="story" data-story="{story}"><summary>{story_label(item)}</summary>'
                     f'<ul>{"".join(report_html(other, year) for other in others)}</ul></details>')


def report_html(item, year=None):
    """One other report of a story: its time, source and linked title."""
    source = ""
    if item.source:
        name, url = item.source
        source = f'<a class="src" href="{html.escape(url)}">{html.escape(name)}</a> '
    return (f'<li data-report="{item.pk}"><time datetime="{timezone.localtime(item.at, SITE_TZ).isoformat()}">'
            f'{when(item.at, year)}</time> {source}<a href="{html.escape(item.url)}">{html.escape(item.title)}</a></li>')


def item_html(item, new_tab=False, year=None):
    target = ' target="_blank" rel="noopener"' if new_tab else ""
    mark = '<strong class="mark">重要</strong> ' if item.important else ""
    source = ""
    if item.source:  # before the title: on a phone it shares the time's line (CSS puts it last on a desktop)
        name, url = item.source
        source = f'<a class="src" href="{html.escape(url)}">{html.escape(name)}</a> '
    flag = ' class="imp"' if item.important else ""
    return (f'<li data-id="{item.pk}"{flag}>'
            f'<time datetime="{timezone.localtime(item.at, SITE_TZ).isoformat()}">{when(item.at, year)}</time> {source}{mark}'
            f'<a href="{html.escape(item.url)}"{target}>{html.escape(item.title)}</a>{securities_html(item)}'
            f'{story_html(item, year) if item.story else ""}</li>')


def items_html(items, new_tab=False):
    year = timezone.localtime(timezone.now(), SITE_TZ).year
    return mark_safe("\n".join(item_html(item, new_tab, year) for item in items))


def same_title_groups(items):
    """Items sharing a title, together, in the order each title first appears."""
    groups = {}
    for item in items:
        groups.setdefault(item.title, []).append(item)
    return list(groups.values())


def grouped_html(items):
    """A day's items with posts that share a title shown as one item naming their sources, each
    linked to its own post (同题 N 家来源)."""
    year = timezone.localtime(timezone.now(), SITE_TZ).year
    lines = []
    for group in same_title_groups(items):
        line = item_html(group[0], year=year)
        if len(group) > 1:
            sources = "、".join(
                f'<a href="{html.escape(item.url)}">{html.escape(item.source[0] if item.source else item.title)}</a>'
                for item in group)
            line = line.removesuffix("</li>") + f' <span class="same-title">同题 {len(group)} 家来源：{sources}</span></li>'
        lines.append(line)
    return mark_safe("\n".join(lines))
