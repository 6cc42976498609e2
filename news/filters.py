"""Reader-side filters for listings (django-filter): posts of one day, in Beijing time."""
import datetime

import django_filters

from .jekyll.dates import SITE_TZ


class ListingFilter(django_filters.FilterSet):
    """Filters a category or tag listing (a queryset of link rows carrying ``published_at``)."""

    date = django_filters.DateFilter(method="on_day", label="日期")

    def on_day(self, queryset, name, value):
        start = datetime.datetime.combine(value, datetime.time(), SITE_TZ)
        return queryset.filter(
            published_at__gte=start, published_at__lt=start + datetime.timedelta(days=1))
