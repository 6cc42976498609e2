"""``manage.py rebuild_search_index``: empty the full-text index and fill it again from every
post (after a change to tokenisation, or to move to another backend)."""
import time

from django.core.management.base import BaseCommand

from news import search
from news.models import Post


class Command(BaseCommand):
    help = "重建全文搜索索引（所有文章）"

    def handle(self, *args, **options):
        started = time.monotonic()
        done = search.rebuild(Post.objects.all())
        self.stdout.write(f"已重建搜索索引：{done} 篇文章，用时 {time.monotonic() - started:.1f} 秒")
