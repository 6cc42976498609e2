"""What the site remembers about its writes: old addresses answered with a 301, import runs,
revisions and deleted posts' tombstones."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from news.jekyll.dates import SITE_TZ
from news.models.bulk import BulkQuerySet
from news.models.fields import BytewiseCharField, TextJSONEncoder
from news.models.posts import Post


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


class Revision(models.Model):
    """What readers saw of a post after one write, and who made it (news/changes/revisions.py). Kept by
    post id, so a deleted post's history stays."""

    post_id = models.BigIntegerField("文章编号")
    created_at = models.DateTimeField("时间", default=timezone.now)
    action = models.CharField("操作", max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             verbose_name="编辑")
    token = models.ForeignKey("IngestToken", null=True, blank=True, on_delete=models.SET_NULL,
                              verbose_name="接口令牌")
    run = models.ForeignKey("ImportRun", null=True, blank=True, on_delete=models.SET_NULL, verbose_name="导入记录")
    data = models.JSONField("内容", default=dict, encoder=TextJSONEncoder)

    objects = BulkQuerySet.as_manager()

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

    source_path = BytewiseCharField("来源文件", max_length=500, unique=True)
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
