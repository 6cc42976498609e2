"""Keep cached article pages fresh when an editor saves or deletes a post."""
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .importer import CREATED, UPDATED, posts_imported
from .models import Post
from .views import article_cache_key


@receiver(post_save, sender=Post)
@receiver(post_delete, sender=Post)
def forget_cached_article(sender, instance, **kwargs):
    cache.delete(article_cache_key(instance.url_path))


@receiver(posts_imported)
def forget_imported_articles(sender, report, **kwargs):
    """One cache call per import run, however many posts it changed."""
    cache.delete_many([
        article_cache_key(item.url) for item in report.outcomes
        if item.outcome in (CREATED, UPDATED) and item.url
    ])
