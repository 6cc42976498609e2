"""Receivers that keep derived state in step with changes made outside ``Post.save()``."""
from django.db.models.signals import post_delete
from django.dispatch import receiver

from . import cache
from .models import Post


@receiver(post_delete, sender=Post)
def forget_deleted_article(sender, instance, **kwargs):
    """A deleted post (one by one or a whole queryset) leaves no cached page behind."""
    cache.forget_articles([instance.url_path])
