"""``manage.py import_posts PATH [PATH ...]`` (or ``--watch DIR``): a thin front end over
news.ingest.importer.Importer and news.ingest.watch.FolderWatcher."""
import shutil
import signal
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError
from tqdm import tqdm

from news.ingest.importer import FAILED, KEPT, OUTCOME_LABELS, SKIPPED, ImportBusy, Importer, read_category_names
from news.ingest.watch import FolderWatcher


class StopOnSignal:
    """Ctrl-C or SIGTERM asks the importer to stop after the batch it is writing (it then rolls
    nothing back and leaves no worker); a second one stops at once."""

    def __init__(self, importer):
        self.importer = importer

    def __call__(self, signum, frame):
        if self.importer.stop_requested:
            raise KeyboardInterrupt
        self.importer.stop_requested = f"收到信号 {signal.Signals(signum).name}"


class Command(BaseCommand):
    help = "导入 Jekyll 文章：文章文件、站点文件夹（或 _posts 文件夹）或它们的 .zip 压缩包。"
    # Run by cron and scripts over and over: the system checks (which load every URL and page
    # module) are for runserver, migrate and `manage.py check`, not for each import.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", metavar="PATH")
        parser.add_argument("--watch", metavar="DIR",
                            help="监视这个文件夹：每隔 --interval 秒导入新增或改动的文件，直到 Ctrl-C / SIGTERM")
        parser.add_argument("--interval", type=float, default=10, metavar="SECONDS", help="监视时两次扫描的间隔（默认 10 秒）")
        parser.add_argument("--dry-run", action="store_true", help="只报告会发生的变化，不写数据库")
        parser.add_argument(
            "--category-names", metavar="FILE.tsv",
            help="分类显示名称文件，每行“键<TAB>名称”，无表头",
        )
        parser.add_argument("--quiet", action="store_true", help="不显示进度条和逐个文件的报告")
        parser.add_argument("--force", action="store_true",
                            help="覆盖编辑修改过的文章，重新导入编辑删除的文章（默认保留编辑修改）")
        parser.add_argument("--workers", type=int, default=Importer.default_workers(),
                            help="解析用的进程数（默认 2；1 表示不另开进程）")
        parser.add_argument("--wait", type=float, default=600, metavar="SECONDS",
                            help="另一个导入正在进行时最多等多久（默认 600 秒）")
        parser.add_argument("--batch-size", type=int, default=500, help="每个事务写入的文章数")
        parser.add_argument(
            "--max-file-size", type=int, default=None, metavar="BYTES",
            help="单个文件的大小上限（默认取设置 FINEWS_IMPORT_MAX_FILE_BYTES，5 MB）",
        )

    def handle(self, *args, **options):
        if bool(options["paths"]) == bool(options["watch"]):
            raise CommandError("请给出要导入的路径，或用 --watch DIR 监视一个文件夹（二者选一）")
        names = {}
        if options["category_names"]:
            try:
                names = read_category_names(options["category_names"])
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise CommandError(f"无法读取分类名称文件：{exc}") from exc
        show_bar = not options["quiet"] and not options["watch"] and sys.stderr.isatty()
        # A terminal that reports no size (some CI and container ptys say 0x0) gets 80x24:
        # tqdm would otherwise draw the bar zero wide and hide it below row 0.
        columns, lines = shutil.get_terminal_size()
        progress = tqdm(
            total=0, unit="篇", file=sys.stderr, ncols=columns, nrows=lines,
        ) if show_bar else None
        importer = Importer(
            dry_run=options["dry_run"], category_names=names, workers=options["workers"],
            batch_size=options["batch_size"], max_file_bytes=options["max_file_size"],
            progress=progress, lock_wait=options["wait"], force=options["force"],
            path="watch" if options["watch"] else "import",
        )
        handler = StopOnSignal(importer)
        previous = {number: signal.signal(number, handler) for number in (signal.SIGINT, signal.SIGTERM)}
        if options["watch"]:
            try:
                return self.watch(importer, options)
            finally:
                for number, old in previous.items():
                    signal.signal(number, old)
        try:
            report = importer.import_paths(options["paths"])
        except ImportBusy as exc:
            raise CommandError(str(exc)) from None
        except KeyboardInterrupt:
            raise CommandError("导入被中断；已提交的批次保留，再次运行会接着完成。", returncode=130) from None
        except (OperationalError, InterfaceError) as exc:
            reason = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
            raise CommandError(f"数据库连接中断，导入没有完成（{reason}）。已提交的批次保留；"
                               "数据库恢复后再次运行，会接着完成。", returncode=1) from None
        finally:
            for number, old in previous.items():
                signal.signal(number, old)

        self.show(report, options)
        if not report.ok:
            raise CommandError(f"{report.counts[FAILED]} 个文件导入失败", returncode=1)

    def watch(self, importer, options):
        folder = Path(options["watch"])
        if not folder.is_dir():
            raise CommandError(f"不是文件夹：{folder}")
        watcher = FolderWatcher(folder, importer, interval=options["interval"],
                                report=lambda report: self.show(report, options))
        try:
            with watcher.lock():
                self.stdout.write(f"开始监视 {watcher.folder}，每 {options['interval']:g} 秒扫描一次；Ctrl-C 结束。")
                watcher.run()
        except ImportBusy:
            self.stdout.write(f"已有另一个进程在监视 {watcher.folder}，本次不再启动。")
            return
        except KeyboardInterrupt:
            pass
        self.stdout.write("监视已结束。")

    def show(self, report, options):
        for item in report.outcomes:
            if item.outcome == FAILED:
                self.stderr.write(f"失败 {item.label}: {item.reason}")
            elif item.outcome == SKIPPED and not options["quiet"]:
                self.stdout.write(f"跳过 {item.label}: {item.reason}")
            elif item.outcome == KEPT:
                self.stdout.write(f"保留编辑修改 {item.label}: {item.reason}")
            if item.warnings and not options["quiet"]:
                for warning in item.warnings:
                    self.stdout.write(f"注意 {item.label}: {warning}")
        counts = report.counts
        summary = "，".join(f"{OUTCOME_LABELS[k]} {v}" for k, v in counts.items())
        prefix = "试运行（未写入）：" if report.dry_run else ""
        self.stdout.write(
            f"{prefix}{summary}；用时 {report.elapsed:.2f} 秒，"
            f"{report.posts_per_second:.0f} 篇/秒"
        )
