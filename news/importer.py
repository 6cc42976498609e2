"""The one import service: turns Jekyll post files into Post rows.

The ``import_posts`` command and the admin upload screen are thin front ends over
:class:`Importer`. Guarantees: keyed by source path, so a second run changes nothing; every batch
is one transaction, and a batch that fails is retried post by post so one bad post never takes
its neighbours down or leaves half a post behind; bad files are reported, never fatal.
"""
import logging
import os
import time
from contextlib import nullcontext
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from taggit.models import Tag

from .jekyll import PostError, parse_post
from .jekyll import sources as jekyll_sources
from .jekyll.filenames import is_readable_post_path, parse_post_name, split_posts_path
from .jekyll.post import NotAPost, content_hash
from .models import (
    Category, CategoryAlias, ImportRun, LegacyURL, Post, PostCategory, TaggedPost, unique_slug,
)

logger = logging.getLogger(__name__)

# Sent once per import run that changed something (never per post): caches listen to it.
posts_imported = Signal()

CREATED, UPDATED, UNCHANGED, FAILED, SKIPPED = "created", "updated", "unchanged", "failed", "skipped"
OUTCOME_LABELS = {
    CREATED: "新建", UPDATED: "更新", UNCHANGED: "未变", FAILED: "失败", SKIPPED: "跳过",
}
POST_FIELDS = [
    "title", "slug", "published_at", "url_path", "summary", "body_markdown", "body_html",
    "source_url", "status", "content_hash", "extra", "imported_at", "updated_at",
]


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


def read_category_names(path):
    """``slug<TAB>name`` lines (no header), as in ``categories.tsv``."""
    names = {}
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            key, sep, name = line.partition("\t")
            if not sep or not key:
                raise ValueError(f"{path} 第 {number} 行不是“键<TAB>名称”的形式")
            names[key] = name
    return names


def _parse_chunk(items, old_hosts):
    """Runs in a worker process: parse each (source_path, data, digest), never raising."""
    results = []
    for source_path, data, digest in items:
        try:
            results.append(parse_post(source_path, data, old_hosts=old_hosts, digest=digest))
        except NotAPost as exc:
            results.append((SKIPPED, str(exc)))
        except PostError as exc:
            results.append((FAILED, str(exc)))
        except Exception as exc:  # a parser bug must not kill the run: report it per file
            results.append((FAILED, f"解析出错：{exc.__class__.__name__}: {exc}"))
    return results


class Importer:
    def __init__(
        self, *, dry_run=False, category_names=None, workers=None, batch_size=500,
        max_file_bytes=None, max_zip_bytes=None, old_hosts=None, user=None,
        origin=ImportRun.Origin.COMMAND, progress=None,
    ):
        self.dry_run = dry_run
        self.explicit_names = dict(category_names or {})
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self.batch_size = batch_size
        self.max_file_bytes = max_file_bytes or settings.FINEWS_IMPORT_MAX_FILE_BYTES
        self.max_zip_bytes = max_zip_bytes or settings.FINEWS_IMPORT_MAX_ZIP_BYTES
        self.old_hosts = tuple(settings.FINEWS_OLD_SITE_HOSTS if old_hosts is None else old_hosts)
        self.user = user
        self.origin = origin
        self.progress = progress

    # --- front doors -----------------------------------------------------------------------
    def import_paths(self, paths):
        found = jekyll_sources.collect(paths, max_zip_bytes=self.max_zip_bytes)
        try:
            return self.run(found, source_label=" ".join(str(p) for p in paths))
        finally:
            found.close()

    def collect_paths_for_upload(self, paths):
        """A SourceSet for uploaded files staged on disk: ``.zip`` trees, or loose post files
        (each is ``_posts/<its name>``, whatever folder it was staged in)."""
        found = jekyll_sources.SourceSet()
        for path in paths:
            if path.suffix.lower() == ".zip":
                jekyll_sources.add_zip(path, found, label=path.name, max_zip_bytes=self.max_zip_bytes)
            else:
                found.entries.append(
                    jekyll_sources.file_entry(path, f"_posts/{path.name}", path.name))
        return found

    # --- the run ---------------------------------------------------------------------------
    def run(self, found, *, source_label=""):
        started = time.perf_counter()
        report = ImportReport(dry_run=self.dry_run)
        run_record = ImportRun(
            user=self.user, origin=self.origin, source=source_label[:5000], dry_run=self.dry_run
        )
        names = {**found.category_names, **self.explicit_names}
        # Each batch commits on its own; a dry run wraps them all in one transaction it rolls back.
        try:
            with transaction.atomic() if self.dry_run else nullcontext():
                with transaction.atomic():
                    self._ensure_named_categories(names)
                self._import_entries(found.entries, names, report)
                if self.dry_run:
                    transaction.set_rollback(True)
        finally:
            report.elapsed = time.perf_counter() - started
        if report.changed and not self.dry_run:
            posts_imported.send(sender=self.__class__, report=report)
        counts = report.counts
        run_record.finished_at = timezone.now()
        for outcome, number in counts.items():
            setattr(run_record, outcome, number)
        run_record.errors = [
            {"file": item.label, "reason": item.reason} for item in report.failures[:1000]
        ]
        run_record.save()
        report.run = run_record
        return report

    def _import_entries(self, entries, names, report):
        self._seen_paths = set()
        self._urls_in_run = {}
        candidates = []
        for entry in entries:
            if entry.problem:
                report.outcomes.append(FileOutcome(entry.label, entry.source_path, FAILED, entry.problem))
            elif skip_reason := self._name_problem(entry.source_path):
                report.outcomes.append(FileOutcome(entry.label, entry.source_path, SKIPPED, skip_reason))
            else:
                candidates.append(entry)
        self._bar_total(len(candidates))
        batches = [
            candidates[i : i + self.batch_size] for i in range(0, len(candidates), self.batch_size)
        ]
        pool = self._pool(len(candidates))
        try:
            # Keep the parsers a couple of batches ahead of the writer.
            pending = []
            for batch in batches:
                pending.append(self._prepare(batch, report, pool))
                if len(pending) > 2:
                    self._write(*pending.pop(0), names, report)
            for prepared in pending:
                self._write(*prepared, names, report)
        finally:
            if pool:
                pool.shutdown()
            self._bar_close()

    def _name_problem(self, source_path):
        split = split_posts_path(source_path)
        inner = split[1] if split else source_path.rsplit("/", 1)[-1]
        if not is_readable_post_path(inner):
            return "文件名以 . _ # ~ 开头或以 ~ 结尾，Jekyll 不读取"
        try:
            if parse_post_name(inner) is None:
                return "文件名不是 YYYY-MM-DD-标题.扩展名 的形式，不是文章"
        except PostError:
            return ""  # an impossible date: parse_post reports it as a failure
        return ""

    def _pool(self, count):
        if self.workers < 2 or count < 200:
            return None
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("fork"))

    def _prepare(self, batch, report, pool):
        """Read and hash a batch; start parsing what changed (in the pool, if there is one)."""
        loaded = []
        for entry in batch:
            if entry.source_path in self._seen_paths:
                report.outcomes.append(FileOutcome(
                    entry.label, entry.source_path, FAILED, "同一来源路径在本次导入中出现了两次"))
                self._bar_step()
                continue
            self._seen_paths.add(entry.source_path)
            try:
                data = entry.load(self.max_file_bytes)
            except (PostError, OSError, ValueError) as exc:
                report.outcomes.append(FileOutcome(entry.label, entry.source_path, FAILED, str(exc)))
                self._bar_step()
                continue
            loaded.append((entry, data, content_hash(data)))
        existing = {
            row["source_path"]: row
            for row in Post.objects.filter(source_path__in=[e.source_path for e, _, _ in loaded])
            .values("id", "source_path", "content_hash", "url_path")
        }
        to_parse = []
        for entry, data, digest in loaded:
            row = existing.get(entry.source_path)
            if row and row["content_hash"] == digest:
                self._urls_in_run[row["url_path"]] = entry.source_path
                report.outcomes.append(FileOutcome(
                    entry.label, entry.source_path, UNCHANGED, url=row["url_path"], post_id=row["id"]))
                self._bar_step()
            else:
                to_parse.append((entry, data, digest))
        items = [(entry.source_path, data, digest) for entry, data, digest in to_parse]
        if pool and len(items) >= 2 * self.workers:
            size = max(10, -(-len(items) // (self.workers * 8)))
            futures = [
                pool.submit(_parse_chunk, items[i : i + size], self.old_hosts)
                for i in range(0, len(items), size)
            ]
            return to_parse, existing, lambda: [r for f in futures for r in f.result()]
        results = _parse_chunk(items, self.old_hosts)
        return to_parse, existing, lambda: results

    def _write(self, to_parse, existing, results, names, report):
        """Store a prepared batch; ``results`` waits for (and returns) its parse results."""
        parsed = results()
        posts = []
        for (entry, _, _), result in zip(to_parse, parsed, strict=True):
            self._bar_step()
            if isinstance(result, tuple):
                report.outcomes.append(FileOutcome(entry.label, entry.source_path, *result))
                continue
            clash = self._urls_in_run.get(result.url_path)
            if clash and clash != entry.source_path:
                report.outcomes.append(FileOutcome(
                    entry.label, entry.source_path, FAILED,
                    f"网址 {result.url_path} 与本次导入的 {clash} 冲突", warnings=result.warnings))
                continue
            self._urls_in_run[result.url_path] = entry.source_path
            posts.append((entry, result))
        if not posts:
            return
        try:
            with transaction.atomic():
                outcomes = self._save_posts(posts, existing, names)
        except Exception:
            logger.exception("batch write failed; retrying post by post")
            outcomes = []
            for item in posts:
                try:
                    with transaction.atomic():
                        outcomes.extend(self._save_posts([item], existing, names))
                except Exception as exc:
                    entry, result = item
                    outcomes.append(FileOutcome(
                        entry.label, entry.source_path, FAILED, f"写入数据库失败：{exc}",
                        warnings=result.warnings))
        report.outcomes.extend(outcomes)

    # --- writing ---------------------------------------------------------------------------
    def _save_posts(self, posts, existing, names):
        outcomes = []
        taken_urls = dict(
            Post.objects.filter(url_path__in=[r.url_path for _, r in posts])
            .values_list("url_path", "source_path")
        )
        accepted = []
        for entry, result in posts:
            owner = taken_urls.get(result.url_path)
            if owner and owner != entry.source_path:
                outcomes.append(FileOutcome(
                    entry.label, entry.source_path, FAILED,
                    f"网址 {result.url_path} 已属于文章 {owner}（冲突，未合并）", warnings=result.warnings))
            else:
                accepted.append((entry, result))
        if not accepted:
            return outcomes
        categories = self._ensure_categories(accepted, names)
        tags = self._ensure_tags({tag for _, r in accepted for tag in r.tags})
        now = timezone.now()
        new, changed = [], []
        for entry, result in accepted:
            row = existing.get(entry.source_path)
            post = Post(id=row["id"] if row else None, source_path=entry.source_path, created_at=now)
            for name in POST_FIELDS:
                if hasattr(result, name):
                    setattr(post, name, getattr(result, name))
            post.status = Post.Status.DRAFT if result.is_draft else Post.Status.PUBLISHED
            post.imported_at = now
            post.updated_at = now
            (changed if row else new).append((entry, result, post, row))
        if new:
            Post.objects.bulk_create([post for _, _, post, _ in new], batch_size=250)
        if changed:
            Post.objects.bulk_update(
                [post for _, _, post, _ in changed], POST_FIELDS, batch_size=250)
            changed_ids = [post.id for _, _, post, _ in changed]
            PostCategory.objects.filter(post_id__in=changed_ids).delete()
            TaggedPost.objects.filter(content_object_id__in=changed_ids).delete()
        category_links, tag_links, legacy = [], [], {}
        for entry, result, post, row in new + changed:
            keys = {
                "published_at": post.published_at,
                "is_published": post.status == Post.Status.PUBLISHED,
                "source_path": post.source_path,
            }
            seen_categories = set()
            for position, key in enumerate(result.categories):
                category = categories[key]
                if category.id in seen_categories:
                    continue  # two keys merged into one category
                seen_categories.add(category.id)
                category_links.append(
                    PostCategory(post=post, category=category, position=position, **keys))
            for position, name in enumerate(result.tags):
                tag_links.append(
                    TaggedPost(content_object=post, tag=tags[name], position=position, **keys))
            for path in result.legacy_urls:
                legacy[path] = post
            if row and row["url_path"] != result.url_path:
                legacy[row["url_path"]] = post  # an edited date or slug: the old URL still works
            outcome = UPDATED if row else CREATED
            outcomes.append(FileOutcome(
                entry.label, entry.source_path, outcome, url=post.url_path, post_id=post.id,
                warnings=result.warnings))
        PostCategory.objects.bulk_create(category_links, batch_size=500)
        TaggedPost.objects.bulk_create(tag_links, batch_size=500)
        if legacy:
            LegacyURL.objects.filter(path__in=list(legacy)).delete()
            LegacyURL.objects.bulk_create(
                [LegacyURL(path=path, post=post) for path, post in legacy.items()])
        LegacyURL.objects.filter(path__in=[p.url_path for _, _, p, _ in new + changed]).delete()
        return outcomes

    def _ensure_named_categories(self, names):
        """Categories named by category pages or the names file exist, with those names."""
        if not names:
            return
        existing = {c.key: c for c in Category.objects.filter(key__in=list(names))}
        rename = []
        for key, name in names.items():
            category = existing.get(key)
            if category and category.name != name:
                category.name = name
                rename.append(category)
        if rename:
            Category.objects.bulk_update(rename, ["name"])
        self._create_categories({k: names[k] for k in names if k not in existing})

    def _ensure_categories(self, accepted, names):
        keys = {key for _, r in accepted for key in r.categories}
        aliases = dict(
            CategoryAlias.objects.filter(key__in=keys).values_list("key", "category_id"))
        found = {c.key: c for c in Category.objects.filter(key__in=keys)}
        missing = {}
        for _, result in accepted:
            for key in result.categories:
                if key not in found and key not in aliases and key not in missing:
                    missing[key] = names.get(key) or (result.tags[0] if result.tags else "")
        found.update(self._create_categories(missing))
        if aliases:
            targets = Category.objects.in_bulk(set(aliases.values()))
            for key, target_id in aliases.items():
                found[key] = targets[target_id]
        return found

    def _create_categories(self, names):
        if not names:
            return {}
        taken = set(Category.objects.values_list("slug", flat=True).filter(
            slug__in=[unique_slug(key, set()) for key in names]))
        created = []
        for key, name in names.items():
            slug = unique_slug(key, taken)
            taken.add(slug)
            created.append(Category(key=key, name=name, slug=slug))
        Category.objects.bulk_create(created)
        return {c.key: c for c in Category.objects.filter(key__in=list(names))}

    def _ensure_tags(self, names):
        found = {t.name: t for t in Tag.objects.filter(name__in=names)}
        missing = [name for name in names if name not in found]
        if missing:
            taken = set(Tag.objects.filter(
                slug__in=[unique_slug(name, set()) for name in missing]).values_list("slug", flat=True))
            created = []
            for name in sorted(missing):
                slug = unique_slug(name, taken)
                taken.add(slug)
                created.append(Tag(name=name, slug=slug))
            Tag.objects.bulk_create(created)
            found.update({t.name: t for t in Tag.objects.filter(name__in=missing)})
        return found

    # --- progress --------------------------------------------------------------------------
    def _bar_total(self, total):
        if self.progress is not None:
            self.progress.reset(total=total)

    def _bar_step(self):
        if self.progress is not None:
            self.progress.update(1)

    def _bar_close(self):
        if self.progress is not None:
            self.progress.close()
