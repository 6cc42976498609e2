"""The news data model: sources (categories), posts, their ordered categories and tags.

``Post.save()`` and the methods beside it are the single-post half of the one write path (the
bulk half is in ``querysets.py``): whoever changes a post — the importer, the admin, a test
factory — gets the same derived URL and source path, rendered and sanitised body, link sort keys,
legacy addresses and cache invalidation. This module is longer than most because those rules
belong with the fields they keep in step.
"""
import hashlib
import secrets

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from .jekyll import urls
from .jekyll.dates import SITE_TZ
from .jekyll.post import render_body
from .querysets import LinkQuerySet, PostQuerySet, TagLinkQuerySet
from .signals import posts_changed


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
            posts_changed.send(sender=Post, ids=post_ids)  # their links now point at target
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
    source_path = models.CharField(
        "来源文件", max_length=500, unique=True, editable=False,
        help_text="导入时的相对路径，是文章的身份",
    )
    content_hash = models.CharField("内容哈希", max_length=64, blank=True, editable=False)
    extra = models.JSONField("其他 front matter", default=dict, blank=True)
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
        ``post_save`` receiver's (news/changes.py), the same step every bulk writer ends in."""
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
        posts_changed.send(sender=Post, ids=[self.pk])
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
    source_path = models.CharField(max_length=500, default=None)

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


class LegacyURLQuerySet(models.QuerySet):
    def point(self, paths, post):
        """Make each old address in ``paths`` answer with ``post``."""
        paths = [p for p in paths if p and p != post.url_path]
        if not paths:
            return
        self.filter(path__in=paths).delete()
        self.bulk_create([self.model(path=path, post=post) for path in paths])


class LegacyURL(models.Model):
    """An address the old site used for a post that finews serves elsewhere: answered with a 301."""

    path = models.CharField("旧地址", max_length=1000, unique=True)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="legacy_urls",
                             verbose_name="文章")

    objects = LegacyURLQuerySet.as_manager()

    class Meta:
        verbose_name = "旧地址重定向"
        verbose_name_plural = "旧地址重定向"

    def __str__(self):
        return f"{self.path} → {self.post.url_path}"


class ImportRun(models.Model):
    """One run of the importer (command line or admin): who, when, from what, and the counts.

    Created when the run starts and kept up to date batch by batch, so a run that dies leaves its
    record and the counts committed so far."""

    class Origin(models.TextChoices):
        COMMAND = "command", "命令行"
        ADMIN = "admin", "管理后台"
        API = "api", "接口"

    class State(models.TextChoices):
        RUNNING = "running", "进行中"
        FINISHED = "finished", "已完成"
        FAILED = "failed", "出错中止"
        INTERRUPTED = "interrupted", "被中断"

    started_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.RUNNING)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        verbose_name="操作人",
    )
    origin = models.CharField("来源", max_length=10, choices=Origin.choices)
    source = models.TextField("导入内容")
    dry_run = models.BooleanField("试运行", default=False)
    created = models.PositiveIntegerField("新建", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    failed = models.PositiveIntegerField("失败", default=0)
    kept = models.PositiveIntegerField("保留编辑修改", default=0)
    skipped = models.PositiveIntegerField("跳过", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    total = models.PositiveIntegerField("文件总数", null=True, blank=True, help_text="待处理的文件数，用于显示进度")

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-started_at"]

    def __str__(self):
        started = timezone.localtime(self.started_at, SITE_TZ)
        return f"{self.get_origin_display()} {started:%Y-%m-%d %H:%M}"


class SourceCount(models.Model):
    """Published posts per category, counted by the database itself: triggers on the link table
    (news/counting.py, migration 0008) add and subtract as links are written, whoever writes
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


class IngestToken(models.Model):
    """A scraper's key to ``POST /api/posts/`` (news/api.py). Only a hash of the key is stored;
    the key itself is shown once, by ``manage.py ingest_token NAME``."""

    name = models.CharField("名称", max_length=100, unique=True)
    prefix = models.CharField("开头", max_length=12, editable=False, help_text="用来认出是哪把钥匙")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    review = models.BooleanField(
        "先送审核", default=False, help_text="勾选后，这个令牌新建的文章先是“待审核”，由审核或管理员发布")

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    @staticmethod
    def digest(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, name):
        """A new token named ``name``: ``(token, key)``; the key is not kept."""
        key = "fin_" + secrets.token_urlsafe(32)
        return cls.objects.create(name=name, prefix=key[:10], key_hash=cls.digest(key)), key

    @classmethod
    def holder(cls, key):
        """The live token whose key is ``key``, or None."""
        return cls.objects.filter(key_hash=cls.digest(key), revoked_at__isnull=True).first()


class Revision(models.Model):
    """What readers saw of a post after one write, and who made it (news/revisions.py). Kept by
    post id, so a deleted post's history stays."""

    post_id = models.BigIntegerField("文章编号")
    created_at = models.DateTimeField("时间", default=timezone.now)
    action = models.CharField("操作", max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             verbose_name="编辑")
    token = models.ForeignKey("IngestToken", null=True, blank=True, on_delete=models.SET_NULL,
                              verbose_name="接口令牌")
    run = models.ForeignKey("ImportRun", null=True, blank=True, on_delete=models.SET_NULL, verbose_name="导入记录")
    data = models.JSONField("内容", default=dict)

    class Meta:
        verbose_name = "修订"
        verbose_name_plural = "修订"
        ordering = ["-pk"]
        indexes = [models.Index(fields=["post_id", "-id"], name="revision_post")]

    def __str__(self):
        return f"#{self.pk} {self.action}"

    @property
    def who(self):
        if self.user_id:
            return self.user.get_username()
        if self.token_id:
            return f"接口令牌 {self.token.name}"
        if self.run_id:
            return f"导入 #{self.run_id}"
        return "系统"


class Tombstone(models.Model):
    """A deleted post's source path: a later import or scraper re-send does not bring it back
    (``import_posts --force`` does; deleting the tombstone releases it)."""

    source_path = models.CharField("来源文件", max_length=500, unique=True)
    post_id = models.BigIntegerField("原文章编号", null=True, blank=True)
    url_path = models.CharField("网址路径", max_length=1000, blank=True)
    title = models.CharField("标题", max_length=500, blank=True)
    deleted_at = models.DateTimeField("删除时间", default=timezone.now)

    class Meta:
        verbose_name = "已删除文章"
        verbose_name_plural = "已删除文章"
        ordering = ["-deleted_at"]

    def __str__(self):
        return self.title or self.source_path


from .exporting.models import ExportChunk, SiteExport  # noqa: E402, F401 (beside the export code)
from .jobs import WorkerLease  # noqa: E402, F401 (beside the worker's lease code)
from .staging import StagedChunk, StagedUpload  # noqa: E402, F401 (defined beside the import screen)
