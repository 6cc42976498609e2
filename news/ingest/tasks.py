"""Background jobs (Django's tasks API; the worker is ``manage.py db_worker``): the admin's
import, checked first (a dry run), then run for real, on files staged in the database
(news/models/staging.py). The web process only stages the upload and enqueues; it never parses or forks.
The worker parses in spawned processes like ``import_posts`` (it is not a web process)."""
import logging
import tempfile
import time
import uuid

from django.conf import settings
from django.db import transaction
from django_tasks import task

from news.exporting.site import ZipSink, export, os_reason, select_posts
from news.ingest.find import collect_uploads
from news.ingest.importer import ImportBusy, Importer
from news.ingest.record import Interrupted
from news.models import ImportRun
from news.models.exporting import SiteExport
from news.models.staging import StagedUpload

log = logging.getLogger("news.ingest.tasks")
REPORT_LIMIT = 20_000  # outcomes kept for the report page


def outcome_rows(outcomes):
    return [{"label": item.label, "outcome": item.outcome, "reason": item.reason, "warnings": item.warnings,
             "url": item.url, "post_id": item.post_id} for item in outcomes[:REPORT_LIMIT]]


def start_step(upload, step, from_states, to_state, *, job=None):
    """Move ``upload`` from one of ``from_states`` to ``to_state`` and queue ``step`` (a task) for
    it, both or neither: the job's row and the compare-and-set commit together, so of two quick
    POSTs one queues a job, and a job only acts while the upload names it (``upload.job``).
    ``job``, when given, must still be the upload's job (a retry of a job seen stuck)."""
    with transaction.atomic():
        result = step.enqueue(str(upload.pk))
        claim = StagedUpload.objects.filter(pk=upload.pk, state__in=from_states)
        if job is not None:
            claim = claim.filter(job=job)
        if not claim.update(state=to_state, job=result.id, message=""):
            transaction.set_rollback(True)  # the job's row goes with it
            return False
    upload.state, upload.job, upload.message = to_state, uuid.UUID(str(result.id)), ""
    return True


def _mine(context, upload, state):
    """Whether this job is the one the upload names, and the upload is where the job expects it."""
    return upload.state == state and str(upload.job) == str(uuid.UUID(str(context.task_result.id)))


@task(takes_context=True)
def check_upload(context, upload_id):
    """The dry run: refuse hostile archives whole, else report what each file would become."""
    upload = StagedUpload.objects.get(pk=upload_id)
    if not _mine(context, upload, StagedUpload.State.CHECKING):  # cancelled, or replaced by a retry
        return
    with tempfile.TemporaryDirectory(prefix="finews-import-") as folder:
        paths = upload.write_files(folder)
        importer = Importer(dry_run=True, user=upload.user, origin=ImportRun.Origin.ADMIN,
                            workers=Importer.default_workers())
        found = collect_uploads(paths, importer.max_zip_bytes)
        found.close()
        if found.hostile:
            upload.move([StagedUpload.State.CHECKING], StagedUpload.State.REFUSED, message="压缩包被拒绝，没有导入任何内容。",
                        check_report=[{"label": e.label, "outcome": "failed", "reason": e.problem}
                                      for e in found.entries if e.problem])
            upload.forget_files()
            return
        try:
            report = importer.import_uploads(paths)
        except Exception as exc:
            return _failed(upload, exc)
    upload.move([StagedUpload.State.CHECKING], StagedUpload.State.CHECKED, check_report=outcome_rows(report.outcomes))


@task(takes_context=True)
def import_upload(context, upload_id):
    """The import itself, waiting for the site-wide import lock if another import holds it. Run
    again after its worker died, it imports the same files again: what the first run wrote comes
    out 未变, the rest is written, and the upload's page follows the new run."""
    upload = StagedUpload.objects.get(pk=upload_id)
    if not _mine(context, upload, StagedUpload.State.IMPORTING):  # cancelled, done, or replaced
        return

    def started(run):
        upload.run = run
        StagedUpload.objects.filter(pk=upload.pk).update(run=run)

    with tempfile.TemporaryDirectory(prefix="finews-import-") as folder:
        paths = upload.write_files(folder)
        importer = Importer(user=upload.user, origin=ImportRun.Origin.ADMIN, on_run=started,
                            lock_wait=settings.FINEWS_IMPORT_JOB_LOCK_WAIT, workers=Importer.default_workers())
        importer.progress = CancelWatch(upload, importer, upload.job)
        try:
            report = importer.import_uploads(paths)
        except Interrupted:  # the editor cancelled it: the batches written so far stay
            return
        except ImportBusy as exc:  # nothing written: the editor may confirm again later
            upload.move([StagedUpload.State.IMPORTING], StagedUpload.State.CHECKED,
                        message=f"{exc}上传的文件会保留一天，可以稍后再确认。")
            return
        except Exception as exc:
            return _failed(upload, exc)
    if upload.move([StagedUpload.State.IMPORTING], StagedUpload.State.DONE, report=outcome_rows(report.outcomes)):
        upload.forget_files()


class CancelWatch:
    """Progress hook of an upload's import: every second or so it looks whether the upload is
    still this job's (the editor cancelled it, or cancelled and retried it), and if not asks the
    importer to stop at the next batch boundary."""

    def __init__(self, upload, importer, job):
        self.upload, self.importer, self.job, self.next_look = upload, importer, job, 0.0

    def reset(self, total):
        pass

    def update(self, count):
        now = time.monotonic()
        if now >= self.next_look:
            self.next_look = now + 1.0
            if not StagedUpload.objects.filter(pk=self.upload.pk, state=StagedUpload.State.IMPORTING,
                                               job=self.job).exists():
                self.importer.stop_requested = "已取消"

    def close(self):
        pass


class ExportProgress:
    """What ``export`` tells a progress bar, written to the export's row for its page."""

    def __init__(self, site_export):
        self.site_export = site_export

    def reset(self, total):
        SiteExport.objects.filter(pk=self.site_export.pk).update(total=total, done=0, state=SiteExport.State.RUNNING)

    def update(self, count):
        self.site_export.done += count
        SiteExport.objects.filter(pk=self.site_export.pk).update(done=self.site_export.done)


@task()
def export_site(export_id):
    """The admin's 导出为 Jekyll: the selected posts as a zip, kept for the editor to download."""
    site_export = SiteExport.objects.get(pk=export_id)
    try:
        with tempfile.TemporaryFile(prefix="finews-export-") as file:
            report = export(select_posts(post_ids=site_export.post_ids), ZipSink(file), ExportProgress(site_export))
            file.seek(0)
            site_export.message = "；".join(report.problems[:20])
            site_export.save(update_fields=["message"])
            site_export.store(file)
    except Exception as exc:
        log.exception("export %s failed", export_id)
        reason = os_reason(exc) if isinstance(exc, OSError) else exc
        site_export.state, site_export.message = SiteExport.State.FAILED, f"导出出错：{reason}"
        site_export.save(update_fields=["state", "message"])


def _failed(upload, exc):
    log.exception("staged import %s failed", upload.pk)
    upload.move([StagedUpload.State.CHECKING, StagedUpload.State.IMPORTING], StagedUpload.State.FAILED,
                message=f"导入出错：{exc}")
