"""The admin's import screen: upload posts or a zip, a dry run, confirm, the import.

The web request only stages the upload in the database (news/models/staging.py) and enqueues a job
(news/ingest/tasks.py); a worker (``manage.py db_worker``) does the dry run and, once the editor
confirms, the import. The upload's page (``import/<id>/``) shows where it is — queued, checking,
importing with a progress bar of files done out of the total — and then the per-file report,
refreshing itself while a job runs. Any app server can serve any step.
"""
from collections import Counter

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from news.ingest import jobs
from news.ingest.parse import OUTCOME_LABELS
from news.ingest.tasks import check_upload, import_upload, start_step
from news.models.staging import StagedUpload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".md,.markdown,.html,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(label="文章文件或 zip 压缩包", help_text="可多选：.md 文章文件，或整个 Jekyll 站点的 .zip")

    def clean_files(self):
        files = self.cleaned_data["files"]
        total = sum(f.size for f in files)
        limit = settings.FINEWS_UPLOAD_MAX_BYTES
        if total > limit:
            raise forms.ValidationError(f"上传共 {total} 字节，超过上限 {limit} 字节。")
        return files


State = StagedUpload.State
CANCELLABLE = (State.CHECKING, State.CHECKED, State.IMPORTING)
STUCK = ("lost", "finished", "failed", "missing")  # a busy upload whose job will not move it on


PROBLEMS_FIRST = {"failed": 0, "kept": 1, "skipped": 2}  # then the rest, in the order they came


def report_context(rows, problems_only=False):
    """The report's rows, what went wrong first (all of it, or only that), and the counts."""
    counts = Counter(row["outcome"] for row in rows)
    ordered = sorted(rows, key=lambda row: PROBLEMS_FIRST.get(row["outcome"], 3))
    if problems_only:
        ordered = [row for row in ordered if row["outcome"] in PROBLEMS_FIRST]
    return {"rows": [{**row, "outcome_label": OUTCOME_LABELS.get(row["outcome"], row["outcome"])} for row in ordered],
            "counts": {outcome: counts.get(outcome, 0) for outcome in OUTCOME_LABELS},
            "problems": sum(counts.get(outcome, 0) for outcome in PROBLEMS_FIRST), "problems_only": problems_only}


def progress_of(upload):
    """``(done, total)`` of a running import, from its ImportRun (counts committed per batch)."""
    run = upload.run
    if run is None or not run.total:
        return None
    run.refresh_from_db(fields=["created", "updated", "unchanged", "failed", "skipped", "total"])
    done = run.created + run.updated + run.unchanged + run.failed + run.skipped
    return min(done, run.total), run.total


class ImportViewMixin:
    """Adds ``<admin>/news/post/import/`` (and each upload's page) to the post admin."""

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="news_post_import"),
            path("import/<uuid:upload_id>/", self.admin_site.admin_view(self.upload_view),
                 name="news_post_import_status"),
            *super().get_urls(),
        ]

    def has_import_permission(self, request):
        """Importing creates and overwrites posts: it takes both add and change permission."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def _context(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "导入文章",
                "max_bytes": settings.FINEWS_UPLOAD_MAX_BYTES}

    def import_view(self, request):
        context = self._context(request)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = StagedUpload.stage(form.cleaned_data["files"], request.user)
            start_step(upload, check_upload, [State.CHECKING], State.CHECKING)
            return redirect(reverse("admin:news_post_import_status", args=[upload.pk]))
        context["form"] = form
        return TemplateResponse(request, "admin/news/post/import.html", context)

    def upload_view(self, request, upload_id):
        context = self._context(request)
        upload = StagedUpload.objects.filter(pk=upload_id, user=request.user).select_related("run").first()
        if upload is None:
            messages.error(request, "这次上传已经过期或不存在，请重新上传。")
            return redirect(reverse("admin:news_post_import"))
        if request.method == "POST":
            self._act(request, upload, request.POST.get("action", "confirm"))
            return redirect(reverse("admin:news_post_import_status", args=[upload.pk]))
        job = jobs.job_state(upload.job) if upload.busy else None
        done = upload.state == StagedUpload.State.DONE
        context.update(upload=upload, progress=progress_of(upload) if upload.busy else None, job=job,
                       can_retry=self._can_retry(upload, job), can_cancel=upload.state in CANCELLABLE,
                       **report_context(upload.report if done else upload.check_report,
                                        problems_only=request.GET.get("show") == "problems"))
        status = 400 if upload.state == StagedUpload.State.REFUSED else 200
        return TemplateResponse(request, "admin/news/post/import.html", context, status=status)

    @staticmethod
    def _can_retry(upload, job):
        if upload.busy:
            return job in STUCK and (job != "missing" or upload.job is not None)
        return upload.state in (State.FAILED, State.CANCELLED) and upload.has_files

    def _act(self, request, upload, action):
        """Confirm, retry or cancel: each a compare-and-set on the upload's state (and job), so
        two quick POSTs (a double click, two tabs) queue one job."""
        if action == "confirm":
            start_step(upload, import_upload, [State.CHECKED], State.IMPORTING)
        elif action == "cancel":
            if upload.move(CANCELLABLE, State.CANCELLED, message="已由编辑取消；已写入的文章保留。"):
                messages.success(request, "已取消。正在进行的导入会在当前这批文件写完后停下。")
        elif action == "retry":
            job = jobs.job_state(upload.job) if upload.busy else None
            if not self._can_retry(upload, job):
                return
            # A stuck import runs again (it was confirmed); anything else starts over with the dry
            # run, so nothing is imported that the editor has not confirmed.
            step, state = (import_upload, State.IMPORTING) if upload.state == State.IMPORTING else (
                check_upload, State.CHECKING)
            if start_step(upload, step, [upload.state], state, job=upload.job):
                messages.success(request, "已重新排队。")
