"""``manage.py apply_rules``: apply the rules in force to the posts a site already holds (after
rules were added or changed), in id order, a batch per transaction, so the site keeps serving and
writing meanwhile. Posts written since are ruled as they are written; running it again changes
only what differs, and ``--after ID`` goes on after the last id a stopped run printed. What an
editor set by hand stays (RuleHold); each post the rules changed gets a revision."""
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from news import changes
from news.changes import revisions, ruling
from news.ingest.record import ImportBusy, import_lock
from news.models import Post


class Command(BaseCommand):
    help = "把现有规则应用到已有文章（可中断后用 --after 续跑，运行期间网站照常服务）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="每批处理的文章数（默认 500）")
        parser.add_argument("--after", type=int, default=0, help="从这个文章 id 之后开始（续跑时用上次打印的 id）")
        parser.add_argument("--since-hours", type=int, default=0,
                            help="只处理发布时间在最近这么多小时内的文章（默认 0：全部）")
        parser.add_argument("--pause", type=float, default=0.0,
                            help="每批之间停顿的秒数，把数据库让给其他写入（默认 0）")

    def handle(self, *args, batch, after, since_hours, pause, **options):
        started, last, done, changed, routed = time.monotonic(), after, 0, 0, 0
        posts = Post.objects.all()
        if since_hours > 0:
            from django.utils import timezone

            posts = posts.filter(published_at__gte=timezone.now() - timezone.timedelta(hours=since_hours))
        total = posts.filter(pk__gt=after).count()
        rules = ruling.ruleset()
        try:
            with import_lock(0, name="apply_rules"):
                while True:
                    with revisions.acting("应用规则"), transaction.atomic():
                        # locked for the batch: a post unpublished meanwhile waits, its links stay true
                        found = list(posts.filter(pk__gt=last).order_by("pk").select_for_update()[: max(batch, 1)].only(
                            *ruling.PREVIEW_FIELDS, "summary", "source_path"))
                        if not found:
                            break
                        outcome = changes.apply_rules(found, rules)
                    last, done = found[-1].pk, done + len(found)
                    changed, routed = changed + len(outcome.changed), routed + len(outcome.routed)
                    if options["verbosity"] >= 1:
                        self.stdout.write(f"已处理 {done} / {total} 篇文章（到 id {last}）")
                        self.stdout.flush()
                    if pause > 0:
                        time.sleep(pause)
        except ImportBusy:
            raise CommandError("另一个 apply_rules 正在运行，请等它结束。") from None
        for key, reason in rules.stopped.items():
            self.stderr.write(f"规则 #{key} 已停用：{reason}")
        self.stdout.write(f"完成：处理 {done} 篇文章，规则改动 {changed} 篇，频道变动 {routed} 篇，"
                          f"用时 {time.monotonic() - started:.1f} 秒")
