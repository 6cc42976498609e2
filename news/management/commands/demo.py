"""``manage.py demo``: fill an empty site with generated posts so there is something to look at."""
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand

from news.demo import write_site
from news.ingest.importer import Importer, read_category_names
from news.models import Post


class Command(BaseCommand):
    help = "生成演示用的文章并导入（数据库里已有文章时什么也不做，除非加 --force）。"

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=300)
        parser.add_argument("--sources", type=int, default=12)
        parser.add_argument("--force", action="store_true", help="即使已有文章也再生成一批")

    def handle(self, *args, **options):
        if Post.objects.exists() and not options["force"]:
            self.stdout.write("数据库里已有文章，跳过演示数据。")
            return
        with tempfile.TemporaryDirectory() as folder:
            write_site(folder, posts=options["posts"], sources=options["sources"], body_bytes=1500,
                       reposts=0.25)
            names = read_category_names(Path(folder) / "categories.tsv")
            report = Importer(category_names=names, lock_wait=60).import_paths([folder])
        # A few marked 重要, as an editor would, so 只看重要 has something to show.
        newest = Post.objects.published().newest_first().values_list("pk", flat=True)[:60]
        marked = Post.objects.filter(pk__in=list(newest)[::12]).set_important(True)
        self.stdout.write(f"演示数据：新建 {report.count('created')} 篇文章，其中 {len(marked)} 篇标为重要。")
