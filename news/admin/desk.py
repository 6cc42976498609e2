"""The desk (``/admin/desk/``): what came in and from whom, which sources went quiet, what failed,
what is waiting. Read-only; for every editor (``news.view_post``). The rules are news/desk/."""
import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import TruncHour
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_tasks_db.models import DBTaskResult

from news import desk
from news.jekyll.dates import SITE_TZ
from news.models import Category, ImportRun, Post, PostCategory, WorkerLease

FAILURES_SHOWN = 50


def quiet_sources(now):
    """The sources that went quiet by ``now``, newest silence first: each with its last post,
    its usual interval and how long it has been quiet. Two index seeks a source."""
    recent = PostCategory.objects.live(now).filter(category=OuterRef("pk")).newest_first().values("published_at")
    rows = Category.objects.annotate(
        latest=Subquery(recent[:1]), third=Subquery(recent[2:3]),
        oldest=Subquery(recent[desk.RECENT - 1:desk.RECENT])).filter(third__isnull=False)
    found = []
    for source in rows:
        earliest, posts = (source.oldest, desk.RECENT) if source.oldest else (source.third, 3)
        interval = desk.usual_interval(source.latest, earliest, posts)
        if desk.is_quiet(source.latest, interval, now):
            source.interval, source.quiet_for = desk.duration(interval), desk.duration(now - source.latest)
            source.admin_url = reverse("admin:news_post_changelist") + "?" + urlencode({"category": source.key})
            found.append(source)
    return sorted(found, key=lambda source: source.latest, reverse=True)


def hourly(links_or_posts, since, hours):
    """Posts per Beijing hour from ``since``: ``(counts, labels)`` of ``hours`` bars."""
    counted = dict(links_or_posts.filter(published_at__gte=since).annotate(hour=TruncHour("published_at", tzinfo=SITE_TZ))
                   .values("hour").annotate(n=Count("pk")).values_list("hour", "n"))
    counted = {timezone.localtime(hour, SITE_TZ): n for hour, n in counted.items()}
    bars = [since + datetime.timedelta(hours=n) for n in range(hours)]
    return [counted.get(bar, 0) for bar in bars], [f"{bar:%m-%d %H:00}" for bar in bars]


def failures(since):
    """The import runs since ``since`` that failed files: by token (the API's runs) and by file."""
    runs = list(ImportRun.objects.filter(started_at__gte=since, failed__gt=0).order_by("-started_at"))
    by_token = {}
    for run in runs:  # an API run's source names its token ("接口：<name>")
        who = run.source if run.origin == ImportRun.Origin.API else run.get_origin_display()
        by_token[who] = by_token.get(who, 0) + run.failed
    files = [{**error, "run": run} for run in runs for error in run.errors][:FAILURES_SHOWN]
    return sorted(by_token.items(), key=lambda item: -item[1]), files


def desk_view(request):
    if not request.user.has_perm("news.view_post"):
        raise PermissionDenied
    now = timezone.now()
    hour = timezone.localtime(now, SITE_TZ).replace(minute=0, second=0, microsecond=0)
    today = hour.replace(hour=0)
    week = today - datetime.timedelta(days=6)
    source = None
    posts = Post.objects.published(now)
    if request.GET.get("source"):
        source = get_object_or_404(Category, key=request.GET["source"])
        posts = PostCategory.objects.live(now).filter(category=source)
    day_counts, day_labels = hourly(posts, today, 24)
    week_counts, week_labels = hourly(posts, week, 7 * 24)
    by_token, failed_files = failures(now - datetime.timedelta(hours=24))
    lapsed = datetime.timedelta(seconds=settings.FINEWS_JOB_LEASE_SECONDS)
    leases = [(lease, now - lease.renewed_at > lapsed)
              for lease in WorkerLease.objects.order_by("-renewed_at")]
    context = {
        **admin.site.each_context(request), "title": "编辑台", "source": source,
        "day_chart": mark_safe(desk.bar_chart(day_counts, day_labels, "今天每小时的文章")),
        "week_chart": mark_safe(desk.bar_chart(week_counts, week_labels, "最近 7 天每小时的文章", 24, slice(0, 5))),
        "today_total": sum(day_counts), "week_total": sum(week_counts),
        "quiet": quiet_sources(now), "by_token": by_token, "failed_files": failed_files,
        "jobs_waiting": DBTaskResult.objects.ready().count(), "leases": leases,
        "review_waiting": Post.objects.filter(status=Post.Status.REVIEW).count(),
        "review_url": reverse("admin:news_post_changelist") + "?state=review",
    }
    return TemplateResponse(request, "admin/desk.html", context)
