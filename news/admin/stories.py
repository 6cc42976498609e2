"""The posts' admin, stories: the post's story on its page, and the editor's two moves — take posts
out of their story, put posts' stories together (news/models/stories.py). Both are revisions and
held: a later import or edit of the text does not place the post again."""
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from news.admin.history import revised
from news.jekyll.dates import SITE_TZ
from news.models import Post, StoryPost

LISTED = 50  # the story's other posts listed on a post's page


class StoryActionsMixin:
    """For PostAdmin: ``story_reports`` (a read-only field) and the ``split_story`` and
    ``join_stories`` actions."""

    @admin.display(description="所在报道")
    def story_reports(self, post):
        """The post's story and its other posts, each linked to its admin page."""
        link = StoryPost.objects.filter(post_id=post.pk).first() if post.pk else None
        if link is None:
            return "（尚未归入报道）"
        others = list(Post.objects.filter(story_link__story=link.story_id).exclude(pk=post.pk)
                      .order_by("published_at", "pk").only("title", "published_at", "status")[:LISTED + 1])
        held = "（编辑已固定，导入不会改动）" if link.held else ""
        if not others:
            return format_html("报道 #{}：只有这一篇{}", link.story_id, held)
        items = "".join(format_html(
            '<li><a href="{}">{}</a> {}（{}）</li>', reverse("admin:news_post_change", args=[other.pk]),
            other.title or f"#{other.pk}", timezone.localtime(other.published_at, SITE_TZ).strftime("%Y-%m-%d %H:%M"),
            other.get_status_display()) for other in others[:LISTED])
        if len(others) > LISTED:  # a story a template made of hundreds of posts: the first ones
            total = StoryPost.objects.filter(story_id=link.story_id).count() - 1
            return format_html('报道 #{}，另有 {} 篇{}（列出最早的 {} 篇）：<ul class="story-reports">{}</ul>',
                               link.story_id, total, held, LISTED, mark_safe(items))
        return format_html('报道 #{}，另有 {} 篇{}：<ul class="story-reports">{}</ul>', link.story_id, len(others), held,
                           mark_safe(items))

    @admin.action(description="移出所在报道（各自单独成为一条）", permissions=["change"])
    @revised("移出报道")
    def split_story(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        StoryPost.objects.split(ids)
        self.done(request, ids, "移出报道", "已把 {} 篇文章移出所在报道（导入不会再把它们归回）。", hold=False)

    @admin.action(description="合并为同一报道", permissions=["change"])
    @revised("合并报道")
    def join_stories(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        if len(ids) < 2:
            self.message_user(request, "请至少选择两篇文章来合并报道。", messages.WARNING)
            return
        StoryPost.objects.join(ids)
        self.done(request, ids, "合并报道", "已把 {} 篇文章所在的报道合并为一条（导入不会再拆开）。", hold=False)
