"""``manage.py assign_stories``: put the posts a site already holds into stories (news/models/stories.py),
oldest first, a batch per transaction, so the site keeps serving and writing meanwhile. Posts
written since the upgrade have their story already; a run stopped half-way goes on where it
stopped (it takes the posts that have none yet)."""
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from news.changes import revisions
from news.ingest.record import ImportBusy, import_lock
from news.models import Post, StoryPost
from news.signals import posts_changed


class Command(BaseCommand):
    help = "把已有文章归入报道（同一消息的各家来源；可中断后续跑，运行期间网站照常服务）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="每批处理的文章数（默认 500）")
        parser.add_argument("--pause", type=float, default=0.0,
                            help="每批之间停顿的秒数，把数据库让给其他写入（默认 0）")

    def handle(self, *args, batch, pause, **options):
        started = time.monotonic()
        waiting = Post.objects.filter(story_link__isnull=True)
        total, done = waiting.count(), 0
        try:
            with import_lock(0, name="assign_stories"):
                while True:
                    with transaction.atomic(), revisions.acting("归入报道"):
                        posts = list(waiting.order_by("published_at", "pk")[: max(batch, 1)].only(
                            "title", "body_html", "published_at"))
                        if not posts:
                            break
                        affected = StoryPost.objects.assign(posts) | {post.pk for post in posts}
                        posts_changed.send(sender=Post, ids=sorted(affected))
                    done += len(posts)
                    if options["verbosity"] >= 1:
                        self.stdout.write(f"已归入 {done} / {total} 篇文章")
                        self.stdout.flush()
                    if pause > 0:
                        time.sleep(pause)
        except ImportBusy:
            raise CommandError("另一个 assign_stories 正在运行，请等它结束。") from None
        stories = StoryPost.objects.values("story").distinct().count()
        self.stdout.write(f"完成：{done} 篇文章归入报道（全站共 {stories} 条报道），用时 {time.monotonic() - started:.1f} 秒")
