"""What an editor's change implies: re-rendered bodies, link sort keys, fresh caches.

Shared by the admin's edit form and its bulk actions, so both keep the same invariants as the
importer.
"""
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from .jekyll.markdown import render_markdown
from .jekyll.post import extract_source_url, extract_summary
from .models import CategoryAlias, Post, PostCategory, TaggedPost
from .sanitize import sanitize_html
from .views import article_cache_key


def render_body(post):
    """Re-render and re-sanitise the body, and what is derived from it (summary, source link)."""
    post.body_html = sanitize_html(
        render_markdown(post.body_markdown), settings.FINEWS_OLD_SITE_HOSTS)
    post.summary = extract_summary(post.body_markdown)
    post.source_url = extract_source_url(post.body_markdown)


def sync_link_keys(post_ids):
    """Copy each post's date and status onto its category and tag links (after bulk updates)."""
    for post_id, published_at, status, source_path in Post.objects.filter(
        pk__in=post_ids
    ).values_list("id", "published_at", "status", "source_path"):
        keys = {"published_at": published_at, "is_published": status == Post.Status.PUBLISHED,
                "source_path": source_path}
        PostCategory.objects.filter(post_id=post_id).update(**keys)
        TaggedPost.objects.filter(content_object_id=post_id).update(**keys)


def forget_cached_articles(posts):
    cache.delete_many([article_cache_key(url) for url in posts.values_list("url_path", flat=True)])


def set_status(posts, status):
    """Publish or unpublish posts; returns how many actually changed."""
    changing = posts.exclude(status=status)
    ids = list(changing.values_list("id", flat=True))
    with transaction.atomic():
        Post.objects.filter(pk__in=ids).update(status=status)
        PostCategory.objects.filter(post_id__in=ids).update(is_published=status == Post.Status.PUBLISHED)
        TaggedPost.objects.filter(content_object_id__in=ids).update(
            is_published=status == Post.Status.PUBLISHED)
    forget_cached_articles(Post.objects.filter(pk__in=ids))
    return len(ids)


def _link_keys(post):
    return {"published_at": post.published_at, "is_published": post.status == Post.Status.PUBLISHED,
            "source_path": post.source_path}


def move_to_category(posts, category):
    """Make ``category`` the only category of each post (its URL stays what it was)."""
    moved = 0
    with transaction.atomic():
        for post in posts:
            current = list(post.category_links.values_list("category_id", flat=True))
            if current == [category.id]:
                continue
            post.category_links.all().delete()
            PostCategory.objects.create(post=post, category=category, position=0, **_link_keys(post))
            moved += 1
    forget_cached_articles(posts)
    return moved


def add_tag(posts, tag):
    added = 0
    with transaction.atomic():
        for post in posts:
            if post.tag_links.filter(tag=tag).exists():
                continue
            position = post.tag_links.count()
            TaggedPost.objects.create(content_object=post, tag=tag, position=position, **_link_keys(post))
            added += 1
    forget_cached_articles(posts)
    return added


def remove_tag(posts, tag):
    removed, _ = TaggedPost.objects.filter(content_object__in=posts, tag=tag).delete()
    forget_cached_articles(posts)
    return removed


def merge_categories(sources, target):
    """Move every post of ``sources`` into ``target``; old category addresses keep resolving."""
    with transaction.atomic():
        merged = 0
        for source in sources:
            if source.pk == target.pk:
                continue
            already = set(PostCategory.objects.filter(category=target).values_list("post_id", flat=True))
            PostCategory.objects.filter(category=source, post_id__in=already).delete()
            PostCategory.objects.filter(category=source).update(category=target)
            CategoryAlias.objects.filter(category=source).update(category=target)
            CategoryAlias.objects.update_or_create(key=source.key, defaults={"category": target})
            source.delete()
            merged += 1
    return merged
