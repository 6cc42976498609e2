"""Day and month archives in Beijing time: ``/<YYYY>/<MM>/<DD>/`` (every post of the day, newest
first, paged) and ``/<YYYY>/<MM>/`` (the month's days with their post counts). Post URLs always
end in ``.html``, so these paths never shadow one."""
import calendar
import datetime

from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.views.generic import ListView, TemplateView

from news import cache
from news.jekyll.dates import EARLIEST, LATEST, SITE_TZ
from news.models import Post
from news.reader import wall
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


class DayArchiveView(PagedListingMixin, ListView):
    template_name = "news/day.html"
    context_object_name = "posts"
    filterset = None  # the day is the filter

    def get(self, request, *args, **kwargs):
        self.day = _date_or_404(kwargs["year"], kwargs["month"], kwargs["day"])
        cache.depends_on(f"day:{self.day.isoformat()}", "days")  # "days": the nearest-day links
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (Post.objects.published().filter(**_span(self.day, self.day)).newest_first()
                .only("title", "url_path", "published_at", "important"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        before, after = _neighbours(self.day, self.day)
        context.update(day=self.day, month_url=month_url(self.day),
                       items_html=wall.grouped_html(wall.from_posts(context["posts"])),
                       previous_day=before and (before, day_url(before)), next_day=after and (after, day_url(after)))
        return context


class MonthArchiveView(TemplateView):
    template_name = "news/month.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first = _date_or_404(kwargs["year"], kwargs["month"])
        cache.depends_on(f"month:{first:%Y-%m}", "days")
        last = min(first.replace(day=calendar.monthrange(first.year, first.month)[1]),
                   LATEST.date() - datetime.timedelta(days=1))
        days = [first + datetime.timedelta(days=n) for n in range(last.day)]
        # One pass over the month's index range: a filtered count per day.
        counts = Post.objects.published().filter(**_span(first, last)).aggregate(**{
            f"d{day.day}": Count("pk", filter=Q(**_span(day, day))) for day in days})
        before, after = _neighbours(first, last)
        context.update(
            month=first,
            days=[(day, counts[f"d{day.day}"], day_url(day)) for day in days if counts[f"d{day.day}"]],
            previous_month=before and (before, month_url(before)), next_month=after and (after, month_url(after)))
        return context
