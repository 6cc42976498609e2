"""The admin's channels and rules. A rule's change form has 预览: what the rule as typed (saved or
not) would have done to the posts of the last 24 hours or 7 days, with counts and examples — the
same decisions and editors' holds as applying it. A preview over more posts than
``FINEWS_RULE_PREVIEW_INLINE`` runs as a background job, its page refreshing until it is done."""
import datetime
import json

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from django_tasks import task

from news import rules
from news.admin.review import may_publish
from news.changes import ruling
from news.models import Channel, Post, Rule
from news.models.rules import MARKETS

PERIODS = {"24": "最近 24 小时", "168": "最近 7 天"}


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "page_link", "rule_count"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug", "position", "description"]

    @admin.display(description="页面")
    def page_link(self, channel):
        return format_html('<a href="{}">{}</a>', channel.get_absolute_url(), channel.get_absolute_url())

    @admin.display(description="规则数")
    def rule_count(self, channel):
        return channel.rules.count()


class RuleForm(forms.ModelForm):
    markets = forms.MultipleChoiceField(label="提到这些市场的证券", choices=MARKETS, required=False,
                                        widget=forms.CheckboxSelectMultiple, help_text="不选：不看证券")

    class Meta:
        model = Rule
        fields = ["name", "enabled", "position", "words", "exclude", "pattern", "scope", "sources", "markets", "channel", "tag",
                  "important", "review", "hide"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["markets"] = sorted(self.instance.market_list())

    def clean_markets(self):
        return ",".join(self.cleaned_data["markets"])

    may_publish = True  # set per request (RuleAdmin.get_form)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("words", "").strip() or cleaned.get("pattern") or cleaned.get("sources")
                or cleaned.get("markets")):
            self.add_error(None, "条件至少要有一项：词语、正则表达式、来源或证券市场")
        for name in ("words", "exclude"):
            try:
                rules.compile_words(rules.parse_words(cleaned.get(name)))
            except rules.RuleError as error:
                self.add_error(name, str(error))
        gate = cleaned.get("review") or cleaned.get("hide") or self.instance.review or self.instance.hide
        if gate and not self.may_publish:
            self.add_error(None, "送待审核或隐藏文字的规则关系到读者看到什么，需要审核权限才能新建或修改")
        return cleaned

    def as_rule(self):
        """The rule as typed (saved or not), as ``news.rules`` applies it."""
        rule = self.save(commit=False)
        return rule.as_rule(sources=[category.pk for category in self.cleaned_data.get("sources") or ()])


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleForm
    list_display = ["name", "enabled", "position", "channel", "action_list", "state"]
    list_editable = ["enabled", "position"]
    list_filter = ["enabled", "channel"]
    search_fields = ["name", "words", "pattern"]
    autocomplete_fields = ["sources"]
    readonly_fields = ["stopped"]
    fieldsets = [
        (None, {"fields": ["name", "enabled", "position"]}),
        ("条件（给出的每一项都要满足）", {"fields": ["words", "exclude", "pattern", "scope", "sources", "markets"]}),
        ("动作", {"fields": ["channel", "tag", "important", "review", "hide"]}),
        ("状态", {"fields": ["stopped"]}),
    ]
    change_form_template = "admin/news/rule/change_form.html"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.may_publish = may_publish(request.user)
        return form

    @admin.display(description="动作")
    def action_list(self, rule):
        done = [f"频道：{rule.channel}" if rule.channel_id else "", f"标签：{rule.tag}" if rule.tag else "",
                "标为重要" if rule.important else "", "送待审核" if rule.review else "", "隐藏文字" if rule.hide else ""]
        return "、".join(part for part in done if part)

    @admin.display(description="状态")
    def state(self, rule):
        return f"超时或出错，已停用：{rule.stopped}" if rule.stopped else ("启用" if rule.enabled else "未启用")

    def get_urls(self):
        return [path("preview/", self.admin_site.admin_view(self.preview_view), name="news_rule_preview"),
                path("preview/<uuid:job>/", self.admin_site.admin_view(self.preview_job_view),
                     name="news_rule_preview_job"),
                *super().get_urls()]

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "规则预览（未保存）",
                **extra}

    @method_decorator(require_POST)
    def preview_view(self, request):
        """The change form's 预览 button: the rule as typed, over recent posts; nothing saved."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        rule_id = request.POST.get("rule_id", "")
        instance = (Rule.objects.filter(pk=int(rule_id)).first() if rule_id.isascii() and rule_id.isdigit()
                    and len(rule_id) < 18 else None) or Rule()
        form = RuleForm(request.POST, instance=instance)
        form.may_publish = True  # only a preview: nothing is saved
        hours = request.POST.get("preview_hours") if request.POST.get("preview_hours") in PERIODS else "24"
        if not form.is_valid():
            return TemplateResponse(request, "admin/news/rule/preview.html", self._context(request, form=form), status=400)
        rule = form.as_rule()
        since = timezone.now() - datetime.timedelta(hours=int(hours))
        if Post.objects.filter(published_at__gte=since).count() > settings.FINEWS_RULE_PREVIEW_INLINE:
            result = preview_later.enqueue(_data(rule), int(hours))
            return TemplateResponse(request, "admin/news/rule/preview.html", self._context(
                request, waiting=True, period=PERIODS[hours], job=result.id))
        found = ruling.preview(rule, Post.objects.filter(published_at__gte=since))
        return TemplateResponse(request, "admin/news/rule/preview.html", self._context(
            request, period=PERIODS[hours], rule=rule, **found))

    def preview_job_view(self, request, job):
        from django_tasks_db.models import DBTaskResult

        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        result = get_object_or_404(DBTaskResult, pk=job, task_path=preview_later.module_path)
        if result.status != "SUCCESSFUL":
            failed = result.status == "FAILED"
            return TemplateResponse(request, "admin/news/rule/preview.html", self._context(
                request, waiting=not failed, failed=failed, job=job))
        found = json.loads(json.dumps(result.return_value))
        return TemplateResponse(request, "admin/news/rule/preview.html", self._context(request, **found))


def _data(rule):
    return {"name": rule.name, "words": list(rule.condition.words), "exclude": list(rule.condition.exclude),
            "pattern": rule.condition.pattern, "scope": rule.condition.scope, "sources": sorted(rule.condition.sources),
            "markets": sorted(rule.condition.markets), "channel": rule.channel, "tag": rule.tag,
            "important": rule.important, "review": rule.review, "hide": rule.hide}


@task()
def preview_later(data, hours):
    """A large preview, in the worker."""
    rule = rules.Rule(None, data["name"], rules.Condition(
        words=tuple(data["words"]), exclude=tuple(data["exclude"]), pattern=data["pattern"], scope=data["scope"],
        sources=frozenset(data["sources"]), markets=frozenset(data["markets"])), channel=data["channel"],
        tag=data["tag"], important=data["important"], review=data["review"], hide=data["hide"])
    since = timezone.now() - datetime.timedelta(hours=hours)
    found = ruling.preview(rule, Post.objects.filter(published_at__gte=since))
    return {**found, "period": PERIODS.get(str(hours), f"最近 {hours} 小时"),
            "examples": [list(example) for example in found["examples"]], "rule": data}
