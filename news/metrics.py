"""``/metrics``: Prometheus's text format, for a scraper on the box or one holding the token.

A request straight from loopback (no ``X-Forwarded-For``: nginx sets it on everything it
passes on) is answered; any other needs ``Authorization: Bearer <FINEWS_METRICS_TOKEN>`` — without
a token set or sent it is not found (404), with a wrong one refused (403). Under gunicorn the
series are summed over the workers and every other finews process sharing their folder
(prometheus-client's multiprocess mode, finews/metricfiles.py). Besides news/meters.py's counters and django-prometheus's request
metrics, two gauges are read when scraped: jobs waiting in the queue and silent sources.
"""
import os
import secrets

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from news.admin.desk import quiet_sources

LOOPBACK = {"127.0.0.1", "::1"}


class Gauges:
    """Gauges read from the database when scraped (the same in every process)."""

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.ready().count()
        yield GaugeMetricFamily("finews_jobs_waiting", "Background jobs waiting for a worker", value=waiting)
        yield GaugeMetricFamily("finews_sources_silent", "Sources quiet for much longer than they usually are (the desk's list)",
                                value=len(quiet_sources(timezone.now())))


def _allowed(request):
    token = settings.FINEWS_METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    if sent:
        if not token or not secrets.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            raise PermissionError
        return True
    return request.META.get("REMOTE_ADDR") in LOOPBACK and "X-Forwarded-For" not in request.headers


@never_cache
def metrics(request):
    try:
        if not _allowed(request):
            raise Http404("没有这个页面")
    except PermissionError:
        return HttpResponseForbidden("令牌不对", content_type="text/plain; charset=utf-8")
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = _Merged(REGISTRY)
    registry.register(Gauges())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class _Merged(CollectorRegistry):
    """This process's registry plus the gauges (without registering them there for good)."""

    def __init__(self, base):
        super().__init__()
        self.base = base

    def collect(self):
        yield from self.base.collect()
        yield from super().collect()
