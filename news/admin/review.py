"""Who may make a post visible to readers: only a holder of ``publish_post`` (审核), whichever way
the post would become visible — its status set to 已发布, a scheduled time moved into the past, an
old revision restored, or a hidden post handed back to a source whose next re-send would show it."""
import datetime

from django.utils import timezone

from news.models import Post

REFUSED = "这样会让读者看到这篇文章，需要审核权限（审核或管理员）"


def visible(status, published_at, now):
    return status == Post.Status.PUBLISHED and published_at <= now


def would_publish(post, status, published_at, now=None):
    """Whether giving ``post`` this status and time shows readers a post they cannot see now."""
    now = now or timezone.now()
    return visible(status, published_at, now) and not (post.pk and post.is_visible)


def restoring_publishes(post, data):
    """Whether restoring the revision ``data`` (news/changes/revisions.py) would show ``post`` now or
    later: making an unpublished post 已发布 with a future time schedules it, which the form leaves to
    审核 as well."""
    if "status" not in data or "published_at" not in data:
        return False
    if data["status"] == Post.Status.PUBLISHED and post.status != Post.Status.PUBLISHED:
        return True
    return would_publish(post, data["status"], datetime.datetime.fromisoformat(data["published_at"]))


def may_publish(user):
    return user.has_perm("news.publish_post")
