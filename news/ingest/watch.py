"""``import_posts --watch DIR``: keep importing what the scraper drops into a folder.

Every ``interval`` seconds the folder is walked (names and ``stat`` only, nothing read) and the
files that are new or whose modification time or size changed since the last scan are imported
through the importer like any other run (one audited ImportRun per scan that found something).
A file that fails is reported once and tried again when it changes. One watcher per folder: the
watcher holds a lock named after the folder (a PostgreSQL advisory lock or a file lock, gone with
the process), so a second start finds it taken and says so.
"""
import time
from pathlib import Path

from news.ingest import record
from news.jekyll import sources


class FolderWatcher:
    def __init__(self, folder, importer, *, interval=10, report=print):
        self.folder = Path(folder).resolve()
        self.importer = importer
        self.interval = interval
        self.report = report
        self.seen = {}  # source path → (mtime, size) when last imported

    def lock(self):
        """The folder's lock; ImportBusy when another watcher holds it."""
        return record.import_lock(0, name=f"watch:{self.folder}")

    def scan(self):
        """A SourceSet of what changed since the last scan (empty entries: nothing did)."""
        found = sources.collect([self.folder], max_zip_bytes=self.importer.max_zip_bytes)
        changed = [entry for entry in found.entries
                   if entry.problem or entry.stamp is None or self.seen.get(entry.source_path) != entry.stamp]
        return sources.SourceSet(entries=changed, category_names=found.category_names)

    def once(self):
        """Import what changed; returns the report, or None when nothing did."""
        changed = self.scan()
        if not changed.entries:
            return None
        report = self.importer.run(changed, source_label=f"{self.folder}（监视）")
        for entry in changed.entries:
            self.seen[entry.source_path] = entry.stamp
        return report

    def run(self, cycles=None):
        """Scan every ``interval`` seconds until the importer is asked to stop (or ``cycles``)."""
        done = 0
        while not self.importer.stop_requested and (cycles is None or done < cycles):
            report = self.once()
            if report is not None:
                self.report(report)
            done += 1
            deadline = time.monotonic() + self.interval
            while (cycles is None or done < cycles) and not self.importer.stop_requested and time.monotonic() < deadline:
                time.sleep(0.2)
