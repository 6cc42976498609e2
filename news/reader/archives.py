"""Day and month archives in Beijing time: ``/<YYYY>/<MM>/<DD>/`` (every post of the day, newest
first, paged) and ``/<YYYY>/<MM>/`` (the month's days with their post counts). Post URLs always
end in ``.html``, so these paths never shadow one."""
import calendar
import datetime

from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.views.generic import dates

from news import cache
from news.jekyll.dates import EARLIEST, LATEST, SITE_TZ
from news.models import Post
from news.reader import stories, wall
from news.reader.views import PagedListingMixin


def day_url(day):
    return reverse("news:day", kwargs={"year": f"{day.year:04d}", "month": f"{day.month:02d}", "day": f"{day.day:02d}"})


def month_url(day):
    return reverse("news:month", kwargs={"year": f"{day.year:04d}", "month": f"{day.month:02d}"})


def _start(day):
    return datetime.datetime.combine(day, datetime.time(), SITE_TZ)


def _span(first, last):
    """``published_at`` bounds of the Beijing days ``first`` to ``last``."""
    return {"published_at__gte": _start(first), "published_at__lt": _start(last + datetime.timedelta(days=1))}


def _neighbours(first, last):
    """The nearest Beijing day before ``first`` and after ``last`` that has posts (or None): one
    index seek each."""
    moments = Post.objects.published().values_list("published_at", flat=True)
    before = moments.filter(published_at__lt=_start(first)).order_by("-published_at").first()
    bounds = _span(first, last)
    after = moments.filter(published_at__gte=bounds["published_at__lt"]).order_by("published_at").first()
    return [moment.astimezone(SITE_TZ).date() if moment else None for moment in (before, after)]


def _month_span(date):
    """The first and last day of ``date``'s month, the last no later than a post's day can be."""
    last = date.replace(day=calendar.monthrange(date.year, date.month)[1])
    return date.replace(day=1), min(last, LATEST.date() - datetime.timedelta(days=1))


def _date_or_404(year, month, day=1):
    """The date, when it is one posts can have (the parser's bounds keep a day from either end of
    the calendar, where time-zone arithmetic overflows)."""
    try:
        date = datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise Http404("没有这一天") from None
    if not EARLIEST.date() < date < LATEST.date():
        raise Http404("没有这一天")
    return date


class ArchiveMixin:
    """What finews's archives change in Django's date-based views: Beijing days (the site's
    ``TIME_ZONE``) in ``/YYYY/MM/DD/`` paths, dates outside what a post can have are 404 before
    any arithmetic on them, and the previous and next links go to the nearest day or month that
    has posts (one index seek each) rather than to the next one on the calendar."""

    date_field = "published_at"
    month_format = "%m"
    allow_empty = True  # an empty day is a page (with links to the nearest days), not an error

    def get(self, request, *args, **kwargs):
        _date_or_404(kwargs["year"], kwargs["month"], kwargs.get("day", 1))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Post.objects.published()

    def _nearest(self, first, last):
        if not hasattr(self, "_neighbours"):
            self._neighbours = _neighbours(first, last)
        return self._neighbours


class DayArchiveView(ArchiveMixin, PagedListingMixin, dates.DayArchiveView):
    template_name = "news/day.html"
    context_object_name = "posts"
    filterset = None  # the day is the filter

    def get_dated_items(self):
        date_list, posts, extra = super().get_dated_items()
        cache.depends_on(f"day:{extra['day'].isoformat()}", "days")  # "days": the nearest-day links
        posts = stories.first_reports(posts)  # a story once: its first report of the day (posts is the day)
        return date_list, posts.newest_first().only("title", "url_path", "published_at", "important"), extra

    def get_previous_day(self, date):
        return self._nearest(date, date)[0]

    def get_next_day(self, date):
        return self._nearest(date, date)[1]

    def get_previous_month(self, date):
        return None  # a day's page links to its own month; Django's guess overflows at year 1

    get_next_month = get_previous_month

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        day = context["day"]
        items = stories.with_reports(wall.from_posts(context["posts"]))
        context.update(month_url=month_url(day), items_html=wall.grouped_html(items),
                       previous_day_url=context["previous_day"] and day_url(context["previous_day"]),
                       next_day_url=context["next_day"] and day_url(context["next_day"]))
        return context


class MonthArchiveView(ArchiveMixin, dates.MonthArchiveView):
    template_name = "news/month.html"

    def get_dated_items(self):
        date_list, posts, extra = super().get_dated_items()
        cache.depends_on(f"month:{extra['month']:%Y-%m}", "days")
        return date_list, posts, extra

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        """The month's days that have posts, and their counts, from one pass over the month's
        index range (a filtered count per day) instead of ``dates()`` and a count per day."""
        first, last = _month_span(_date_or_404(self.get_year(), self.get_month()))
        days = [first + datetime.timedelta(days=n) for n in range(last.day)]
        counts = queryset.aggregate(**{f"d{day.day}": Count("pk", filter=Q(**_span(day, day))) for day in days})
        self.counts = [(day, counts[f"d{day.day}"], day_url(day)) for day in days if counts[f"d{day.day}"]]
        return [day for day, _, _ in self.counts]

    def _get_next_month(self, date):
        if date.year == LATEST.year and date.month == 12:  # Django's next month would be year 10000
            return LATEST.date()
        return super()._get_next_month(date)

    def get_previous_month(self, date):
        return self._nearest(*_month_span(date))[0]

    def get_next_month(self, date):
        return self._nearest(*_month_span(date))[1]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(days=self.counts,
                       previous_month_url=context["previous_month"] and month_url(context["previous_month"]),
                       next_month_url=context["next_month"] and month_url(context["next_month"]))
        return context
