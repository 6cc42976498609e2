"""The news data model: sources (categories), posts, their ordered categories and tags."""
import datetime
import hashlib

from django.conf import settings
from django.db import connections, models
from django.db.models import Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from .jekyll import urls
from .jekyll.dates import SITE_TZ


def unique_slug(text, taken, max_length=100):
    """A URL-safe slug for ``text``; a short hash keeps it unique when the plain one is taken."""
    base = slugify(text, allow_unicode=True)[: max_length - 9] or "x"
    if base not in taken:
        return base
    return f"{base}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"


class Category(models.Model):
    """A news source, as the Jekyll ``categories:`` key names it (case-sensitive, e.g. ``emnews``)."""

    key = models.CharField("分类键", max_length=200, unique=True)
    name = models.CharField("显示名称", max_length=200, blank=True)
    slug = models.SlugField("slug", max_length=100, unique=True, allow_unicode=True)
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

    def save(self, *args, **kwargs):
        if not self.slug:
            taken = set(
                Category.objects.filter(slug__startswith=slugify(self.key, allow_unicode=True)[:90])
                .values_list("slug", flat=True)
            )
            self.slug = unique_slug(self.key, taken)
        super().save(*args, **kwargs)


class CategoryAlias(models.Model):
    """An old category key that now lives on as another category (after a merge)."""

    key = models.CharField("旧分类键", max_length=200, unique=True)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        verbose_name = "分类别名"
        verbose_name_plural = "分类别名"

    def __str__(self):
        return f"{self.key} → {self.category.key}"


class PostQuerySet(models.QuerySet):
    def published(self, now=None):
        """Posts a reader may see: published status and a publication time that has come."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def newest_first(self):
        # Jekyll's order: date descending, ties broken by the larger source path first.
        return self.order_by("-published_at", "-source_path")

    def in_category(self, category):
        return self.filter(category_links__category=category)

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        """Periods that hold posts, found with one index seek per period.

        Django's version truncates every row (a per-row function on SQLite: ~1 s for 100,000
        posts), and the admin's date hierarchy asks for it on every list page.
        """
        if field_name != "published_at" or kind not in ("year", "month", "day"):
            return super().datetimes(field_name, kind, order, tzinfo)
        dated = self.order_by()
        if self.query.where:
            # A filtered list (a search, say): one pass for both ends.
            bounds = dated.aggregate(first=Min("published_at"), last=Max("published_at"))
            first, last = bounds["first"], bounds["last"]
        else:
            # The whole table: two seeks on the date index.
            first = dated.order_by("published_at").values_list("published_at", flat=True).first()
            last = dated.order_by("-published_at").values_list("published_at", flat=True).first()
        if first is None:
            return []
        tz = tzinfo or timezone.get_current_timezone()
        start = _period_start(timezone.localtime(first, tz), kind)
        last_start = _period_start(timezone.localtime(last, tz), kind)
        found = [start]  # the first period holds the first post
        start = _next_period(start, kind)
        while start <= last_start:
            end = _next_period(start, kind)
            # The last period holds the last post; only those between need a look.
            if start == last_start or dated.filter(published_at__gte=start, published_at__lt=end).exists():
                found.append(start)
            start = end
        return found[::-1] if order == "DESC" else found

    def tagged(self, tag):
        return self.filter(tag_links__tag=tag)


def _period_start(moment, kind):
    moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind in ("year", "month"):
        moment = moment.replace(day=1)
    if kind == "year":
        moment = moment.replace(month=1)
    return moment


def _next_period(start, kind):
    tz = start.tzinfo
    naive = start.replace(tzinfo=None)
    if kind == "year":
        naive = naive.replace(year=naive.year + 1)
    elif kind == "month":
        naive = naive.replace(year=naive.year + naive.month // 12, month=naive.month % 12 + 1)
    else:
        naive = naive + datetime.timedelta(days=1)
    return naive.replace(tzinfo=tz)


class Post(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "已发布"
        DRAFT = "draft", "草稿"

    title = models.CharField("标题", max_length=500, blank=True)
    slug = models.CharField("slug", max_length=300, help_text="来自文件名（或 front matter 的 slug）")
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
        indexes = [
            models.Index(
                fields=["status", "-published_at", "-source_path"], name="post_status_date"
            ),
            models.Index(fields=["-published_at", "-source_path"], name="post_date"),
            # Narrow copy of what the admin searches: a substring search scans this, not the
            # table's wide rows (bodies make each row kilobytes long on SQLite).
            models.Index(fields=["title", "source_url"], name="post_search"),
        ]

    def __str__(self):
        return self.title or self.slug

    def get_absolute_url(self):
        return self.url_path

    @property
    def is_visible(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    def compute_url_path(self, categories=None):
        """The Jekyll permalink for this post's own fields (used for posts made in the admin)."""
        if categories is None:
            categories = [c.key for c in self.ordered_categories()] if self.pk else []
        day = timezone.localtime(self.published_at, SITE_TZ).date()
        return urls.post_url(categories, day, self.slug)

    def ordered_categories(self):
        return [link.category for link in self.category_links.select_related("category")]

    def save(self, *args, **kwargs):
        if not self.source_path:
            day = timezone.localtime(self.published_at, SITE_TZ).date()
            self.source_path = f"admin/{day.isoformat()}-{self.slug}"
        if not self.url_path:
            self.url_path = self.compute_url_path()
        super().save(*args, **kwargs)
        # Keep the denormalised sort keys of the link tables in step.
        sort_keys = {
            "published_at": self.published_at,
            "is_published": self.status == self.Status.PUBLISHED,
            "source_path": self.source_path,
        }
        self.category_links.update(**sort_keys)
        self.tag_links.update(**sort_keys)


class LinkQuerySet(models.QuerySet):
    """Queries on the post–category and post–tag link tables, which carry the sort keys."""

    def live(self, now=None):
        return self.filter(is_published=True, published_at__lte=now or timezone.now())

    def newest_first(self):
        return self.order_by("-published_at", "-source_path")

    def before(self, link):
        """Links older than ``link`` in listing order (the next-older post first)."""
        return self.filter(
            Q(published_at__lt=link.published_at)
            | Q(published_at=link.published_at, source_path__lt=link.source_path)
        ).newest_first()

    def after(self, link):
        """Links newer than ``link`` (the next-newer post first)."""
        return self.filter(
            Q(published_at__gt=link.published_at)
            | Q(published_at=link.published_at, source_path__gt=link.source_path)
        ).order_by("published_at", "source_path")


class TagLinkQuerySet(LinkQuerySet):
    def home_sections(self, per_tag, now=None):
        """The ``per_tag`` newest live posts of every tag, with the tags in Jekyll's ``site.tags``
        order (where each tag's oldest post stands), in one query whatever the number of tags.

        Both forms read a few index entries per tag, never the whole link table.
        Returns ``[(tag_name, [(title, url_path), ...]), ...]``.
        """
        connection = connections[self.db]
        now = connection.ops.adapt_datetimefield_value(now or timezone.now())
        link, post, tag = (m._meta.db_table for m in (self.model, Post, self.model.tag.field.related_model))
        live = "x.tag_id = t.id AND x.is_published AND x.published_at <= %s"
        if connection.vendor == "postgresql":
            # PostgreSQL's natural per-group top-N: two index-ordered LATERAL scans per tag.
            sql = f"""
                SELECT t.id, t.name, p.title, p.url_path, l.published_at, l.source_path
                FROM {tag} t
                CROSS JOIN LATERAL (
                    SELECT x.published_at, x.source_path, x.position FROM {link} x WHERE {live}
                    ORDER BY x.published_at, x.source_path LIMIT 1) f
                CROSS JOIN LATERAL (
                    SELECT x.content_object_id, x.published_at, x.source_path FROM {link} x
                    WHERE {live}
                    ORDER BY x.published_at DESC, x.source_path DESC LIMIT %s) l
                JOIN {post} p ON p.id = l.content_object_id
                ORDER BY f.published_at, f.source_path, f.position,
                         l.published_at DESC, l.source_path DESC
            """
            params = [now, now, per_tag]
        else:
            # SQLite has no LATERAL: each tag's cut-off and oldest link are index seeks in a
            # materialised CTE, and the range join reads only the rows above each cut-off.
            sql = f"""
                WITH cut AS MATERIALIZED (
                    SELECT t.id AS tag_id, t.name AS name,
                        (SELECT x.published_at FROM {link} x WHERE {live}
                         ORDER BY x.published_at DESC, x.source_path DESC LIMIT 1 OFFSET %s) AS cutoff,
                        (SELECT x.id FROM {link} x WHERE {live}
                         ORDER BY x.published_at, x.source_path LIMIT 1) AS first_id
                    FROM {tag} t
                )
                SELECT cut.tag_id, cut.name, p.title, p.url_path, l.published_at, l.source_path
                FROM cut
                JOIN {link} f ON f.id = cut.first_id
                JOIN {link} l ON l.tag_id = cut.tag_id
                JOIN {post} p ON p.id = l.content_object_id
                WHERE l.is_published AND l.published_at <= %s
                  AND l.published_at >= COALESCE(cut.cutoff, f.published_at)
                ORDER BY f.published_at, f.source_path, f.position,
                         l.published_at DESC, l.source_path DESC
            """
            params = [now, per_tag - 1, now, now]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        sections = {}
        for tag_id, name, title, url_path, _, _ in rows:
            posts = sections.setdefault(tag_id, (name, []))[1]
            if len(posts) < per_tag:  # ties at the cut-off can bring a few more
                posts.append((title, url_path))
        return list(sections.values())


class ListingLink(models.Model):
    """What a post–category or post–tag link carries besides its two ends: its place in the post's
    list, and a copy of the post's date, status and path, so a listing is one index range scan."""

    position = models.PositiveSmallIntegerField(default=0)
    published_at = models.DateTimeField()
    is_published = models.BooleanField(default=True)
    source_path = models.CharField(max_length=500)

    class Meta:
        abstract = True


class PostCategory(ListingLink):
    """A post's place in a category; positions keep the order its URL was built from."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="category_links")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="post_links")

    objects = LinkQuerySet.as_manager()

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

    content_object = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="tag_links")

    objects = TagLinkQuerySet.as_manager()

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


class LegacyURL(models.Model):
    """An address the old site used for a post that finews serves elsewhere: answered with a 301."""

    path = models.CharField("旧地址", max_length=1000, unique=True)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="legacy_urls")

    class Meta:
        verbose_name = "旧地址重定向"
        verbose_name_plural = "旧地址重定向"

    def __str__(self):
        return f"{self.path} → {self.post.url_path}"


class ImportRun(models.Model):
    """One run of the importer (command line or admin): who, when, from what, and the counts."""

    class Origin(models.TextChoices):
        COMMAND = "command", "命令行"
        ADMIN = "admin", "管理后台"

    started_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
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
    skipped = models.PositiveIntegerField("跳过", default=0)
    errors = models.JSONField("错误", default=list, blank=True)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.get_origin_display()} {self.started_at:%Y-%m-%d %H:%M}"
