"""The admin's import screen: upload posts or a zip, see a dry run, confirm, see the result.

Uploads are staged on disk (Django streams large uploads to temporary files; zips are read from
there entry by entry), so nothing is held whole in memory. The same Importer as ``import_posts``
does the work, first with ``dry_run=True``, then for real on the same staged files.
"""
import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .importer import ImportBusy, Importer
from .importing.find import collect_uploads
from .models import ImportRun

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


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


STAGED_FOR_SECONDS = 24 * 3600


def staging_root():
    """The staging folder, readable only by the app's user (uploads are unpublished content)."""
    root = Path(settings.FINEWS_IMPORT_STAGING_DIR or Path(tempfile.gettempdir()) / "finews-import")
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    if root.stat().st_uid == os.getuid():
        root.chmod(0o700)
    return root


def forget_old_uploads(root):
    """Dry runs nobody confirmed: their staged files go after a day."""
    limit = time.time() - STAGED_FOR_SECONDS
    for folder in root.iterdir():
        if TOKEN_RE.match(folder.name) and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)


def stage_uploads(files, user):
    """Copy uploads chunk by chunk into a fresh folder; returns its token."""
    forget_old_uploads(staging_root())
    token = uuid.uuid4().hex
    folder = staging_root() / token
    folder.mkdir(mode=0o700)
    (folder / ".owner").write_text(str(user.pk))
    for index, upload in enumerate(files):
        name = Path(upload.name).name or f"upload-{index}"
        target = folder / f"{index:03d}" / name
        target.parent.mkdir(mode=0o700)
        with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
    return token


def staged_files(token, user):
    if not TOKEN_RE.match(token or ""):
        return None
    folder = staging_root() / token
    owner = folder / ".owner"
    if not owner.exists() or owner.read_text() != str(user.pk):
        return None
    return folder, sorted(p for p in folder.glob("*/*") if p.is_file())


def hostile_entries(paths, max_zip_bytes):
    """The entries of an upload that make it refused whole (hostile zip entries, zip bombs)."""
    found = collect_uploads(paths, max_zip_bytes)
    found.close()
    return [entry for entry in found.entries if entry.problem] if found.hostile else []


class ImportViewMixin:
    """Adds ``<admin>/news/post/import/`` to the post admin."""

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="news_post_import"),
            *super().get_urls(),
        ]

    def has_import_permission(self, request):
        """Importing creates and overwrites posts: it takes both add and change permission."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导入文章",
            "max_bytes": settings.FINEWS_UPLOAD_MAX_BYTES,
        }
        if request.method == "POST" and request.POST.get("token"):
            return self._confirm(request, context)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            token = stage_uploads(form.cleaned_data["files"], request.user)
            folder, paths = staged_files(token, request.user)
            importer = Importer(dry_run=True, user=request.user, origin=ImportRun.Origin.ADMIN)
            refused = hostile_entries(paths, importer.max_zip_bytes)
            if refused:
                shutil.rmtree(folder, ignore_errors=True)
                context.update(form=UploadForm(), refused=refused)
                return TemplateResponse(request, "admin/news/post/import.html", context, status=400)
            report = importer.import_uploads(paths)
            context.update(report=report, token=token, step="dry-run")
            return TemplateResponse(request, "admin/news/post/import.html", context)
        context["form"] = form
        return TemplateResponse(request, "admin/news/post/import.html", context)

    def _confirm(self, request, context):
        staged = staged_files(request.POST["token"], request.user)
        if staged is None:
            messages.error(request, "这次上传已经过期或不存在，请重新上传。")
            return redirect(reverse("admin:news_post_import"))
        folder, paths = staged
        try:
            report = Importer(user=request.user, origin=ImportRun.Origin.ADMIN).import_uploads(paths)
        except ImportBusy as exc:
            messages.error(request, f"{exc} 上传的文件会保留一天，可以稍后再确认。")
            context.update(report=None, token=request.POST["token"], step="busy")
            return TemplateResponse(request, "admin/news/post/import.html", context, status=409)
        shutil.rmtree(folder, ignore_errors=True)
        context.update(report=report, step="done")
        return TemplateResponse(request, "admin/news/post/import.html", context)
