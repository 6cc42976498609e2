"""Every cache key finews sets, and the one way to forget cached pages when posts change.

Keys are hashed (a post's path can be long and non-ASCII: memcached-safe, no CacheKeyWarning).
Forgetting happens at once and again when the transaction commits, so a reader who re-cached the
old version between the write and the commit does not keep it.
"""
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.views.decorators.cache import cache_page


def article_key(url_path):
    return "finews:article:" + hashlib.sha256(url_path.encode()).hexdigest()


def forget_articles(url_paths):
    """Drop the cached article pages at ``url_paths``, now and when the transaction commits."""
    keys = sorted({article_key(path) for path in url_paths if path})
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def forget_posts(posts):
    """Drop the cached article pages of a queryset of posts (evaluated now, forgotten on commit)."""
    forget_articles(posts.values_list("url_path", flat=True))


def get_article(url_path):
    return cache.get(article_key(url_path))


def set_article(url_path, content, seconds):
    cache.set(article_key(url_path), content, seconds)


def cached_page(view):
    """A listing, feed or sitemap view, cached whole for FINEWS_CACHE_SECONDS."""
    return cache_page(settings.FINEWS_CACHE_SECONDS)(view)
