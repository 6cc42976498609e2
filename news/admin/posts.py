"""The posts' admin: list, search, form, bulk actions, and the import, export and revision screens
mixed in from their own modules."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from taggit.models import Tag

from news import search
from news.admin.export import ExportViewMixin
from news.admin.forms import (
    CategoryFilter,
    HeldFilter,
    PostActionForm,
    PostCategoryInline,
    PostForm,
    StatusFilter,
    TaggedPostInline,
)
from news.admin.history import hold_posts, log_changes, revised
from news.admin.imports import ImportViewMixin
from news.admin.lookup import CappedCountPaginator, search_ids
from news.admin.review import REFUSED, may_publish
from news.admin.revisions import RevisionViewsMixin
from news.admin.securities import SecuritiesMixin, SecurityChoiceInline
from news.admin.stories import StoryActionsMixin
from news.jekyll.dates import SITE_TZ
from news.jekyll.post import render_body
from news.models import Category, Post, PostCategory, RuleHold, TaggedPost
from news.text import xml_text


@admin.register(Post)
class PostAdmin(StoryActionsMixin, SecuritiesMixin, RevisionViewsMixin, ImportViewMixin, ExportViewMixin, admin.ModelAdmin):
    form = PostForm
    list_display = ["title_or_slug", "category_list", "tag_list", "published_local", "state_label",
                    "live_link"]
    list_display_links = ["title_or_slug"]
    list_filter = [StatusFilter, "important", HeldFilter, CategoryFilter, "published_at"]
    search_fields = ["title"]  # shows the search box; get_search_results does the matching
    search_help_text = "标题或正文中的词，或粘贴文章网址、完整链接、文件名中的编号、原文链接、来源名称"
    date_hierarchy = "published_at"
    show_full_result_count = False
    paginator = CappedCountPaginator
    list_per_page = 50
    ordering = ["-published_at", "-source_path"]
    inlines = [PostCategoryInline, TaggedPostInline, SecurityChoiceInline]
    action_form = PostActionForm
    save_on_top = True  # 保存 (and 预览, templates/admin/news/post/change_form.html) above a long form
    actions = ["publish", "submit_review", "unpublish", "mark_important", "unmark_important", "move_to_category", "add_tag",
               "remove_tag", "release", "split_story", "join_stories", "export_jekyll"]
    readonly_fields = [
        "url_path", "source_path", "source_url", "summary", "imported_at", "created_at",
        "updated_at", "rendered_preview", "extra", "story_reports", "named_securities",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "published_at", "status", "important", "new_tags"]}),
        ("正文", {"fields": ["body_markdown", "rendered_preview"]}),
        ("报道（同一消息的各家来源）", {"fields": ["story_reports"]}),
        ("证券（由正文得出，编辑可在下方加入或移除）", {"fields": ["named_securities"]}),
        ("来源（只读）", {"fields": ["url_path", "source_path", "source_url", "summary", "imported_at",
                                "created_at", "updated_at", "extra"], "classes": ["collapse"]}),
    ]
    search_id_limit = 1_000  # the newest matches; filters and the date hierarchy reach older ones

    class Media:
        js = ["news/admin/category_filter.js"]
        css = {"all": ["news/admin/admin.css"]}

    def get_urls(self):
        return [path("preview/", self.admin_site.admin_view(self.preview_view), name="news_post_preview"),
                *super().get_urls()]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(
            Prefetch("category_links", PostCategory.objects.select_related("category").order_by("position")),
            Prefetch("tag_links", TaggedPost.objects.select_related("tag").order_by("position")),
        )

    def get_search_results(self, request, queryset, search_term):
        """Match once, then let the page and the date hierarchy look posts up by id."""
        if not search_term.strip():
            return queryset, False
        if search.is_building():
            messages.info(request, "搜索索引正在建立：按词搜索暂时只能找到最近写入的文章（按网址、来源和分类查找不受影响）。")
        found = search_ids(search_term, self.search_id_limit, queryset)
        if not found:
            return queryset.none(), False
        # The dates bound the list too: the date hierarchy's MIN()/MAX() then seek instead of
        # walking the date index until it meets one of the ids (seconds at a million posts).
        dates = [published for _, published in found]
        return queryset.filter(pk__in=[pk for pk, _ in found], published_at__range=(min(dates), max(dates))), False

    @admin.display(description="标题", ordering="title")
    def title_or_slug(self, post):
        return post.title or f"（无标题）{post.slug}"

    @admin.display(description="分类")
    def category_list(self, post):
        return "、".join(link.category.display_name for link in post.category_links.all())

    @admin.display(description="标签")
    def tag_list(self, post):
        return "、".join(link.tag.name for link in post.tag_links.all())

    @admin.display(description="发布时间（北京时间）", ordering="published_at")
    def published_local(self, post):
        return timezone.localtime(post.published_at, SITE_TZ).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description="状态", ordering="status")
    def state_label(self, post):
        return post.status_label

    @admin.display(description="页面")
    def live_link(self, post):
        return format_html('<a href="{}" target="_blank" rel="noopener">查看</a>', post.url_path)

    @admin.display(description="渲染预览（已净化）")
    def rendered_preview(self, post):
        if not post.pk:
            return "保存前可用“预览”按钮查看"
        # body_html went through sanitize_html() before it was stored.
        return format_html('<div class="finews-preview">{}</div>', mark_safe(post.body_html))

    @method_decorator(require_POST)
    def preview_view(self, request):
        """The change form's 预览 button: the body as it would be stored, nothing saved."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        body_html, _, _ = render_body(request.POST.get("body_markdown", ""), "preview.md",
                                      settings.FINEWS_OLD_SITE_HOSTS)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": "预览（未保存）", "post_title": request.POST.get("title", ""),
                   "body_html": mark_safe(body_html)}  # sanitised by render_body
        return TemplateResponse(request, "admin/news/post/preview.html", context)

    def save_model(self, request, obj, form, change):
        """An edit stores exactly what the editor changed: an untouched form writes nothing, and
        a changed one only the fields that changed (and what derives from them)."""
        if not change:
            # a new post's 重要 and status are the editor's choice: the save's own rules keep them
            obj.held_against_rules = ("important", "status")
            obj.save()
            RuleHold.objects.hold([obj.pk], *obj.held_against_rules)
            return
        changed = obj.changed_fields()
        if changed:
            # what the editor set by hand, no rule sets again (held before the save's rules run)
            RuleHold.objects.hold([obj.pk], *(what for what in ("important", "status") if what in changed))
            obj.held_at = timezone.now()  # an editor's change: imports and the scraper keep it
            obj.save(update_fields=[*changed, "held_at"])

    def save_related(self, request, form, formsets, change):
        # Inline link rows are saved and deleted one by one: their signals reach news/changes/.
        super().save_related(request, form, formsets, change)
        post = form.instance
        typed = form.cleaned_data.get("new_tags")
        if typed:
            post.tags.add(*typed)  # new names become tags; taggit's add() is heard by the after-write step
        if change and (typed or any(formset.has_changed() for formset in formsets)):
            hold_posts([post.pk])  # recategorised or retagged by hand
        if change and (typed or any(formset.has_changed() and formset.model is TaggedPost for formset in formsets)):
            RuleHold.objects.hold([post.pk], "tags")  # rules add no tag the editor took off
        if not change:
            renamed = post.settle_url()
            if renamed:
                self.message_user(request, f"网址已被占用，slug 改为 {renamed}", messages.WARNING)

    # --- bulk actions ----------------------------------------------------------------------
    def has_publish_permission(self, request):
        return may_publish(request.user)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.may_publish = self.has_publish_permission(request)
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if not self.has_publish_permission(request):
            initial.setdefault("status", Post.Status.REVIEW)  # an editor's new post goes to review
        return initial

    def done(self, request, ids, logged, said, hold=True, rule_hold=()):
        """After a bulk action: history for each changed post, and how many, to the editor (and
        what no rule changes on them again)."""
        log_changes(request, Post, ids, logged, hold=hold)
        RuleHold.objects.hold(ids, *rule_hold)
        self.message_user(request, said.format(len(ids)), messages.SUCCESS)

    @admin.action(description="提交审核（改为待审核）", permissions=["change"])
    @revised("提交审核")
    def submit_review(self, request, queryset):
        ids = queryset.exclude(status=Post.Status.PUBLISHED).set_status(Post.Status.REVIEW)
        self.done(request, ids, "提交审核", "已把 {} 篇文章提交审核（已发布的不变）。", rule_hold=["status"])

    @admin.action(description="发布所选文章", permissions=["publish"])
    @revised("批量发布")
    def publish(self, request, queryset):
        self.done(request, queryset.set_status(Post.Status.PUBLISHED), "批量发布", "已发布 {} 篇文章。", rule_hold=["status"])

    @admin.action(description="撤回所选文章（改为草稿）", permissions=["change"])
    @revised("批量撤回")
    def unpublish(self, request, queryset):
        self.done(request, queryset.set_status(Post.Status.DRAFT), "批量撤回为草稿", "已撤回 {} 篇文章。", rule_hold=["status"])

    @admin.action(description="标为重要", permissions=["change"])
    @revised("标为重要")
    def mark_important(self, request, queryset):
        self.done(request, queryset.set_important(True), "批量标为重要", "已把 {} 篇文章标为重要。", rule_hold=["important"])

    @admin.action(description="取消重要标记", permissions=["change"])
    @revised("取消重要")
    def unmark_important(self, request, queryset):
        self.done(request, queryset.set_important(False), "批量取消重要", "已取消 {} 篇文章的重要标记。", rule_hold=["important"])

    @admin.action(description="交还来源（允许导入和抓取再更新）", permissions=["change"])
    def release(self, request, queryset):
        """A source's next re-send publishes an unpublished post: handing one back is a
        publishing decision, so it needs 审核权限 (news/admin/review.py)."""
        held = queryset.filter(held_at__isnull=False)
        if not self.has_publish_permission(request):
            # Scheduled posts too: a re-send dated earlier would show them at once.
            shown = Q(status=Post.Status.PUBLISHED, published_at__lte=timezone.now())
            refused = held.exclude(shown).count()
            if refused:
                self.message_user(request, f"{refused} 篇未发布或排期中的文章没有交还：来源再送来时可能发布它们，{REFUSED}。",
                                  messages.WARNING)
            held = held.filter(shown)
        ids = list(held.values_list("pk", flat=True))
        Post.objects.filter(pk__in=ids).update(held_at=None)
        RuleHold.objects.filter(post_id__in=ids).delete()  # handed back: rules act on its next text again
        self.done(request, ids, "交还来源：导入和抓取可以再更新", "已把 {} 篇文章交还来源。", hold=False)

    @admin.action(description="移动到分类（在“分类键”中填写）", permissions=["change"])
    @revised("移动分类")
    def move_to_category(self, request, queryset):
        key = request.POST.get("category_key", "").strip()
        category = Category.objects.filter(key=key).first()
        if category is None:
            self.message_user(request, f"没有分类键为“{key}”的分类。", messages.ERROR)
            return
        ids = queryset.move_to(category)
        log_changes(request, Post, ids, f"批量移动到分类 {key}")
        self.message_user(request, f"已把 {len(ids)} 篇文章移动到 {category}。", messages.SUCCESS)

    def _tag_from_request(self, request, create):
        name = xml_text(request.POST.get("tag_name", "")).strip()
        if not name or len(name) > 100:
            self.message_user(request, "请在“标签”中填写标签名（最多 100 个字符）。", messages.ERROR)
            return None
        tag = Tag.objects.filter(name=name).first()
        if tag is None and create:
            tag = Tag.objects.create(name=name)
        if tag is None:
            self.message_user(request, f"没有标签“{name}”。", messages.ERROR)
        return tag

    @admin.action(description="添加标签（在“标签”中填写）", permissions=["change"])
    @revised("添加标签")
    def add_tag(self, request, queryset):
        tag = self._tag_from_request(request, create=True)
        if tag:
            ids = queryset.add_tag(tag)
            log_changes(request, Post, ids, f"批量添加标签 {tag.name}")
            self.message_user(request, f"已给 {len(ids)} 篇文章添加标签 {tag.name}。", messages.SUCCESS)

    @admin.action(description="移除标签（在“标签”中填写）", permissions=["change"])
    @revised("移除标签")
    def remove_tag(self, request, queryset):
        tag = self._tag_from_request(request, create=False)
        if tag:
            ids = queryset.remove_tag(tag)
            log_changes(request, Post, ids, f"批量移除标签 {tag.name}")
            self.message_user(request, f"已从 {len(ids)} 篇文章移除标签 {tag.name}。", messages.SUCCESS)
