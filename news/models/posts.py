"""Posts and their ordered links to categories and tags.

``Post.save()`` and the methods beside it are the single-post half of the one write path (the
bulk half is in ``querysets.py`` and ``linksets.py``): whoever changes a post — the importer, the admin, a test
factory — gets the same derived URL and source path, rendered and sanitised body, link sort keys,
legacy addresses and cache invalidation. A post and its link rows are one aggregate (a link copies
the post's sort keys on every insert), so they share this module, longer than most for it.
"""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from news.jekyll import urls
from news.jekyll.dates import SITE_TZ
from news.jekyll.post import render_body
from news.models.fields import BytewiseCharField, TextJSONEncoder
from news.models.linksets import LinkQuerySet, TagLinkQuerySet
from news.models.querysets import PostQuerySet
from news.models.taxonomy import Category
from news.signals import posts_changed


class Post(models.Model):
    """A news post. Its write path lives here with its fields (hence the length): derived fields,
    what a save writes, and what it keeps in step elsewhere."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "已发布"
        DRAFT = "draft", "草稿"
        REVIEW = "review", "待审核"

    title = models.CharField("标题", max_length=500, blank=True)
    slug = models.CharField("网址名（slug）", max_length=300, help_text="来自文件名（或 front matter 的 slug）")
    published_at = models.DateTimeField("发布时间", db_index=False)
    url_path = models.CharField(
        "网址路径", max_length=1000, unique=True, editable=False,
        help_text="Jekyll 生成的地址，导入时计算并固定",
    )
    categories = models.ManyToManyField(
        Category, through="PostCategory", related_name="posts", verbose_name="分类"
    )
    tags = TaggableManager("标签", through="TaggedPost", blank=True)
    summary = models.TextField("摘要", blank=True)
    body_markdown = models.TextField("正文（Markdown）", blank=True)
    body_html = models.TextField("正文（已净化 HTML）", blank=True, editable=False)
    source_url = models.URLField("原文链接", max_length=1000, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PUBLISHED
    )
    important = models.BooleanField(
        "重要", default=False, help_text="标为重要的消息在首页和滚动新闻中加红显示，并出现在“只看重要”中")
    token = models.ForeignKey(
        "IngestToken", null=True, blank=True, on_delete=models.SET_NULL, editable=False, related_name="posts",
        verbose_name="创建它的接口令牌", help_text="只有这个令牌能通过接口更新它")
    held_at = models.DateTimeField(
        "编辑修改于", null=True, blank=True, editable=False,
        help_text="编辑改过的文章不再被抓取或导入覆盖，直到交还来源")
    source_path = BytewiseCharField(
        "来源文件", max_length=500, unique=True, editable=False,
        help_text="导入时的相对路径，是文章的身份",
    )
    content_hash = models.CharField("内容哈希", max_length=64, blank=True, editable=False)
    extra = models.JSONField("其他 front matter", default=dict, blank=True, encoder=TextJSONEncoder)
    imported_at = models.DateTimeField("导入时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = "文章"
        verbose_name_plural = "文章"
        ordering = ["-published_at", "-source_path"]
        permissions = [("publish_post", "可以发布文章（审核）")]
        indexes = [
            models.Index(
                fields=["status", "-published_at", "-source_path"], name="post_status_date"
            ),
            models.Index(fields=["-published_at", "-source_path"], name="post_date"),
            # Narrow copy of what the admin searches: a substring search scans this, not the
            # table's wide rows (bodies make each row kilobytes long on SQLite).
            models.Index(fields=["title", "source_url"], name="post_search"),
            # The sitemap index's last change: one seek instead of a scan of every post.
            models.Index(fields=["-updated_at"], name="post_updated"),
            # What editors paste into the admin search: the original article URL, the file's id.
            models.Index(fields=["source_url"], name="post_source_url"),
            models.Index(fields=["slug"], name="post_slug"),
            # 只看重要: the few important posts, newest first, whatever the size of the site.
            models.Index(fields=["-published_at", "-source_path"], name="post_important",
                         condition=models.Q(important=True)),
        ]

    def __str__(self):
        return self.title or self.slug

    def get_absolute_url(self):
        return self.url_path

    # --- state -------------------------------------------------------------------------------
    @classmethod
    def from_db(cls, db, field_names, values):
        post = super().from_db(db, field_names, values)
        post._remember()
        return post

    def _remember(self):
        self._loaded = {
            f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields
            if f.attname in self.__dict__
        }

    def changed_fields(self):
        """Names of the fields assigned since the post was loaded (or saved): those whose values
        differ from what was read, and those that were not read (deferred) but are set now."""
        loaded = getattr(self, "_loaded", {})
        return [f.attname for f in self._meta.concrete_fields if f.attname in self.__dict__
                and (f.attname not in loaded or self.__dict__[f.attname] != loaded[f.attname])]

    @property
    def is_visible(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    @property
    def status_label(self):
        return "已排期" if self.is_scheduled else self.get_status_display()

    def link_keys(self):
        """The copy of this post's sort keys that its category and tag links carry."""
        return {"published_at": self.published_at,
                "is_published": self.status == self.Status.PUBLISHED,
                "source_path": self.source_path}

    def ordered_categories(self):
        return [link.category for link in self.category_links.select_related("category")]

    # --- derived fields ----------------------------------------------------------------------
    @property
    def local_day(self):
        return timezone.localtime(self.published_at, SITE_TZ).date()

    def compute_url_path(self, category_keys=None, slug=None):
        """The Jekyll permalink for this post's own fields."""
        if category_keys is None:
            category_keys = [c.key for c in self.ordered_categories()] if self.pk else []
        return urls.post_url(category_keys, self.local_day, slug or self.slug)

    def free_url(self, category_keys=None):
        """``(slug, url)``: the computed URL, or, when another post holds it, the first free one
        with ``-2``, ``-3``… added to the slug."""
        slug, number = self.slug, 1
        while True:
            url = self.compute_url_path(category_keys, slug)
            if not Post.objects.filter(url_path=url).exclude(pk=self.pk).exists():
                return slug, url
            number += 1
            slug = f"{self.slug}-{number}"

    def default_source_path(self):
        return f"admin/{self.local_day.isoformat()}-{self.slug}"

    def render(self):
        """Render and sanitise the body; derive the summary and source link from it."""
        self.body_html, self.summary, self.source_url = render_body(
            self.body_markdown, self.source_path, settings.FINEWS_OLD_SITE_HOSTS)

    # --- the write path ------------------------------------------------------------------------
    def save(self, *args, **kwargs):
        """Django's save (it writes what was assigned; ``update_fields`` narrows it as usual),
        deriving the source path, the URL of a new post and the rendered body first. What
        follows a write — search index, link sort keys, legacy URLs, page cache — is the
        ``post_save`` receiver's (news/changes/), the same step every bulk writer ends in."""
        adding = self._state.adding
        if not self.source_path:
            self.source_path = self.default_source_path()
        if adding and not self.url_path:
            self.slug, self.url_path = self.free_url([])
        update_fields = kwargs.get("update_fields")
        changed = set(self.changed_fields())
        if adding or not hasattr(self, "_loaded") or {"body_markdown", "body_html", "source_path"} & changed:
            self.render()  # body_html is only ever what sanitising body_markdown gives
            if update_fields is not None:
                update_fields = {*update_fields, "body_html", "summary", "source_url"}
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        with transaction.atomic():
            super().save(*args, **kwargs)
        self._remember()

    def settle_url(self):
        """For a post made in the admin: the address by Jekyll's rule now that its categories are
        known (a taken address renames the slug). Returns the slug if it had to change."""
        slug, url = self.free_url()
        if url == self.url_path:
            return None
        renamed = slug if slug != self.slug else None
        self.slug, self.url_path = slug, url
        Post.objects.filter(pk=self.pk).update(slug=slug, url_path=url)
        posts_changed.send(sender=Post, ids=[self.pk], settled=True)  # still its creation
        self._remember()
        return renamed

    def set_categories(self, categories):
        """Replace this post's categories by ``categories``, in order; False if nothing changed."""
        current = list(self.category_links.order_by("position").values_list("category_id", flat=True))
        wanted = list(dict.fromkeys(c.pk for c in categories))
        if current == wanted:
            return False
        with transaction.atomic():
            self.category_links.all().delete()
            PostCategory.objects.bulk_create(
                [PostCategory(post=self, category_id=pk, position=i) for i, pk in enumerate(wanted)])
            posts_changed.send(sender=Post, ids=[self.pk])
        return True


LINK_KEY_FIELDS = ("published_at", "status", "source_path")  # what a link row copies


class ListingLink(models.Model):
    """What a post–category or post–tag link carries besides its two ends: its place in the post's
    list, and a copy of the post's date, status and path, so a listing is one index range scan.

    The copy is never written by hand: ``fill_sort_keys`` takes it from the post on every insert.
    """

    position = models.PositiveSmallIntegerField("顺序", default=None, blank=True)
    published_at = models.DateTimeField(default=None)
    is_published = models.BooleanField(default=None)
    source_path = BytewiseCharField(max_length=500, default=None)

    class Meta:
        abstract = True

    post_attname = "post_id"

    def linked_post(self):
        raise NotImplementedError

    @classmethod
    def fill_sort_keys(cls, links):
        """Give each unsaved link its post's sort keys and, if unset, the next free position."""
        posts, next_position = {}, {}
        need = {link.__dict__[cls.post_attname] for link in links if link.published_at is None
                or link.position is None}
        missing = need - {link.linked_post().pk for link in links if link.linked_post() is not None}
        if missing:
            posts.update(Post.objects.only(*LINK_KEY_FIELDS).in_bulk(missing))
        for link in links:
            post = link.linked_post()
            if post is None or post.pk is None:
                post = posts.get(link.__dict__[cls.post_attname])
            if post is None:
                raise ValueError("链接行需要一篇已保存的文章")
            if link.published_at is None:
                for name, value in post.link_keys().items():
                    setattr(link, name, value)
            if link.position is None:
                if post.pk not in next_position:
                    used = cls.objects.filter(**{cls.post_attname: post.pk}).aggregate(
                        top=models.Max("position"))["top"]
                    next_position[post.pk] = -1 if used is None else used
                next_position[post.pk] += 1
                link.position = next_position[post.pk]

    def save(self, *args, **kwargs):
        if self._state.adding:
            type(self).fill_sort_keys([self])
        super().save(*args, **kwargs)


class PostCategory(ListingLink):
    """A post's place in a category; positions keep the order its URL was built from."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="category_links",
                             verbose_name="文章")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="post_links",
                                 verbose_name="分类")

    objects = LinkQuerySet.as_manager()

    def linked_post(self):
        return self._state.fields_cache.get("post")

    def __str__(self):
        return f"{self.position + 1}. {self.category.key}"

    class Meta:
        verbose_name = "文章分类"
        verbose_name_plural = "文章分类"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["post", "category"], name="unique_post_category"),
        ]
        indexes = [
            models.Index(
                fields=["category", "-published_at", "-source_path", "is_published"],
                name="postcategory_listing",
            ),
        ]


class TaggedPost(ListingLink, TaggedItemBase):
    """Concrete tag link, so tag listings can use an index on (tag, date)."""

    content_object = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="tag_links", verbose_name="文章")
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="%(app_label)s_%(class)s_items", verbose_name="标签")

    objects = TagLinkQuerySet.as_manager()
    post_attname = "content_object_id"

    def linked_post(self):
        return self._state.fields_cache.get("content_object")

    def __str__(self):
        return f"{self.position + 1}. {self.tag.name}"

    @property
    def post(self):
        return self.content_object

    class Meta:
        verbose_name = "文章标签"
        verbose_name_plural = "文章标签"
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_post_tag"),
        ]
        indexes = [
            models.Index(
                fields=["tag", "-published_at", "-source_path", "is_published"],
                name="taggedpost_listing",
            ),
        ]
