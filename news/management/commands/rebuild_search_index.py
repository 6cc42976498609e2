"""``manage.py rebuild_search_index``: build the full-text index again from every post (after a
change to tokenisation, or to move to another backend), beside the live one: writes and
searches go on meanwhile and wait at most for the final swap (news/search/online.py)."""
import time

from django.core.management.base import BaseCommand, CommandError

from news import search
from news.ingest.record import ImportBusy, import_lock
from news.models import Post


class Command(BaseCommand):
    help = "重建全文搜索索引（所有文章；重建期间写入和搜索照常进行）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000, help="每批索引的文章数（默认 1000）")
        parser.add_argument("--pause", type=float, default=0.0,
                            help="每批之间停顿的秒数，把数据库让给其他写入（默认 0）")

    def handle(self, *args, batch, pause, **options):
        started = time.monotonic()
        total = Post.objects.count()

        def progress(done):
            if options["verbosity"] >= 1:
                self.stdout.write(f"已索引 {done} / {total} 篇文章", ending="\n")
                self.stdout.flush()

        try:  # one rebuild at a time: a second would replace the first one's half-built index
            with import_lock(0, name="rebuild_search_index"):
                done = search.rebuild(Post.objects.all(), batch=max(batch, 1), progress=progress,
                                      pause=max(pause, 0.0))
        except ImportBusy:
            raise CommandError("另一个重建搜索索引的进程正在运行，请等它结束。") from None
        self.stdout.write(f"已重建搜索索引：{done} 篇文章，用时 {time.monotonic() - started:.1f} 秒")
