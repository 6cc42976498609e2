"""Finding what to import: files, folders and zips become entries, sorted into candidates,
skipped names and problems. Which names are posts is the parser's call (``post_name``)."""
from dataclasses import dataclass, field

from news.ingest.parse import FAILED, OUTCOME_LABELS, SKIPPED
from news.jekyll import PostError
from news.jekyll import sources as jekyll_sources
from news.jekyll.post import NotAPost, post_name


@dataclass
class FileOutcome:
    label: str
    source_path: str
    outcome: str
    reason: str = ""
    url: str = ""
    post_id: int = None
    warnings: list = field(default_factory=list)

    @property
    def outcome_label(self):
        return OUTCOME_LABELS[self.outcome]


def collect_paths(paths, max_zip_bytes):
    """A SourceSet for files, folders and zips named on the command line."""
    return jekyll_sources.collect(paths, max_zip_bytes=max_zip_bytes)


def collect_uploads(paths, max_zip_bytes):
    """A SourceSet for uploaded files staged on disk: ``.zip`` trees, or loose post files (each
    is ``_posts/<its name>``, whatever folder it was staged in)."""
    found = jekyll_sources.SourceSet()
    for path in paths:
        if path.suffix.lower() == ".zip":
            jekyll_sources.add_zip(path, found, label=path.name, max_zip_bytes=max_zip_bytes)
        else:
            found.entries.append(jekyll_sources.file_entry(path, f"_posts/{path.name}", path.name))
    return found


def triage(entries):
    """``(candidates, outcomes)``: entries worth reading, and the failed or skipped others."""
    candidates, outcomes, seen = [], [], set()
    for entry in entries:
        if entry.problem:
            outcomes.append(FileOutcome(entry.label, entry.source_path, FAILED, entry.problem))
            continue
        try:
            post_name(entry.source_path)
        except NotAPost as exc:
            outcomes.append(FileOutcome(entry.label, entry.source_path, SKIPPED, str(exc)))
            continue
        except PostError:
            pass  # an impossible date: parsing reports it as a failure
        if entry.source_path in seen:
            outcomes.append(FileOutcome(
                entry.label, entry.source_path, FAILED, "同一来源路径在本次导入中出现了两次"))
            continue
        seen.add(entry.source_path)
        candidates.append(entry)
    return candidates, outcomes
