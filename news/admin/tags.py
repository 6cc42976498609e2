"""Tags: list with counts, rename, merge — finews's own admin in place of taggit's, whose merge
view knows nothing of finews's link table (it moved none of a post's tags) and checks no
permission. A merge goes through the write path (``TaggedPost.objects.merge_tags``)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from taggit import admin as taggit_admin  # registers taggit's admin first (taggit is before news)
from taggit.models import Tag

from news.admin.forms import XMLTextForm
from news.admin.history import log_changes, revised
from news.models import Post, TagCount, TaggedPost
from news.reader.wall import tag_path

if admin.site.is_registered(Tag) and isinstance(admin.site.get_model_admin(Tag), taggit_admin.TagAdmin):
    admin.site.unregister(Tag)  # taggit's, with its merge view


class TagMergeForm(ActionForm):
    target_name = forms.CharField(label="合并到（标签名）", required=False)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = XMLTextForm
    list_display = ["name", "slug", "post_count", "public_link"]
    search_fields = ["name"]
    ordering = ["name"]
    fields = ["name", "slug"]
    action_form = TagMergeForm
    actions = ["merge"]
    show_full_result_count = False

    def get_queryset(self, request):
        counted = TagCount.objects.filter(tag=OuterRef("pk")).values("posts")[:1]
        return super().get_queryset(request).annotate(post_count=Coalesce(Subquery(counted), 0))

    @admin.display(description="已发布文章数", ordering="post_count")
    def post_count(self, tag):
        return tag.post_count

    @admin.display(description="页面")
    def public_link(self, tag):
        return format_html('<a href="{}" target="_blank" rel="noopener">查看</a>', tag_path(tag.name))

    def has_merge_permission(self, request):
        """A merge changes posts' tags and deletes the merged tags: it takes both permissions."""
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(description="合并所选标签到“合并到”填写的标签", permissions=["merge"])
    @revised("合并标签")
    def merge(self, request, queryset):
        name = request.POST.get("target_name", "").strip()
        target = Tag.objects.filter(name=name).first()
        if target is None:
            self.message_user(request, f"没有名为“{name}”的标签。", messages.ERROR)
            return
        sources = [tag for tag in queryset if tag.pk != target.pk]
        moved = TaggedPost.objects.merge_tags(sources, target)
        log_changes(request, Post, moved, f"标签 {'、'.join(t.name for t in sources)} 合并到 {target.name}")
        self.message_user(request, f"已把 {len(sources)} 个标签合并到 {target.name}（{len(moved)} 篇文章）。",
                          messages.SUCCESS)
