"""Editors' admin: posts, categories, redirects and the import audit, in Chinese."""
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from taggit.models import Tag

from . import editing
from .admin_import import ImportViewMixin
from .jekyll.dates import SITE_TZ
from .models import (
    Category, CategoryAlias, ImportRun, LegacyURL, Post, PostCategory, TaggedPost,
)

admin.site.site_header = "金融消息 管理"
admin.site.site_title = "金融消息 管理"
admin.site.index_title = "内容管理"


class PostActionForm(ActionForm):
    """Extra inputs next to the action menu, used by the move and tag actions."""

    category_key = forms.CharField(label="分类键", required=False)
    tag_name = forms.CharField(label="标签", required=False)


class CategoryFilter(admin.SimpleListFilter):
    """Filter by one category, typed (with suggestions) instead of listed: there are thousands."""

    title = "分类"
    parameter_name = "category"
    template = "admin/news/category_filter.html"

    def lookups(self, request, model_admin):
        return []

    def has_output(self):
        return True

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "全部",
            "value": self.value() or "",
        }

    def queryset(self, request, queryset):
        key = self.key()
        if key:
            return queryset.filter(category_links__category__key=key)
        return queryset

    def key(self):
        """The category key typed, or picked from the suggestions as ``名称 (key)``."""
        value = (self.value() or "").strip()
        match = re.search(r"\(([^()]+)\)$", value)
        if match and not Category.objects.filter(key=value).exists():
            return match.group(1)
        return value


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete select that labels its selected option from the object the inline already
    loaded, instead of one query per row."""

    preloaded = None

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if v not in ("", None)]
        if self.preloaded and selected and all(v in self.preloaded for v in selected):
            options = [self.create_option(name, "", "", False, 0)]
            options += [self.create_option(name, v, self.preloaded[v], True, i + 1)
                        for i, v in enumerate(selected)]
            return [(None, options, 0)]
        return super().optgroups(name, value, attr)


class LinkInline(admin.TabularInline):
    """Ordered links (post→category, post→tag) edited with autocomplete, in a fixed number of
    queries however many rows there are."""

    related_field = None
    extra = 0
    ordering = ["position"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(self.related_field)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.related_field:
            kwargs["widget"] = PreloadedAutocompleteSelect(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        related_field = self.related_field

        class Preloading(formset):
            def _construct_form(self, i, **kwargs):
                form = super()._construct_form(i, **kwargs)
                instance = form.instance
                if instance.pk:
                    related = getattr(instance, related_field)
                    widget = form.fields[related_field].widget
                    inner = getattr(widget, "widget", widget)
                    inner.preloaded = {str(related.pk): str(related)}
                return form

        return Preloading


class PostCategoryInline(LinkInline):
    model = PostCategory
    related_field = "category"
    fields = ["position", "category"]
    autocomplete_fields = ["category"]
    verbose_name = "分类（按顺序）"
    verbose_name_plural = "分类（按顺序，网址由它们组成）"


class TaggedPostInline(LinkInline):
    model = TaggedPost
    related_field = "tag"
    fields = ["position", "tag"]
    autocomplete_fields = ["tag"]
    verbose_name = "标签"
    verbose_name_plural = "标签"


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["title", "slug", "published_at", "status", "body_markdown"]
        widgets = {"body_markdown": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField"})}


@admin.register(Post)
class PostAdmin(ImportViewMixin, admin.ModelAdmin):
    form = PostForm
    list_display = ["title_or_slug", "category_list", "tag_list", "published_local", "status", "live_link"]
    list_display_links = ["title_or_slug"]
    list_filter = ["status", CategoryFilter, "published_at"]
    search_fields = ["title", "=source_url"]
    date_hierarchy = "published_at"
    show_full_result_count = False
    list_per_page = 50
    ordering = ["-published_at", "-source_path"]
    inlines = [PostCategoryInline, TaggedPostInline]

    class Media:
        js = ["news/admin/category_filter.js"]
        css = {"all": ["news/admin/admin.css"]}
    action_form = PostActionForm
    actions = ["publish", "unpublish", "move_to_category", "add_tag", "remove_tag"]
    readonly_fields = [
        "url_path", "source_path", "source_url", "summary", "imported_at", "created_at",
        "updated_at", "rendered_preview", "extra",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "published_at", "status"]}),
        ("正文", {"fields": ["body_markdown", "rendered_preview"]}),
        ("来源（只读）", {"fields": ["url_path", "source_path", "source_url", "summary", "imported_at",
                                "created_at", "updated_at", "extra"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(
            Prefetch("category_links", PostCategory.objects.select_related("category").order_by("position")),
            Prefetch("tag_links", TaggedPost.objects.select_related("tag").order_by("position")),
        )

    search_id_limit = 10_000

    def get_search_results(self, request, queryset, search_term):
        """Match once, on the narrow search index, then let the count, the page and the date
        hierarchy look posts up by id instead of each scanning for the term again."""
        matches, duplicates = super().get_search_results(request, Post.objects.all(), search_term)
        if not search_term:
            return queryset, duplicates
        ids = list(matches.order_by().values_list("pk", flat=True)[: self.search_id_limit + 1])
        if len(ids) <= self.search_id_limit:
            return queryset.filter(pk__in=ids), duplicates
        return queryset.filter(pk__in=matches.values("pk")), duplicates

    @admin.display(description="标题", ordering="title")
    def title_or_slug(self, post):
        return post.title or f"（无标题）{post.slug}"

    @admin.display(description="分类")
    def category_list(self, post):
        return "、".join(link.category.key for link in post.category_links.all())

    @admin.display(description="标签")
    def tag_list(self, post):
        return "、".join(link.tag.name for link in post.tag_links.all())

    @admin.display(description="发布时间（北京时间）", ordering="published_at")
    def published_local(self, post):
        return timezone.localtime(post.published_at, SITE_TZ).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description="页面")
    def live_link(self, post):
        return format_html('<a href="{}" target="_blank" rel="noopener">查看</a>', post.url_path)

    @admin.display(description="渲染预览（已净化）")
    def rendered_preview(self, post):
        if not post.pk:
            return "保存后显示"
        # body_html went through sanitize_html() before it was stored.
        return format_html('<div class="finews-preview">{}</div>', mark_safe(post.body_html))

    def save_model(self, request, obj, form, change):
        editing.render_body(obj)
        self._created = not change
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        post = form.instance
        for link in formset.save(commit=False):
            link.published_at = post.published_at
            link.is_published = post.status == Post.Status.PUBLISHED
            link.source_path = post.source_path
            link.save()
        for link in formset.deleted_objects:
            link.delete()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        post = form.instance
        editing.sync_link_keys([post.pk])
        if getattr(self, "_created", False):
            # A post made here gets its address by Jekyll's rule, now that its categories exist.
            url = post.compute_url_path()
            if Post.objects.filter(url_path=url).exclude(pk=post.pk).exists():
                post.slug = f"{post.slug}-{post.pk}"
                url = post.compute_url_path()
                self.message_user(request, f"网址已被占用，slug 改为 {post.slug}", messages.WARNING)
            Post.objects.filter(pk=post.pk).update(url_path=url)
            post.url_path = url

    # --- bulk actions ----------------------------------------------------------------------
    def _log(self, request, queryset, message):
        LogEntry.objects.log_actions(
            request.user.pk, list(queryset), CHANGE, change_message=message, single_object=False)

    @admin.action(description="发布所选文章", permissions=["change"])
    def publish(self, request, queryset):
        count = editing.set_status(queryset, Post.Status.PUBLISHED)
        self._log(request, queryset, "批量发布")
        self.message_user(request, f"已发布 {count} 篇文章。", messages.SUCCESS)

    @admin.action(description="撤回所选文章（改为草稿）", permissions=["change"])
    def unpublish(self, request, queryset):
        count = editing.set_status(queryset, Post.Status.DRAFT)
        self._log(request, queryset, "批量撤回为草稿")
        self.message_user(request, f"已撤回 {count} 篇文章。", messages.SUCCESS)

    @admin.action(description="移动到分类（在“分类键”中填写）", permissions=["change"])
    def move_to_category(self, request, queryset):
        key = request.POST.get("category_key", "").strip()
        category = Category.objects.filter(key=key).first()
        if category is None:
            self.message_user(request, f"没有分类键为“{key}”的分类。", messages.ERROR)
            return
        count = editing.move_to_category(queryset, category)
        self._log(request, queryset, f"批量移动到分类 {key}")
        self.message_user(request, f"已把 {count} 篇文章移动到 {category}。", messages.SUCCESS)

    def _tag_from_request(self, request, create):
        name = request.POST.get("tag_name", "").strip()
        if not name:
            self.message_user(request, "请在“标签”中填写标签名。", messages.ERROR)
            return None
        tag = Tag.objects.filter(name=name).first()
        if tag is None and create:
            tag = Tag.objects.create(name=name)
        if tag is None:
            self.message_user(request, f"没有标签“{name}”。", messages.ERROR)
        return tag

    @admin.action(description="添加标签（在“标签”中填写）", permissions=["change"])
    def add_tag(self, request, queryset):
        tag = self._tag_from_request(request, create=True)
        if tag:
            count = editing.add_tag(queryset, tag)
            self._log(request, queryset, f"批量添加标签 {tag.name}")
            self.message_user(request, f"已给 {count} 篇文章添加标签 {tag.name}。", messages.SUCCESS)

    @admin.action(description="移除标签（在“标签”中填写）", permissions=["change"])
    def remove_tag(self, request, queryset):
        tag = self._tag_from_request(request, create=False)
        if tag:
            count = editing.remove_tag(queryset, tag)
            self._log(request, queryset, f"批量移除标签 {tag.name}")
            self.message_user(request, f"已从 {count} 篇文章移除标签 {tag.name}。", messages.SUCCESS)


class CategoryMergeForm(ActionForm):
    target_key = forms.CharField(label="合并到（分类键）", required=False)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["display_name", "key", "slug", "post_count", "public_link"]
    search_fields = ["key", "name"]
    readonly_fields = ["created_at"]
    action_form = CategoryMergeForm
    actions = ["merge"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_count=Count("post_links")).order_by("key")

    @admin.display(description="显示名称", ordering="name")
    def display_name(self, category):
        return category.display_name

    @admin.display(description="文章数", ordering="post_count")
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
        count = editing.merge_categories(sources, target)
        self.message_user(
            request, f"已把 {count} 个分类合并到 {target}；旧分类地址会跳转到新分类。", messages.SUCCESS)


@admin.register(CategoryAlias)
class CategoryAliasAdmin(admin.ModelAdmin):
    list_display = ["key", "category"]
    search_fields = ["key", "category__key"]
    autocomplete_fields = ["category"]


@admin.register(LegacyURL)
class LegacyURLAdmin(admin.ModelAdmin):
    list_display = ["path", "post"]
    search_fields = ["=path"]
    raw_id_fields = ["post"]
    list_select_related = ["post"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "origin", "user", "dry_run", "created", "updated", "unchanged",
                    "failed", "skipped", "short_source"]
    list_filter = ["origin", "dry_run"]
    list_select_related = ["user"]
    readonly_fields = ["started_at", "finished_at", "user", "origin", "source", "dry_run", "created",
                       "updated", "unchanged", "failed", "skipped", "error_list"]
    exclude = ["errors"]

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
