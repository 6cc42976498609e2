"""Recording an import run, and keeping two runs from writing at once.

The ``ImportRun`` row is written when the run starts (状态 进行中), its counts after every batch
that commits, and its end state in a ``finally``: a run that is interrupted says so, and one killed
outright is left "running" with the counts it had committed, until the next writing run takes the
lock and closes it as 被中断.
"""
import fcntl
import hashlib
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, connection
from django.utils import timezone

from news.ingest.parse import CREATED, FAILED, OUTCOME_LABELS, SKIPPED, UPDATED, signals_held
from news.models import ImportRun

LOCK_ID = 0x66696E657773  # "finews"


class ImportBusy(Exception):
    """Another import is writing; this one did not start."""


class Interrupted(KeyboardInterrupt):
    """The run stopped between two batches because its process was asked to (Ctrl-C, SIGTERM)."""


@dataclass
class ImportReport:
    outcomes: list = field(default_factory=list)
    elapsed: float = 0.0
    dry_run: bool = False
    run: ImportRun = None

    def count(self, outcome):
        return sum(1 for item in self.outcomes if item.outcome == outcome)

    @property
    def counts(self):
        return {outcome: self.count(outcome) for outcome in OUTCOME_LABELS}

    @property
    def processed(self):
        return sum(1 for item in self.outcomes if item.outcome != SKIPPED)

    @property
    def posts_per_second(self):
        return self.processed / self.elapsed if self.elapsed else 0.0

    @property
    def failures(self):
        return [item for item in self.outcomes if item.outcome == FAILED]

    @property
    def ok(self):
        return not self.failures

    @property
    def changed(self):
        return any(item.outcome in (CREATED, UPDATED) for item in self.outcomes)


def start_run(*, user, origin, source, dry_run):
    """The run's record. A writing run holds the import lock, so a writing run still marked
    进行中 now was left so by a process that died (``kill -9``, a lost machine): it is closed as
    被中断 first. (Dry runs take no lock and are left alone.)"""
    if not dry_run:
        ImportRun.objects.filter(state=ImportRun.State.RUNNING, dry_run=False).update(
            state=ImportRun.State.INTERRUPTED, finished_at=timezone.now())
    return ImportRun.objects.create(
        user=user, origin=origin, source=source[:5000], dry_run=dry_run, state=ImportRun.State.RUNNING)


def save_counts(run, report, state=None):
    """Write the counts so far (and the end state, if given) onto the run's record."""
    for outcome, number in report.counts.items():
        setattr(run, outcome, number)
    run.errors = [{"file": item.label, "reason": item.reason} for item in report.failures[:1000]]
    fields = [*OUTCOME_LABELS, "errors"]
    if state:
        run.state, run.finished_at = state, timezone.now()
        fields += ["state", "finished_at"]
    run.save(update_fields=fields)


def close_run(run, report, exc):
    """Write how the run ended. A finished run gets its final counts; a failed or interrupted one
    keeps the counts already on its record, which were committed with the batches they count
    (the in-memory report may hold outcomes of a batch that was rolled back)."""
    state = end_state(exc)
    if state == ImportRun.State.FINISHED or report.dry_run:
        save_counts(run, report, state)
        return
    run.state, run.finished_at = state, timezone.now()
    with signals_held():
        try:
            ImportRun.objects.filter(pk=run.pk).update(state=run.state, finished_at=run.finished_at)
        except DatabaseError:
            connection.close()  # a query cut short by the signal can leave the connection unusable
            ImportRun.objects.filter(pk=run.pk).update(state=run.state, finished_at=run.finished_at)


def end_state(exc):
    if exc is None:
        return ImportRun.State.FINISHED
    if isinstance(exc, KeyboardInterrupt):
        return ImportRun.State.INTERRUPTED
    return ImportRun.State.FAILED


@contextmanager
def import_lock(wait_seconds, stop=lambda: None, name=None):
    """Hold the site-wide import lock (or the lock called ``name``, e.g. one folder's watcher),
    waiting up to ``wait_seconds`` for it (ImportBusy after).

    PostgreSQL: a session advisory lock. SQLite: an exclusive ``flock`` on a file beside the
    database. Both go away with the process, however it ends, so a killed run never blocks the next.
    """
    lock_id = LOCK_ID if name is None else int(hashlib.sha256(name.encode()).hexdigest()[:15], 16)
    if connection.vendor == "postgresql":
        acquire, release = _pg_lock(lock_id)
    elif connection.vendor == "sqlite":
        acquire, release = _file_lock(str(connection.settings_dict["NAME"]), lock_id)
    else:
        acquire, release = (lambda: True), (lambda held: None)
    deadline = time.monotonic() + wait_seconds
    held = False
    try:
        while not (held := acquire()):
            if time.monotonic() >= deadline:
                raise ImportBusy("另一个导入正在进行，请等它结束后再试。")
            if stop():
                raise Interrupted(stop())
            time.sleep(0.2)
        yield
    finally:
        release(held)


def _pg_lock(lock_id):
    def acquire():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id])
            return cursor.fetchone()[0]

    def release(held):
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])

    return acquire, release


def _file_lock(database_name, lock_id):
    suffix = "import-lock" if lock_id == LOCK_ID else f"{lock_id:x}.lock"
    if Path(database_name).parent.is_dir() and not database_name.startswith("file:"):
        path = Path(f"{database_name}.{suffix}")
    else:  # an in-memory database (tests): one lock per name, in the temp folder
        digest = hashlib.sha256(database_name.encode()).hexdigest()[:16]
        path = Path(tempfile.gettempdir()) / f"finews-{digest}.{suffix}"
    handle = open(path, "a+b")  # noqa: SIM115 (held for the whole run; release() closes it)

    def acquire():
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def release(held):
        if held:
            fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()

    return acquire, release
