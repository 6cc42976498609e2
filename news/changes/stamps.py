"""Which page-cache stamps (news/cache/) a change to posts touches: the post's article and its
neighbours' (their prev/next links), its categories', tags', securities' and channels' listings,
its day and month, the site-wide listings (docs/architecture.md has the table)."""
import datetime

from django.utils import timezone

from news.jekyll.dates import SITE_TZ
from news.models import Post, PostCategory, PostChannel, PostSecurity, TaggedPost

NEIGHBOUR_RANGE = 2000  # more posts than this between a change's dates: every article is stale


def day_stamps(moments):
    names = set()
    for moment in moments:
        day = timezone.localtime(moment, SITE_TZ).date()
        names |= {f"day:{day.isoformat()}", f"month:{day:%Y-%m}"}
    return names


def days_changed(moments, ids):
    """Whether a day these posts are (or were) on may have gained its first or lost its last
    visible post (which changes every day page's nearest-day links). A day is looked at only
    while it holds no more visible posts than were changed: one short index range a day."""
    ids = set(ids)
    for day in sorted({timezone.localtime(moment, SITE_TZ).date() for moment in moments}):
        start = datetime.datetime.combine(day, datetime.time(), SITE_TZ)
        seen = Post.objects.published().filter(
            published_at__gte=start, published_at__lt=start + datetime.timedelta(days=1)
        ).values_list("pk", flat=True)[: len(ids) + 1]
        if set(seen) <= ids:
            return True
    return False


def neighbours(ranges):
    """Stamps of the articles whose prev/next links may change when posts at these times change,
    per category (``{category_id: [moments]}``): those between the earliest and latest of them,
    and the nearest on each side; every article when that range is crowded."""
    ids, crowded = PostCategory.objects.around(
        {category: (min(moments), max(moments)) for category, moments in ranges.items()}, NEIGHBOUR_RANGE)
    return {f"post:{pk}" for pk in ids} | ({"articles"} if crowded else set())


def post_stamps(ids, earlier=()):
    """Stamps touched by a change to the posts ``ids`` (as they are now) that were at the times
    ``earlier`` before it."""
    ids = list(ids)
    if not ids:
        return set()
    moments = list(Post.objects.filter(pk__in=ids).values_list("published_at", flat=True)) + list(earlier)
    names = {"site", *(f"post:{pk}" for pk in ids)} | day_stamps(moments)
    by_category = {}
    for category_id, moment in PostCategory.objects.filter(post_id__in=ids).values_list("category_id", "published_at"):
        by_category.setdefault(category_id, []).append(moment)
    names |= {f"cat:{category_id}" for category_id in by_category}
    names |= neighbours({category_id: found + list(earlier) for category_id, found in by_category.items()})
    names |= {f"tag:{pk}" for pk in TaggedPost.objects.filter(content_object_id__in=ids)
              .values_list("tag_id", flat=True).distinct()}
    names |= stock_stamps(PostSecurity.objects.filter(post_id__in=ids).values_list("security_id", flat=True).distinct())
    names |= channel_stamps(ids)
    if moments and days_changed(moments, ids):
        names.add("days")
    return names


def stock_stamps(security_ids):
    return {f"stock:{pk}" for pk in security_ids}


def channel_stamps(post_ids=None, channel_ids=None):
    """The channels' lists these posts are in (or these channels' lists)."""
    if channel_ids is None:
        channel_ids = PostChannel.objects.filter(post_id__in=list(post_ids)).values_list("channel_id", flat=True).distinct()
    return {f"channel:{pk}" for pk in channel_ids}


def report_stamps(ids):
    """Stamps of pages that show the posts ``ids`` as another post's story reports: their articles
    (which list their story's reports), their days, tags and stocks (lists show a story's count)."""
    ids = list(ids)
    if not ids:
        return set()
    names = {"site", *(f"post:{pk}" for pk in ids)}
    names |= day_stamps(Post.objects.filter(pk__in=ids).values_list("published_at", flat=True))
    names |= stock_stamps(PostSecurity.objects.filter(post_id__in=ids).values_list("security_id", flat=True).distinct())
    names |= channel_stamps(ids)
    return names | {f"tag:{pk}" for pk in TaggedPost.objects.filter(content_object_id__in=ids)
                    .values_list("tag_id", flat=True).distinct()}
