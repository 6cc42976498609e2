"""The admin's securities: the ones a post names, on its page (read-only: they follow its text), and
the securities themselves — their names, and the posts naming each on the site."""
from django.contrib import admin
from django.utils.html import format_html, format_html_join

from news.models import PostSecurity, Security


class SecuritiesMixin:
    """For PostAdmin: ``named_securities``, a read-only field."""

    @admin.display(description="提到的证券")
    def named_securities(self, post):
        links = list(PostSecurity.objects.filter(post_id=post.pk).select_related("security").order_by("position")
                     ) if post.pk else []
        if not links:
            return "（正文没有提到证券）"
        return format_html_join("、", '<a href="{}">{}（{} · {}）</a>', (
            (link.security.get_absolute_url(), link.name or link.security.name or link.security.code,
             link.security.code, link.security.get_market_display()) for link in links))


@admin.register(Security)
class SecurityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "market", "page_link"]
    list_filter = ["market"]
    search_fields = ["code", "name"]
    ordering = ["code", "market"]
    fields = ["market", "code", "name"]
    list_per_page = 100

    def get_readonly_fields(self, request, obj=None):
        return ["market", "code"] if obj else []  # a security's identity; its name is the editor's

    @admin.display(description="页面")
    def page_link(self, security):
        return format_html('<a href="{}">查看</a>', security.get_absolute_url())
