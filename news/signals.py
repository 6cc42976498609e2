"""Receivers that tell the page cache about changes made outside ``Post.save()``: deleted posts
(one by one or a whole queryset), and saved or deleted categories, tags, aliases and redirects;
and take deleted posts out of the search index."""
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag

from . import cache, search
from .models import Category, CategoryAlias, LegacyURL, Post

SHOWN_TO_READERS = {Post, Category, CategoryAlias, Tag, LegacyURL}


@receiver(post_delete)
def forget_deleted(sender, **kwargs):
    if sender in SHOWN_TO_READERS:
        cache.content_changed()


@receiver(post_save)
def forget_saved(sender, **kwargs):
    if sender in SHOWN_TO_READERS - {Post}:  # Post.save() says so itself, only when it wrote
        cache.content_changed()


@receiver(post_delete, sender=Post)
def unindex_deleted(sender, instance, **kwargs):
    search.remove_posts([instance.pk])
