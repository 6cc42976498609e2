"""``manage.py export_jekyll DIR [--since YYYY-MM-DD] [--category KEY] [--zip FILE]``: the site as a
Jekyll tree (news/exporting). Run again into the same folder, it writes only what changed."""
import datetime
import shutil
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from news.exporting.site import FolderSink, UnsafeTarget, ZipSink, export, os_reason, select_posts


def day(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since 需要 YYYY-MM-DD 形式的日期，不是“{text}”") from None


class Command(BaseCommand):
    help = "把文章导出为 Jekyll 站点：_posts/ 文章文件、category/ 分类页面、首页和布局。"

    def add_arguments(self, parser):
        parser.add_argument("dir", nargs="?", metavar="DIR", help="写入这个文件夹（已有且内容相同的文件不重写，可中断后续跑）")
        parser.add_argument("--zip", metavar="FILE", help="写成 zip 压缩包（可与 DIR 二选一）")
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="只导出这一天（北京时间）及以后发布的文章")
        parser.add_argument("--category", metavar="KEY", help="只导出这个分类的文章")
        parser.add_argument("--quiet", action="store_true", help="不显示进度条")

    def handle(self, *args, **options):
        if bool(options["dir"]) == bool(options["zip"]):
            raise CommandError("请给出导出的文件夹 DIR，或用 --zip FILE 写成压缩包（二者选一）")
        since = day(options["since"]) if options["since"] else None
        try:
            posts = select_posts(since=since, category=options["category"])
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        whole_site = not (since or options["category"])
        try:
            sink = FolderSink(options["dir"], prune=whole_site) if options["dir"] else ZipSink(options["zip"])
        except UnsafeTarget as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"无法写入 {options['dir'] or options['zip']}：{os_reason(exc)}") from None
        columns, lines = shutil.get_terminal_size()
        progress = None
        if not options["quiet"] and sys.stderr.isatty():
            progress = tqdm(total=0, unit="篇", file=sys.stderr, ncols=columns, nrows=lines)
        try:
            report = export(posts, sink, progress, every_category=whole_site)
        except UnsafeTarget as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            kept = ("没有留下不完整的压缩包" if options["zip"] else
                    "已写完的文件保留，没有写了一半的文件；再次运行会接着写完")
            raise CommandError(f"导出没有完成：{os_reason(exc)}（{exc.filename or options['dir'] or options['zip']}）。"
                               f"{kept}。") from None
        finally:
            if progress is not None:
                progress.close()
        for problem in report.problems:
            self.stderr.write(problem)
        self.stdout.write(
            f"导出 {report.posts} 篇文章（写入 {report.written}，内容相同未重写 {report.unchanged}），"
            f"{report.categories} 个分类页面" + (f"，删除上次导出留下的 {report.removed} 个文件" if report.removed else "")
            + (f"，{len(report.problems)} 个问题" if report.problems else ""))
