"""The job workers' leases (news/ingest/jobs.py renews them and re-queues a dead worker's jobs)."""
from django.db import models


class WorkerLease(models.Model):
    """A live worker: it renews ``renewed_at``; a row older than the lease is a dead worker's."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField(auto_now_add=True)
    renewed_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "后台任务进程"

    def __str__(self):
        return self.worker_id
