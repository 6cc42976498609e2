"""The admin's securities: the ones a post names, on its page (they follow its text, and the editor's
choices: a security added to the post or taken off it, kept at every later write), and the
securities themselves — their names, and the posts naming each on the site."""
from django.contrib import admin
from django.utils.html import format_html, format_html_join

from news.admin.forms import LinkInline
from news.models import PostSecurity, Security, SecurityChoice


class SecurityChoiceInline(LinkInline):
    """The editor's word on a post's securities: add one its text does not name, or take off one it
    does (each a revision; the post is held, and the choice outlives later writes of its text)."""

    model = SecurityChoice
    related_field = "security"
    fields = ["security", "wanted"]
    autocomplete_fields = ["security"]
    ordering = ["pk"]
    verbose_name = "编辑指定的证券"
    verbose_name_plural = "编辑指定的证券（加入正文没有提到的，或移除识别错的；此后导入和修改正文都不会改回）"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class Labelled(formset):
            def _construct_form(self, i, **kwargs):
                form = super()._construct_form(i, **kwargs)
                form.fields["wanted"].widget.attrs["aria-label"] = f"第 {i + 1} 行：加入或移除"
                return form

        return Labelled


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
