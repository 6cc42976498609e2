"""Sources (categories), their old names, tags, and the post counts the database keeps for them
(news/changes/counting.py installs the triggers)."""
import hashlib

from django.db import models, transaction
from django.urls import reverse
from django.utils.text import slugify
from taggit.models import Tag

from news.signals import posts_changed


def unique_slug(text, taken, max_length=100):
    """A URL-safe slug for ``text``; a short hash keeps it unique when the plain one is taken."""
    base = slugify(text, allow_unicode=True)[: max_length - 9] or "x"
    if base not in taken:
        return base
    return f"{base}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def tags_named(names):
    """``{name: Tag}`` for ``names``, creating the missing ones with taggit's own slug rule."""
    found = {t.name: t for t in Tag.objects.filter(name__in=list(names))}
    missing = sorted(set(names) - set(found))
    if missing:
        wanted = {name: Tag().slugify(name) for name in missing}
        taken = set(Tag.objects.filter(slug__in=list(wanted.values())).values_list("slug", flat=True))
        created = []
        for name in missing:
            slug, number = wanted[name], 0
            while slug in taken:
                number += 1
                slug = Tag().slugify(name, number)
            taken.add(slug)
            created.append(Tag(name=name, slug=slug))
        Tag.objects.bulk_create(created)
        found.update({t.name: t for t in Tag.objects.filter(name__in=missing)})
    return found


class Category(models.Model):
    """A news source, as the Jekyll ``categories:`` key names it (case-sensitive, e.g. ``emnews``)."""

    key = models.CharField("分类键", max_length=200, unique=True)
    name = models.CharField("显示名称", max_length=200, blank=True)
    slug = models.SlugField("网址名", max_length=100, unique=True, allow_unicode=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "分类（来源）"
        verbose_name_plural = "分类（来源）"
        ordering = ["key"]

    def __str__(self):
        return f"{self.name} ({self.key})" if self.name and self.name != self.key else self.key

    @property
    def display_name(self):
        return self.name or self.key

    def get_absolute_url(self):
        return reverse("news:category", kwargs={"key": self.key})

    def feed_url(self):
        return reverse("news:category_feed", kwargs={"key": self.key})

    def save(self, *args, **kwargs):
        if not self.slug:
            taken = set(
                Category.objects.filter(slug__startswith=slugify(self.key, allow_unicode=True)[:90])
                .values_list("slug", flat=True)
            )
            self.slug = unique_slug(self.key, taken)
        super().save(*args, **kwargs)

    def merge_into(self, target):
        """Move every post of this category into ``target`` and delete it; its old addresses
        keep resolving through an alias. Returns the ids of the posts moved."""
        with transaction.atomic():
            post_ids = list(self.post_links.values_list("post_id", flat=True))
            already = set(target.post_links.filter(post_id__in=post_ids).values_list("post_id", flat=True))
            self.post_links.filter(post_id__in=already).delete()
            self.post_links.update(category=target)
            CategoryAlias.objects.filter(category=self).update(category=target)
            CategoryAlias.objects.update_or_create(key=self.key, defaults={"category": target})
            posts_changed.send(sender=self.posts.model, ids=post_ids)  # their links now point at target
            self.delete()
        return post_ids


class CategoryAlias(models.Model):
    """An old category key that now lives on as another category (after a merge)."""

    key = models.CharField("旧分类键", max_length=200, unique=True)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="aliases", verbose_name="现在的分类")

    class Meta:
        verbose_name = "分类别名"
        verbose_name_plural = "分类别名"

    def __str__(self):
        return f"{self.key} → {self.category.key}"


class SourceCount(models.Model):
    """Published posts per category, counted by the database itself: triggers on the link table
    (news/changes/counting.py, migration 0008) add and subtract as links are written, whoever writes
    them, so the directory and the admin never count a million link rows. Scheduled posts are in
    the count until subtracted at read time (``counting.source_counts``)."""

    category = models.OneToOneField(Category, primary_key=True, on_delete=models.CASCADE, related_name="count")
    posts = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.category_id}: {self.posts}"


class TagCount(models.Model):
    """Published posts per tag, kept like ``SourceCount``."""

    tag = models.OneToOneField(Tag, primary_key=True, on_delete=models.CASCADE, related_name="finews_count")
    posts = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.tag_id}: {self.posts}"
