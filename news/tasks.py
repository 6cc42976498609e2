"""Background jobs (Django's tasks API; the worker is ``manage.py db_worker``): the admin's
import, checked first (a dry run), then run for real, on files staged in the database
(news/staging.py). The web process only stages the upload and enqueues; it never parses or forks.
The worker parses in spawned processes like ``import_posts`` (it is not a web process)."""
import datetime
import logging
import tempfile

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import cache as page_cache
from .exporting.models import SiteExport
from .exporting.site import ZipSink, export, select_posts
from .importer import ImportBusy, Importer
from .importing.find import collect_uploads
from .models import ImportRun
from .staging import StagedUpload

log = logging.getLogger("news.tasks")
REPORT_LIMIT = 20_000  # outcomes kept for the report page


def outcome_rows(outcomes):
    return [{"label": item.label, "outcome": item.outcome, "reason": item.reason, "warnings": item.warnings,
             "url": item.url, "post_id": item.post_id} for item in outcomes[:REPORT_LIMIT]]


@task()
def check_upload(upload_id):
    """The dry run: refuse hostile archives whole, else report what each file would become."""
    upload = StagedUpload.objects.get(pk=upload_id)
    with tempfile.TemporaryDirectory(prefix="finews-import-") as folder:
        paths = upload.write_files(folder)
        importer = Importer(dry_run=True, user=upload.user, origin=ImportRun.Origin.ADMIN,
                            workers=Importer.default_workers())
        found = collect_uploads(paths, importer.max_zip_bytes)
        found.close()
        if found.hostile:
            upload.check_report = [{"label": e.label, "outcome": "failed", "reason": e.problem}
                                   for e in found.entries if e.problem]
            upload.state, upload.message = StagedUpload.State.REFUSED, "压缩包被拒绝，没有导入任何内容。"
            upload.save(update_fields=["check_report", "state", "message"])
            upload.forget_files()
            return
        try:
            report = importer.import_uploads(paths)
        except Exception as exc:
            return _failed(upload, exc)
    upload.check_report = outcome_rows(report.outcomes)
    upload.state = StagedUpload.State.CHECKED
    upload.save(update_fields=["check_report", "state"])


@task()
def import_upload(upload_id):
    """The import itself, waiting for the site-wide import lock if another import holds it."""
    upload = StagedUpload.objects.get(pk=upload_id)

    def started(run):
        upload.run = run
        upload.save(update_fields=["run"])

    with tempfile.TemporaryDirectory(prefix="finews-import-") as folder:
        paths = upload.write_files(folder)
        importer = Importer(user=upload.user, origin=ImportRun.Origin.ADMIN, on_run=started,
                            lock_wait=settings.FINEWS_IMPORT_JOB_LOCK_WAIT, workers=Importer.default_workers())
        try:
            report = importer.import_uploads(paths)
        except ImportBusy as exc:  # nothing written: the editor may confirm again later
            upload.state, upload.message = StagedUpload.State.CHECKED, f"{exc}上传的文件会保留一天，可以稍后再确认。"
            upload.save(update_fields=["state", "message"])
            return
        except Exception as exc:
            return _failed(upload, exc)
    upload.report = outcome_rows(report.outcomes)
    upload.state = StagedUpload.State.DONE
    upload.save(update_fields=["report", "state"])
    upload.forget_files()


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
        site_export.state, site_export.message = SiteExport.State.FAILED, f"导出出错：{exc}"
        site_export.save(update_fields=["state", "message"])


@task()
def mark_everything_stale():
    """A writer could not reach the cache to mark the pages its change made stale: as soon as the
    cache answers, every cached page is marked stale (and rebuilt on its next request). Until
    then the job asks again every two seconds."""
    if page_cache.mark_stale([page_cache.EPOCH]):
        log.warning("缓存恢复：停机期间的修改已使所有缓存页面失效")
        return
    mark_everything_stale.using(run_after=timezone.now() + datetime.timedelta(seconds=2)).enqueue()


def _failed(upload, exc):
    log.exception("staged import %s failed", upload.pk)
    upload.state = StagedUpload.State.FAILED
    upload.message = f"导入出错：{exc}"
    upload.save(update_fields=["state", "message"])
