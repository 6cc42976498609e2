"""The post admin's form, widgets, filters and inlines: what an editor fills in, kept exactly.

An untouched form stores nothing: the time shows (and keeps) its seconds, the Markdown keeps its
line endings and white space, and any field the editor did not change keeps its stored value.
"""
import re

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelect
from django.utils import timezone
from taggit.forms import TagField, TagWidget

from news.admin.review import would_publish
from news.jekyll.dates import EARLIEST, LATEST
from news.models import Category, Post, PostCategory, TaggedPost
from news.text import xml_text


class XMLTextForm(forms.ModelForm):
    """A model form whose text fields keep only what XML can carry (news/text.py): feeds and
    sitemaps print these names."""

    def _post_clean(self):
        for name, value in self.cleaned_data.items():
            if isinstance(value, str):
                self.cleaned_data[name] = xml_text(value)
        super()._post_clean()


class SecondsSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs, with the time as ``HH:MM:SS`` (scraped posts have seconds)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[1].format = "%H:%M:%S"
        # Two inputs under one label: each says which half it is (screen readers, axe).
        self.widgets[0].attrs["aria-label"] = "日期（北京时间）"
        self.widgets[1].attrs["aria-label"] = "时间（北京时间）"


class SourceTextField(forms.CharField):
    """Markdown source as typed: no stripping, and a browser's CRLF line endings are no change."""

    def __init__(self, **kwargs):
        super().__init__(strip=False, **kwargs)

    def has_changed(self, initial, data):
        return (initial or "").replace("\r\n", "\n") != (data or "").replace("\r\n", "\n")

    def clean(self, value):
        return super().clean(xml_text((value or "").replace("\r\n", "\n")))


class PostForm(forms.ModelForm):
    body_markdown = SourceTextField(
        label="正文（Markdown）", required=False,
        widget=forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField"}))
    new_tags = TagField(
        label="添加标签", required=False, widget=TagWidget(attrs={"class": "vTextField", "placeholder": "如：央行, 降准"}),
        help_text="输入标签名，多个用逗号分隔；没有的标签保存时新建，加在已有标签之后（已有标签在下方“标签”中排序或删除）")

    class Meta:
        model = Post
        fields = ["title", "slug", "published_at", "status", "important", "body_markdown"]
        field_classes = {"published_at": forms.SplitDateTimeField}
        widgets = {"published_at": SecondsSplitDateTime}
        labels = {"published_at": "发布时间（北京时间）"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].strip = False
        if (self.instance.source_path or "").lower().endswith((".html", ".htm")):
            self.fields["body_markdown"].label = "正文（HTML）"  # Jekyll copies an .html post's body as it is

    def clean_title(self):
        return xml_text(self.cleaned_data["title"])

    def clean_new_tags(self):
        names = [xml_text(name).strip() for name in self.cleaned_data["new_tags"]]
        if any(len(name) > 100 for name in names):
            raise forms.ValidationError("标签名最多 100 个字符。")
        return [name for name in dict.fromkeys(names) if name]

    def clean_published_at(self):
        value = self.cleaned_data["published_at"]
        if value is not None and not EARLIEST <= value <= LATEST:
            raise forms.ValidationError("发布时间须在公元 1 年到 9999 年之间。")
        return value

    may_publish = True  # set per request by PostAdmin.get_form (the publish_post permission)

    def clean_status(self):
        status = self.cleaned_data["status"]
        was = self.instance.status if self.instance.pk else None
        if status == Post.Status.PUBLISHED and was != Post.Status.PUBLISHED and not self.may_publish:
            raise forms.ValidationError("发布需要审核权限：请选“待审核”提交审核，由审核或管理员发布。")
        return status

    def clean(self):
        cleaned = super().clean()
        status, when = cleaned.get("status"), cleaned.get("published_at")
        if (not self.may_publish and self.instance.pk and self.instance.is_scheduled and status == Post.Status.PUBLISHED and when
                and would_publish(self.instance, status, when)):
            self.add_error("published_at", "把排期文章的时间改到现在或之前会立即发布它，需要审核权限："
                           "请改为“待审核”提交审核，或保留将来的时间。")
        if self.instance.pk:
            # What the editor did not change keeps its stored value, byte for byte.
            stored = {field.name for field in Post._meta.concrete_fields}
            for name in self.fields:
                if name in stored and name not in self.changed_data and name in cleaned:
                    cleaned[name] = getattr(self.instance, name)
        elif cleaned.get("slug") and cleaned.get("published_at"):
            draft = Post(slug=cleaned["slug"], published_at=cleaned["published_at"])
            if Post.objects.filter(source_path=draft.default_source_path()).exists():
                self.add_error("slug", "这一天已有同一 slug 的文章，请换一个 slug。")
        return cleaned


class PostActionForm(ActionForm):
    """Extra inputs next to the action menu, used by the move and tag actions."""

    category_key = forms.CharField(label="分类键", required=False)
    tag_name = forms.CharField(label="标签", required=False)


class CategoryMergeForm(ActionForm):
    target_key = forms.CharField(label="合并到（分类键）", required=False)


REVIEW_COUNT_CAP = 1000  # the 待审核 count reads at most this many index entries


class StatusFilter(admin.SimpleListFilter):
    """已发布 / 已排期 (published, time still to come) / 草稿."""

    title = "状态"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        waiting = Post.objects.filter(status=Post.Status.REVIEW).order_by()[: REVIEW_COUNT_CAP + 1].count()
        shown = f"超过 {REVIEW_COUNT_CAP}" if waiting > REVIEW_COUNT_CAP else waiting
        return [("published", "已发布"), ("scheduled", "已排期"), ("review", f"待审核（{shown}）"), ("draft", "草稿")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "published":
            return queryset.published(now)
        if self.value() == "scheduled":
            return queryset.scheduled(now)
        if self.value() == "draft":
            return queryset.filter(status=Post.Status.DRAFT)
        if self.value() == "review":
            return queryset.filter(status=Post.Status.REVIEW)
        return queryset


class HeldFilter(admin.SimpleListFilter):
    """Posts an editor changed, which imports and the scraper leave alone until released."""

    title = "编辑保留"
    parameter_name = "held"

    def lookups(self, request, model_admin):
        return [("yes", "编辑改过（导入不覆盖）"), ("no", "跟随来源")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(held_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(held_at__isnull=True)
        return queryset


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
    queries however many rows there are. A row left without a position goes last."""

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
                # A table row's inputs, named for screen readers (the column heads are not labels).
                for name, label in (("position", "顺序"), ("DELETE", "删除")):
                    if name in form.fields:
                        form.fields[name].widget.attrs["aria-label"] = f"第 {i + 1} 行：{label}"
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
