"""An export the admin asked for (导出为 Jekyll): the selection, the job's progress, and the zip it
made, kept in the database in 4 MB chunks for a day so that whichever app server answers the
download can stream it."""
import uuid

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from news.models.staging import CHUNK_BYTES, KEPT_FOR  # kept like an upload: same chunks, same day


class SiteExport(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导出中"
        DONE = "done", "已完成"
        FAILED = "failed", "出错"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name="导出人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    post_ids = models.JSONField("所选文章", default=list)
    total = models.PositiveIntegerField("文章数", default=0)
    done = models.PositiveIntegerField("已导出", default=0)
    size = models.PositiveBigIntegerField("压缩包大小", default=0)
    message = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "Jekyll 导出"

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}（{self.get_state_display()}）"

    @property
    def busy(self):
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def filename(self):
        return f"finews-jekyll-{timezone.localtime(self.created_at):%Y%m%d-%H%M%S}.zip"

    @classmethod
    def start(cls, user, post_ids):
        """A new export of ``post_ids``; exports older than a day go (with their zips)."""
        cls.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
        return cls.objects.create(user=user, post_ids=list(post_ids), total=len(post_ids))

    def store(self, file):
        """Keep the finished zip (a binary file object) in chunks and mark the export done."""
        with transaction.atomic():
            self.chunks.all().delete()
            size = 0
            for seq, data in enumerate(iter(lambda: file.read(CHUNK_BYTES), b"")):
                ExportChunk.objects.create(export=self, seq=seq, data=data)
                size += len(data)
            self.size, self.state = size, self.State.DONE
            self.save(update_fields=["size", "state"])

    def stream(self):
        """The zip's bytes, a chunk at a time (one chunk in memory)."""
        ids = list(self.chunks.order_by("seq").values_list("pk", flat=True))
        for pk in ids:
            yield bytes(ExportChunk.objects.values_list("data", flat=True).get(pk=pk))


class ExportChunk(models.Model):
    export = models.ForeignKey(SiteExport, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["export", "seq"], name="export_chunk_order")]

    def __str__(self):
        return f"{self.export_id} #{self.seq}"
