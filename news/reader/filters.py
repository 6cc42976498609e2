"""Reader-side filters for listings (django-filter): posts of one day, in Beijing time."""
import datetime

import django_filters

from news.jekyll.dates import SITE_TZ

FIRST_DAY, LAST_DAY = datetime.date(1, 1, 2), datetime.date(9999, 12, 30)


class ListingFilter(django_filters.FilterSet):
    """Filters a category or tag listing (a queryset of link rows carrying ``published_at``)."""

    date = django_filters.DateFilter(method="on_day", label="日期")

    def on_day(self, queryset, name, value):
        if not FIRST_DAY <= value <= LAST_DAY:
            return queryset.none()  # no post can be there, and the day's bounds may not exist
        start = datetime.datetime.combine(value, datetime.time(), SITE_TZ)
        return queryset.filter(
            published_at__gte=start, published_at__lt=start + datetime.timedelta(days=1))


def _day_start(day):
    return datetime.datetime.combine(day, datetime.time(), SITE_TZ)


class SearchFilter(django_filters.FilterSet):
    """The reader search's narrowing: one source, one tag, a range of Beijing days."""

    source = django_filters.CharFilter(method="by_source", label="来源", max_length=200)
    tag = django_filters.CharFilter(method="by_tag", label="标签", max_length=100)
    since = django_filters.DateFilter(method="from_day", label="从")
    until = django_filters.DateFilter(method="to_day", label="到")

    def by_source(self, queryset, name, value):
        return queryset.filter(category_links__category__key=value)

    def by_tag(self, queryset, name, value):
        return queryset.filter(tag_links__tag__name=value)

    def from_day(self, queryset, name, value):
        if value > LAST_DAY:
            return queryset.none()
        return queryset.filter(published_at__gte=_day_start(max(value, FIRST_DAY)))

    def to_day(self, queryset, name, value):
        if value < FIRST_DAY:
            return queryset.none()
        return queryset.filter(published_at__lt=_day_start(min(value, LAST_DAY) + datetime.timedelta(days=1)))
