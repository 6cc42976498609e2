"""Read-only records: old addresses, import runs and deleted posts."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from news.models import ImportRun, LegacyURL, Tombstone


@admin.register(LegacyURL)
class LegacyURLAdmin(admin.ModelAdmin):
    list_display = ["path", "post"]
    search_fields = ["=path"]
    raw_id_fields = ["post"]
    list_select_related = ["post"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "state", "origin", "user", "dry_run", "created", "updated",
                    "unchanged", "failed", "skipped", "short_source"]
    list_filter = ["state", "origin", "dry_run"]
    list_select_related = ["user"]
    readonly_fields = ["started_at", "finished_at", "state", "user", "origin", "source", "dry_run",
                       "created", "updated", "unchanged", "failed", "skipped", "error_list"]
    exclude = ["errors"]

    class Media:
        css = {"all": ["news/admin/admin.css"]}

    @admin.display(description="导入内容")
    def short_source(self, run):
        return run.source[:80]

    @admin.display(description="错误")
    def error_list(self, run):
        if not run.errors:
            return "无"
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li>{}：{}</li>", ((e["file"], e["reason"]) for e in run.errors)))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False



@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin):
    """Deleted posts: imports and the scraper do not bring them back. Deleting an entry here
    releases it (the next import of its file makes the post again)."""

    list_display = ["__str__", "source_path", "url_path", "deleted_at"]
    search_fields = ["title", "source_path", "url_path"]
    date_hierarchy = "deleted_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
