"""Keep cached article pages fresh when an editor saves or deletes a post."""
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Post
from .views import article_cache_key


@receiver(post_save, sender=Post)
@receiver(post_delete, sender=Post)
def forget_cached_article(sender, instance, **kwargs):
    cache.delete(article_cache_key(instance.url_path))
