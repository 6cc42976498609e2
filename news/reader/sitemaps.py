"""Sitemaps for search engines: every published post, one section page per Beijing-time day;
every category page; and the other listings (home, directories, month and day archives). The
search page is left out (and says ``noindex``).

At a million posts Django's default paging of one big post list costs a ``COUNT(*)`` for the
index and an ``OFFSET`` scan for every deep page. Here the index needs two index seeks (the first
and last day) and one for the last change; each page reads one day's posts by index range.
"""
import datetime

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import Max
from django.urls import reverse
from django.utils.functional import cached_property

from news import cache
from news.jekyll.dates import SITE_TZ
from news.models import Category, Channel, Post
from news.origin import CanonicalRequest

# The sitemap protocol's limit of URLs per file. A day with more posts lists its newest 50,000.
MAX_URLS = 50_000


class DayPaginator(Paginator):
    """Pages are days, newest first: page 1 is the newest day with posts, page N the day N - 1
    days before it. A day without posts is an empty (valid) page; nothing is ever counted."""

    def __init__(self, posts):
        super().__init__(posts, MAX_URLS)

    @cached_property
    def days(self):
        """(first, last) day, each one index seek (one MIN and one MAX together would make SQLite
        scan every row)."""
        cache.depends_on("days")  # which day is page N
        dates = self.object_list.values_list("published_at", flat=True)
        last = dates.order_by("-published_at").first()
        if last is None:
            return None
        return dates.order_by("published_at").first().astimezone(SITE_TZ).date(), last.astimezone(SITE_TZ).date()

    @cached_property
    def num_pages(self):
        return (self.days[1] - self.days[0]).days + 1 if self.days else 1  # an empty first page

    def page(self, number):
        number = self.validate_number(number)
        if not self.days:
            return self._get_page([], number, self)
        day = self.days[1] - datetime.timedelta(days=number - 1)
        cache.depends_on(f"day:{day.isoformat()}")
        start = datetime.datetime.combine(day, datetime.time(), SITE_TZ)
        posts = self.object_list.filter(published_at__gte=start, published_at__lt=start + datetime.timedelta(days=1))
        return self._get_page(posts[:MAX_URLS], number, self)


class PostSitemap(Sitemap):
    changefreq = "never"

    def items(self):
        return Post.objects.published().newest_first().only("url_path", "updated_at")

    @cached_property
    def paginator(self):
        return DayPaginator(self.items())

    def location(self, post):
        return post.url_path

    def lastmod(self, post):
        return post.updated_at

    def get_latest_lastmod(self):
        """For the index: the last change to any post, one seek along its index (Django's
        default loads every post; with the reader filter SQLite sorts every published post). A
        draft's edit may move it on, which only asks crawlers to look again."""
        return Post.objects.aggregate(latest=Max("updated_at"))["latest"]


class PageSitemap(Sitemap):
    """The listings that are not one source's: home, rolling news, the directories, the channels, and every
    month and day archive from the first post to the last (two index seeks; a day without posts
    is a valid, empty page)."""

    changefreq = "hourly"
    limit = MAX_URLS

    def items(self):
        from news.reader.archives import day_url, month_url

        pages = [reverse(name) for name in ("news:home", "news:emnews", "news:sources", "news:tags", "news:channels")]
        pages += [channel.get_absolute_url() for channel in Channel.objects.only("slug")]
        span = DayPaginator(Post.objects.published()).days
        if span:
            first, last = span
            days = [last - datetime.timedelta(days=n) for n in range((last - first).days + 1)]
            pages += list(dict.fromkeys(month_url(day) for day in days)) + [day_url(day) for day in days]
        return pages

    def location(self, item):
        return item


class CategorySitemap(Sitemap):
    changefreq = "hourly"
    limit = 5000

    def items(self):
        return Category.objects.order_by("key").only("key")


SITEMAPS = {"posts": PostSitemap, "categories": CategorySitemap, "pages": PageSitemap}


def index(request, **kwargs):
    """Django's sitemap index, its URLs from the configured origin; it changes with any post."""
    cache.depends_on("site")
    return sitemap_views.index(CanonicalRequest(request), sitemaps=SITEMAPS, **kwargs)


def section(request, section, **kwargs):
    """One sitemap file: a day of posts changes with that day, the others with any post."""
    if section != "posts":
        cache.depends_on("site")
    return sitemap_views.sitemap(CanonicalRequest(request), sitemaps=SITEMAPS, section=section, **kwargs)
