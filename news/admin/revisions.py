"""A post's revisions in the admin: the list, a side-by-side diff of any two, and restore."""
import datetime
import difflib
from html import escape

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from news.admin.review import may_publish, restoring_publishes
from news.changes import revisions
from news.jekyll.dates import SITE_TZ
from news.models import Post, Revision

STATUS = {"published": "已发布", "draft": "草稿", "review": "待审核", "deleted": "已删除"}


def beijing(moment):
    try:
        return datetime.datetime.fromisoformat(moment).astimezone(SITE_TZ).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return moment or ""


def lines(data):
    """What a revision says readers see, as lines to compare."""
    head = [f"标题：{data.get('title', '')}", f"状态：{STATUS.get(data.get('status'), data.get('status', ''))}",
            f"重要：{'是' if data.get('important') else '否'}", f"时间（北京）：{beijing(data.get('published_at'))}",
            f"网址：{data.get('url_path', '')}", f"分类：{'、'.join(data.get('categories', []))}",
            f"标签：{'、'.join(data.get('tags', []))}",
            *([f"报道：#{data['story']}"] if data.get("story") else []),
            *([f"证券：{'、'.join(data['securities'])}"] if data.get("securities") else []),
            *([f"频道：{'、'.join(data['channels'])}"] if data.get("channels") else []), "正文："]
    return head + (data.get("body_markdown") or "").splitlines()


def diff_table(older, newer):
    # HtmlDiff escapes both sides' lines (not the headings: escaped here); no script, no inline style.
    table = difflib.HtmlDiff(wrapcolumn=70).make_table(
        lines(older.data), lines(newer.data), escape(f"修订 #{older.pk}（{older.action}）"),
        escape(f"修订 #{newer.pk}（{newer.action}）"), context=True, numlines=3)
    return mark_safe(table)


class RevisionViewsMixin:
    """For PostAdmin: ``history_view`` lists the post's revisions; two chosen ones are compared;
    one can be restored (a restore is a revision too, and holds the post)."""

    def get_urls(self):
        return [path("<int:object_id>/revisions/<int:revision_id>/restore/",
                     self.admin_site.admin_view(require_POST(self.restore_view)), name="news_post_restore"),
                *super().get_urls()]

    def history_view(self, request, object_id, extra_context=None):
        post = get_object_or_404(Post, pk=object_id)
        if not self.has_view_or_change_permission(request, post):
            raise PermissionDenied
        found = list(Revision.objects.filter(post_id=post.pk).select_related("user", "token")[:200])
        chosen = {str(r.pk): r for r in found}
        a, b = chosen.get(request.GET.get("a", "")), chosen.get(request.GET.get("b", ""))
        if a is None and b is None and len(found) >= 2:
            a, b = found[1], found[0]  # the last change, by default
        if a and b and a.pk > b.pk:
            a, b = b, a
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": post,
            "title": f"修订历史：{post}", "revisions": found, "a": a, "b": b,
            "diff": diff_table(a, b) if a and b else None,
            "may_restore": self.has_change_permission(request, post),
        }
        return TemplateResponse(request, "admin/news/post/revisions.html", context)

    def restore_view(self, request, object_id, revision_id):
        post = get_object_or_404(Post, pk=object_id)
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        revision = get_object_or_404(Revision, pk=revision_id, post_id=post.pk)
        if revision.data.get("status") == "deleted" or "body_markdown" not in revision.data:
            messages.error(request, "这条修订记录的是删除，不能恢复。")
        elif restoring_publishes(post, revision.data) and not may_publish(request.user):
            messages.error(request, "恢复这一版会发布文章，需要审核权限（审核或管理员）。")
        else:
            revisions.restore(revision, request.user)
            self.log_change(request, post, f"恢复到修订 #{revision.pk}")
            messages.success(request, f"已恢复到修订 #{revision.pk}。")
        return redirect(reverse("admin:news_post_history", args=[post.pk]))
