"""The admin's 导出为 Jekyll: an action on the selected posts that enqueues the export as a job
(news/ingest/tasks.py ``export_site``); the export's page (``export/<id>/``) shows its progress, refreshing
itself, then a link to download the zip — from whichever app server answers."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from news.ingest.tasks import export_site
from news.models.exporting import KEPT_FOR, SiteExport


class ExportViewMixin:
    """Adds the 导出为 Jekyll action and each export's page and download to the post admin."""

    def get_urls(self):
        return [
            path("export/<uuid:export_id>/", self.admin_site.admin_view(self.export_view),
                 name="news_post_export"),
            path("export/<uuid:export_id>/download/", self.admin_site.admin_view(self.export_download),
                 name="news_post_export_download"),
            *super().get_urls(),
        ]

    @admin.action(description="导出为 Jekyll（压缩包）", permissions=["change"])
    def export_jekyll(self, request, queryset):
        ids = list(queryset.order_by().values_list("pk", flat=True))
        site_export = SiteExport.start(request.user, ids)
        export_site.enqueue(str(site_export.pk))
        self.message_user(request, f"正在后台导出 {len(ids)} 篇文章，完成后可在本页下载压缩包。", messages.INFO)
        return redirect(reverse("admin:news_post_export", args=[site_export.pk]))

    def _own_export(self, request, export_id):
        # Exports include drafts: they are for those who may change posts, each for its maker.
        if not self.has_change_permission(request):
            raise PermissionDenied
        return SiteExport.objects.filter(pk=export_id, user=request.user, created_at__gte=timezone.now() - KEPT_FOR).first()

    def export_view(self, request, export_id):
        site_export = self._own_export(request, export_id)
        if site_export is None:
            messages.error(request, "这个导出已经过期或不存在，请重新选择文章导出。")
            return redirect(reverse("admin:news_post_changelist"))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "导出为 Jekyll",
                   "export": site_export}
        return TemplateResponse(request, "admin/news/post/export.html", context)

    def export_download(self, request, export_id):
        site_export = self._own_export(request, export_id)
        if site_export is None or site_export.state != SiteExport.State.DONE:
            messages.error(request, "压缩包还没有准备好，或已经过期。")
            return redirect(reverse("admin:news_post_changelist"))
        response = StreamingHttpResponse(site_export.stream(), content_type="application/zip")
        response["Content-Length"] = str(site_export.size)
        response["Content-Disposition"] = f'attachment; filename="{site_export.filename}"'
        return response
