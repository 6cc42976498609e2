"""The one import service: turns Jekyll post files into posts.

``import_posts``, the admin upload screen and the demo generator are thin front ends over
:class:`Importer`, which runs the parts in ``news/ingest/``: find the files, parse them (in
worker processes on the command line), write each batch through the one write path, record the
run. Guarantees: keyed by source path, so a second run changes nothing; every batch is one
transaction; bad files and bad category names are reported, never fatal; one import writes at a
time.
"""
import os
import time
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from news.changes import revisions
from news.ingest import find, record
from news.ingest.find import FileOutcome
from news.ingest.parse import FAILED, KEPT, OUTCOME_LABELS, SKIPPED, Parser  # noqa: F401 (re-exported)
from news.ingest.record import ImportBusy, ImportReport  # noqa: F401 (re-exported)
from news.ingest.write import BatchWriter, ensure_named_categories
from news.jekyll import PostError
from news.jekyll.post import content_hash
from news.models import ImportRun
from news.text import xml_text


def read_category_names(path):
    """``key<TAB>name`` lines (no header), as in ``categories.tsv``."""
    names = {}
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            key, sep, name = xml_text(line).partition("\t")
            if not sep or not key:
                raise ValueError(f"{path} 第 {number} 行不是“键<TAB>名称”的形式")
            names[key] = name
    return names


@dataclass
class Prepared:
    """A batch read from disk: what to parse (being parsed), and the rows it may update."""

    to_parse: list
    existing: dict
    pending: object


ORIGIN_ACTIONS = {ImportRun.Origin.COMMAND: "命令行导入", ImportRun.Origin.ADMIN: "后台导入",
                  ImportRun.Origin.API: "接口"}


class Importer:
    def __init__(
        self, *, dry_run=False, category_names=None, workers=None, batch_size=500, batch_bytes=None,
        max_file_bytes=None, max_zip_bytes=None, old_hosts=None, user=None,
        origin=ImportRun.Origin.COMMAND, progress=None, lock_wait=0, on_run=None, token=None, force=False,
        path=None,
    ):
        self.dry_run = dry_run
        self.explicit_names = dict(category_names or {})
        # Worker processes only where asked for: a web process never forks.
        self.workers = workers if workers is not None else 1
        self.batch_size = batch_size
        # A batch also ends at this many bytes of files: what one batch's parsed posts, search
        # tokens and SQL cost in memory is several times its files' size.
        self.batch_bytes = batch_bytes or settings.FINEWS_IMPORT_BATCH_BYTES
        self.max_file_bytes = max_file_bytes or settings.FINEWS_IMPORT_MAX_FILE_BYTES
        self.max_zip_bytes = max_zip_bytes or settings.FINEWS_IMPORT_MAX_ZIP_BYTES
        self.old_hosts = tuple(settings.FINEWS_OLD_SITE_HOSTS if old_hosts is None else old_hosts)
        self.user = user
        self.origin = origin
        self.path = path  # how the metrics name the way its posts came (default: api or import)
        self.progress = progress
        self.lock_wait = lock_wait
        self.on_run = on_run  # called with the ImportRun as soon as it exists (progress pages)
        self.token = token  # the API's: it creates posts and updates only those it created
        self.force = force  # overwrite what editors changed, bring back what they deleted
        # Set (to a reason) by a signal handler: the run stops at the next batch boundary, where
        # nothing is half-done, instead of wherever the signal happened to land.
        self.stop_requested = None

    @classmethod
    def default_workers(cls):
        return min(2, os.cpu_count() or 1)

    def import_paths(self, paths):
        found = find.collect_paths(paths, self.max_zip_bytes)
        try:
            return self.run(found, source_label=" ".join(str(p) for p in paths))
        finally:
            found.close()

    def import_uploads(self, paths):
        found = find.collect_uploads(paths, self.max_zip_bytes)
        try:
            return self.run(found, source_label=", ".join(p.name for p in paths))
        finally:
            found.close()

    def run(self, found, *, source_label=""):
        """Import everything ``found``; raises ImportBusy (before writing anything) while another
        import holds the lock. A dry run takes no lock and rolls everything back."""
        with nullcontext() if self.dry_run else record.import_lock(self.lock_wait, stop=lambda: self.stop_requested):
            started = time.perf_counter()
            report = ImportReport(dry_run=self.dry_run)
            failure = None
            try:
                report.run = record.start_run(
                    user=self.user, origin=self.origin, source=source_label, dry_run=self.dry_run)
                if self.on_run is not None:
                    self.on_run(report.run)
                with transaction.atomic() if self.dry_run else nullcontext(), revisions.acting(
                        ORIGIN_ACTIONS.get(self.origin, "导入"), user=self.user, token=self.token, run=report.run,
                        path=self.path or ("api" if self.origin == ImportRun.Origin.API else "import")):
                    self._import(found, report)
                    if self.dry_run:
                        transaction.set_rollback(True)
            except BaseException as exc:
                failure = exc
                raise
            finally:
                report.elapsed = time.perf_counter() - started
                if report.run is not None:
                    record.close_run(report.run, report, failure)
        return report

    def _import(self, found, report):
        names = {**found.category_names, **self.explicit_names}
        with transaction.atomic():
            problems = ensure_named_categories(names)
        for key, problem in problems.items():
            report.outcomes.append(FileOutcome(f"分类 {key[:80]}", key[:200], FAILED, problem))
        candidates, outcomes = find.triage(found.entries)
        report.outcomes += outcomes
        if not self.dry_run:  # for progress bars: how many files this run will go through
            ImportRun.objects.filter(pk=report.run.pk).update(total=len(candidates) + len(outcomes))
        if self.progress is not None:
            self.progress.reset(total=len(candidates))
        may_publish = self.user is None or self.user.has_perm("news.publish_post")
        writer = BatchWriter({k: v for k, v in names.items() if k not in problems}, self.token, self.force, may_publish)
        parser = Parser(self.workers, self.old_hosts, budget=settings.FINEWS_IMPORT_POST_SECONDS)
        parser.start(len(candidates))
        try:
            # Worker processes keep a couple of batches ahead of the writer; parsed here, a batch
            # is written at once (nothing runs meanwhile, and one batch in memory is enough).
            ahead = 2 if parser.pool is not None else 0
            pending = []
            for batch in self._batches(candidates):
                pending.append(self._prepare(batch, report, writer, parser))
                if len(pending) > ahead:
                    self._write(pending.pop(0), report, writer)
            for prepared in pending:
                self._write(prepared, report, writer)
        finally:
            # Runs stop only between batches (stop_requested), so the workers can always finish
            # their chunk and leave cleanly; killing them mid-message hangs the executor at exit.
            parser.close()
            if self.progress is not None:
                self.progress.close()

    def _batches(self, candidates):
        """Runs of at most ``batch_size`` files and ``batch_bytes`` bytes (at least one file)."""
        batch, size = [], 0
        for entry in candidates:
            if batch and (len(batch) >= self.batch_size or size + entry.size > self.batch_bytes):
                yield batch
                batch, size = [], 0
            batch.append(entry)
            size += entry.size
        if batch:
            yield batch

    def _step(self, count=1):
        if self.progress is not None:
            self.progress.update(count)

    def _check_stop(self):
        if self.stop_requested:
            raise record.Interrupted(self.stop_requested)

    def _prepare(self, batch, report, writer, parser):
        """Read and hash a batch; start parsing what changed."""
        self._check_stop()
        loaded = []
        for entry in batch:
            try:
                data = entry.load(self.max_file_bytes)
            except (PostError, OSError, ValueError) as exc:
                report.outcomes.append(FileOutcome(entry.label, entry.source_path, FAILED, str(exc)))
                self._step()
                continue
            loaded.append((entry, data, content_hash(data)))
        existing = writer.existing([entry.source_path for entry, _, _ in loaded])
        to_parse = []
        kept = []
        for entry, data, digest in loaded:
            row = existing.get(entry.source_path)
            refused = writer.refusal(entry, row)
            if refused is not None:
                report.outcomes.append(refused)
                kept.append((refused.post_id, refused.reason))
                self._step()
            elif row and not row.get("tombstone") and row["content_hash"] == digest:
                report.outcomes.append(writer.unchanged(entry, row))
                self._step()
            else:
                to_parse.append((entry, data, digest))
        revisions.refused(kept)  # each refused attempt shows in the post's history
        pending = parser.submit([(entry.source_path, data, digest) for entry, data, digest in to_parse])
        return Prepared([entry for entry, _, _ in to_parse], existing, pending)

    def _write(self, prepared, report, writer):
        self._check_stop()
        items = []
        for entry, parsed in zip(prepared.to_parse, prepared.pending.results(), strict=True):
            if parsed.post is None:
                report.outcomes.append(FileOutcome(entry.label, entry.source_path, parsed.outcome,
                                                   parsed.reason))
            else:
                items.append((entry, parsed.post))
        with transaction.atomic():  # the batch and the counts that include it commit together
            report.outcomes += writer.write(items, prepared.existing)
            if not self.dry_run:
                record.save_counts(report.run, report)
        revisions.flush()  # the batch's posts as written
        self._step(len(prepared.to_parse))
