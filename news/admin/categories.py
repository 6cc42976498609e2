"""Sources (categories) and their old names: rename, merge, counts."""

from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html

from news.admin.forms import CategoryMergeForm, XMLTextForm
from news.admin.history import log_changes
from news.models import Category, CategoryAlias, Post, SourceCount


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = XMLTextForm
    list_display = ["display_name", "key", "slug", "post_count", "public_link"]
    search_fields = ["key", "name"]
    readonly_fields = ["created_at"]
    action_form = CategoryMergeForm
    actions = ["merge"]
    show_full_result_count = False

    def get_queryset(self, request):
        # Kept by the database (news/changes/counting.py): no count of every link row per page.
        counted = SourceCount.objects.filter(category=OuterRef("pk")).values("posts")[:1]
        return super().get_queryset(request).annotate(post_count=Coalesce(Subquery(counted), 0)).order_by("key")

    @admin.display(description="显示名称", ordering="name")
    def display_name(self, category):
        return category.display_name

    @admin.display(description="已发布文章数", ordering="post_count")
    def post_count(self, category):
        return category.post_count

    @admin.display(description="页面")
    def public_link(self, category):
        return format_html('<a href="{}" target="_blank" rel="noopener">查看</a>',
                           category.get_absolute_url())

    @admin.action(description="合并所选分类到“合并到”填写的分类", permissions=["change"])
    def merge(self, request, queryset):
        key = request.POST.get("target_key", "").strip()
        target = Category.objects.filter(key=key).first()
        if target is None:
            self.message_user(request, f"没有分类键为“{key}”的分类。", messages.ERROR)
            return
        sources = [c for c in queryset if c.pk != target.pk]
        for source in sources:
            moved = source.merge_into(target)
            log_changes(request, Post, moved, f"分类 {source.key} 合并到 {target.key}")
        log_changes(request, Category, [target.pk], f"合并了分类 {'、'.join(s.key for s in sources)}")
        self.message_user(
            request, f"已把 {len(sources)} 个分类合并到 {target}；旧分类地址会跳转到新分类。", messages.SUCCESS)


@admin.register(CategoryAlias)
class CategoryAliasAdmin(admin.ModelAdmin):
    list_display = ["key", "category"]
    search_fields = ["key", "category__key"]
    autocomplete_fields = ["category"]
