"""``manage.py extract_securities``: link the posts a site already holds to the securities they name
(news/securities/), in id order, a batch per transaction, so the site keeps serving and writing
meanwhile. Posts written since the upgrade have their links already; running it again changes
only what differs, and ``--after ID`` goes on after the last id a stopped run printed."""
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from news.ingest.record import ImportBusy, import_lock
from news.models import Post, PostSecurity
from news.signals import posts_changed


class Command(BaseCommand):
    help = "从已有文章中找出提到的证券（可中断后用 --after 续跑，运行期间网站照常服务）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="每批处理的文章数（默认 500）")
        parser.add_argument("--after", type=int, default=0, help="从这个文章 id 之后开始（续跑时用上次打印的 id）")
        parser.add_argument("--pause", type=float, default=0.0,
                            help="每批之间停顿的秒数，把数据库让给其他写入（默认 0）")

    def handle(self, *args, batch, after, pause, **options):
        started, last, done = time.monotonic(), after, 0
        total = Post.objects.filter(pk__gt=after).count()
        try:
            with import_lock(0, name="extract_securities"):
                while True:
                    with transaction.atomic():
                        posts = list(Post.objects.filter(pk__gt=last).order_by("pk")[: max(batch, 1)].only(
                            "title", "body_html", "published_at", "status", "source_path"))
                        if not posts:
                            break
                        changed, rewritten = PostSecurity.objects.extract(posts)
                        if rewritten:  # the securities' pages, and the lists showing those posts
                            posts_changed.send(sender=Post, ids=sorted(rewritten), securities=sorted(changed))
                    last, done = posts[-1].pk, done + len(posts)
                    if options["verbosity"] >= 1:
                        self.stdout.write(f"已处理 {done} / {total} 篇文章（到 id {last}）")
                        self.stdout.flush()
                    if pause > 0:
                        time.sleep(pause)
        except ImportBusy:
            raise CommandError("另一个 extract_securities 正在运行，请等它结束。") from None
        count = PostSecurity.objects.values("security").distinct().count()
        self.stdout.write(f"完成：处理 {done} 篇文章，全站共有 {count} 个被提到的证券，用时 {time.monotonic() - started:.1f} 秒")
