"""Finding what to import: files, folders and zips become entries, sorted into candidates,
skipped names and problems. Which names are posts is the parser's call (``post_name``)."""
from dataclasses import dataclass, field

from news.ingest.parse import FAILED, OUTCOME_LABELS, SKIPPED
from news.jekyll import PostError
from news.jekyll import sources as jekyll_sources
from news.jekyll.filenames import MARKDOWN_EXTENSIONS
from news.jekyll.post import NAME_RULE, NotAPost, dated_file_name, post_name

UPLOAD_NAME_BYTES = 5 * 1024 * 1024  # a file over the import's size limit is refused by it anyway


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
            found.entries.append(_loose_upload(path))
    return found


def _loose_upload(path):
    """An uploaded post file: ``_posts/<its name>``; a Markdown or HTML file named without its date
    takes its front matter's (``央行降准快讯.md`` → ``_posts/2026-12-06-央行降准快讯.md``), and one
    with none is refused, saying the rule."""
    entry = jekyll_sources.file_entry(path, f"_posts/{path.name}", path.name)
    try:
        post_name(entry.source_path)
        return entry
    except PostError:
        return entry  # a post name with an impossible date: the parser says so
    except NotAPost:
        pass
    if path.suffix.lower() not in (*MARKDOWN_EXTENSIONS, ".html") or path.name.startswith((".", "_", "#")):
        return entry
    renamed = dated_file_name(path.name, path.read_bytes()) if entry.size <= UPLOAD_NAME_BYTES else None
    if renamed is None:
        return jekyll_sources.Entry(path.name, entry.source_path, problem=f"{NAME_RULE}：这个文件两样都没有，不知道它的日期")
    entry.source_path, entry.label = f"_posts/{renamed}", f"{path.name}（按 front matter 的日期命名为 {renamed}）"
    return entry


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
