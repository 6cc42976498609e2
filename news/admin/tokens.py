"""The admin's list of ingestion API tokens."""
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils import timezone

from news.models import IngestToken


@admin.register(IngestToken)
class IngestTokenAdmin(admin.ModelAdmin):
    """Scrapers' keys to the ingestion API: listed and revoked here, created by
    ``manage.py ingest_token NAME`` (the key is shown once, there)."""

    list_display = ["name", "prefix", "review", "created_at", "last_used_at", "revoked_at"]
    list_editable = ["review"]
    readonly_fields = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="撤销所选令牌", permissions=["change"])
    def revoke(self, request, queryset):
        live = list(queryset.filter(revoked_at__isnull=True))
        queryset.filter(pk__in=[token.pk for token in live]).update(revoked_at=timezone.now())
        for token in live:
            LogEntry.objects.log_actions(request.user.pk, [token], CHANGE, change_message="撤销令牌")
        self.message_user(request, f"已撤销 {len(live)} 个令牌。", messages.SUCCESS)
