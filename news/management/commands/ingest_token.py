"""``manage.py ingest_token NAME``: a new key for a scraper to post through /api/posts/. The key
is printed once, on the last line; only its hash is stored. Revoke it in the admin."""
from django.core.management.base import BaseCommand, CommandError

from news.models import IngestToken


class Command(BaseCommand):
    help = "为采集程序创建接口令牌（只显示一次）"

    def add_arguments(self, parser):
        parser.add_argument("name", help="令牌名称，例如采集程序的名字")

    def handle(self, *args, name, **options):
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("名称不能为空，且不超过 100 个字符")
        if IngestToken.objects.filter(name=name).exists():
            raise CommandError(f"已有名为“{name}”的令牌；请换一个名称，或在后台撤销旧的后删除")
        token, key = IngestToken.issue(name)
        self.stdout.write(f"已创建令牌“{token.name}”。请妥善保存，它只显示这一次：")
        self.stdout.write(key)
