"""Jobs that finish: a lease on every background worker, and what to do with a job whose worker died.

django-tasks' database backend marks a job RUNNING when a worker claims it and never looks at it
again: a worker killed mid-job (``kill -9``, a lost machine) leaves it RUNNING for good. Here each
worker (``manage.py db_worker``, news/management/commands/db_worker.py) holds a lease, a row it
renews every third of ``FINEWS_JOB_LEASE_SECONDS`` from a thread of its own. Any worker, every
few seconds, puts back in the queue each RUNNING job whose worker's lease has lapsed; the jobs
are idempotent (an import skips what it already wrote), so the rerun completes the work.
"""
import datetime
import logging
import threading

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from news.models import WorkerLease

log = logging.getLogger("news.ingest.jobs")


def lease_length():
    return datetime.timedelta(seconds=settings.FINEWS_JOB_LEASE_SECONDS)


def renew(worker_id):
    WorkerLease.objects.update_or_create(worker_id=worker_id, defaults={"renewed_at": timezone.now()})


def release(worker_id):
    WorkerLease.objects.filter(worker_id=worker_id).delete()


def live_workers():
    return set(WorkerLease.objects.filter(renewed_at__gte=timezone.now() - lease_length())
               .values_list("worker_id", flat=True))


def holder(job):
    """The worker that claimed ``job`` last (a rerun appends its worker to the list)."""
    return job.worker_ids[-1] if job.worker_ids else None


def requeue_orphans():
    """Put back in the queue every RUNNING job whose worker holds no live lease; returns their
    ids. Each is a compare-and-set on the claim, so two workers recovering at once re-queue it once."""
    alive = live_workers()
    requeued = [job.id for job in _running() if holder(job) not in alive and requeue(job)]
    WorkerLease.objects.filter(renewed_at__lt=timezone.now() - 10 * lease_length()).delete()
    return requeued


def requeue_held_by(worker_id):
    """A live worker's jobs that it no longer runs (it lost the database while finishing one and
    could not record how it ended): back in the queue."""
    return [job.id for job in _running() if holder(job) == worker_id and requeue(job)]


def _running():
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
        "id", "worker_ids", "task_path", "started_at")


def requeue(job):
    """Back to READY if still held by the same claim (a compare-and-set on status and start)."""
    done = DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING, started_at=job.started_at
                                       ).update(status=TaskResultStatus.READY, started_at=None)
    if done:
        log.warning("任务 %s（%s）的进程 %s 已经停止，任务重新排队", job.id, job.task_path, holder(job))
    return bool(done)


def job_state(job_id):
    """What became of a job, for the pages that started it: ``queued``, ``running`` (by a live
    worker), ``lost`` (its worker died; a live worker will re-queue it), ``finished``, ``failed``
    or ``missing``."""
    job = DBTaskResult.objects.filter(pk=job_id).only("status", "worker_ids").first() if job_id else None
    if job is None:
        return "missing"
    if job.status == TaskResultStatus.READY:
        return "queued"
    if job.status == TaskResultStatus.RUNNING:
        return "running" if holder(job) in live_workers() else "lost"
    return "finished" if job.status == TaskResultStatus.SUCCESSFUL else "failed"


class Heartbeat(threading.Thread):
    """Renews a worker's lease until stopped, and re-queues what dead workers left. A renewal
    that fails (the database away, a long write holding SQLite) is tried again at the next beat;
    the lease is long enough for several."""

    def __init__(self, worker_id):
        super().__init__(name=f"lease-{worker_id[:8]}", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self):
        beat = settings.FINEWS_JOB_LEASE_SECONDS / 3
        try:
            while not self.stopped.wait(beat):  # the worker took its first lease itself
                try:
                    renew(self.worker_id)
                    requeue_orphans()
                except Exception as exc:  # the database away, locked, or worse: beat again
                    log.warning("无法续租后台任务进程 %s：%s", self.worker_id, exc)
                    connection.close()
        finally:
            connection.close()

    def stop(self):
        self.stopped.set()
        self.join()
