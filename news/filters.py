"""Reader-side filters for listings (django-filter): posts of one day, in Beijing time."""
import datetime

import django_filters

from .jekyll.dates import SITE_TZ

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
