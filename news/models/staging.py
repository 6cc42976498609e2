"""Uploads waiting in the database between the admin's import steps (upload → check → confirm →
import). In the database rather than on one server's disk, so the confirmation, the worker that
runs the job and the page that shows its progress may each be handled by any app server.

Files are kept as chunks of 4 MB (a 200 MB zip never sits whole in memory) and written back to a
private temporary folder for the importer, which reads files and zips from disk.
"""
import os
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

CHUNK_BYTES = 4 * 1024 * 1024
KEPT_FOR = timedelta(days=1)


class StagedUpload(models.Model):
    class State(models.TextChoices):
        CHECKING = "checking", "试运行中"
        CHECKED = "checked", "待确认"
        REFUSED = "refused", "已拒绝"
        IMPORTING = "importing", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "出错"
        CANCELLED = "cancelled", "已取消"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name="上传人")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.CHECKING)
    names = models.JSONField("文件", default=list)
    # Per-file outcomes of the dry run and of the import ({label, outcome, reason, warnings, url, post_id}).
    check_report = models.JSONField(default=list, blank=True)
    report = models.JSONField(default=list, blank=True)
    message = models.TextField("说明", blank=True)
    run = models.ForeignKey("news.ImportRun", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+", verbose_name="导入记录")
    # The background job (django-tasks-db's result id) doing the current step: its page tells a
    # job that is queued or running from one whose worker died (news/ingest/jobs.py).
    job = models.UUIDField("后台任务", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "待导入的上传"

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}（{self.get_state_display()}）"

    @property
    def busy(self):
        return self.state in (self.State.CHECKING, self.State.IMPORTING)

    def move(self, from_states, to_state, **fields):
        """Change state only if it is still one of ``from_states`` (a compare-and-set: of two
        quick POSTs, one wins); returns whether this call moved it."""
        moved = StagedUpload.objects.filter(pk=self.pk, state__in=from_states).update(state=to_state, **fields)
        if moved:
            self.state = to_state
            for name, value in fields.items():
                setattr(self, name, value)
        return bool(moved)

    @property
    def has_files(self):
        return self.chunks.exists()

    @classmethod
    def stage(cls, files, user):
        """Store uploaded files (Django ``UploadedFile``s) chunk by chunk; returns the upload."""
        cls.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
        with transaction.atomic():
            upload = cls.objects.create(user=user, names=[
                {"name": Path(f.name).name or f"upload-{index}", "size": f.size} for index, f in enumerate(files)])
            for index, uploaded in enumerate(files):
                for seq, data in enumerate(uploaded.chunks(CHUNK_BYTES)):
                    StagedChunk.objects.create(upload=upload, file_index=index, seq=seq, data=data)
        return upload

    def write_files(self, folder):
        """Write the staged files into ``folder`` (0600 each, under their upload names); returns
        their paths, in upload order."""
        paths = []
        for index, entry in enumerate(self.names):
            target = Path(folder) / f"{index:03d}" / entry["name"]
            target.parent.mkdir(mode=0o700)
            with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
                for chunk in self.chunks.filter(file_index=index).order_by("seq").values_list("data", flat=True).iterator():
                    handle.write(chunk)
            paths.append(target)
        return paths

    def forget_files(self):
        self.chunks.all().delete()


class StagedChunk(models.Model):
    upload = models.ForeignKey(StagedUpload, on_delete=models.CASCADE, related_name="chunks")
    file_index = models.PositiveIntegerField()
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["upload", "file_index", "seq"], name="staged_chunk_order")]

    def __str__(self):
        return f"{self.upload_id} #{self.file_index}.{self.seq}"
