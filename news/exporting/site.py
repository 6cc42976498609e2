"""Writing posts out as a Jekyll tree (``manage.py export_jekyll`` and the admin's 导出为 Jekyll job).

Posts are read in id order, a chunk at a time (three queries per chunk: posts, their categories,
their tags), turned into files by the pure writer in ``news/jekyll/writer.py`` and handed to a
sink — a folder (files already there with the same bytes are left alone, so a stopped export
resumes where it was) or a zip. Memory holds one chunk, whatever the size of the site.
"""
import contextlib
import datetime
import errno
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from ..jekyll import writer
from ..jekyll.dates import SITE_TZ
from ..models import Category, Post, PostCategory, TaggedPost

CHUNK = 2000
POST_COLUMNS = ("id", "source_path", "title", "slug", "published_at", "url_path", "body_markdown",
                "status", "important", "extra")


@dataclass
class ExportReport:
    posts: int = 0
    written: int = 0
    unchanged: int = 0
    categories: int = 0
    removed: int = 0
    problems: list = field(default_factory=list)


class UnsafeTarget(Exception):
    """The export folder holds a symbolic link where the export would write: refused whole."""


class FolderSink:
    """Writes into a folder; a file that already holds the same bytes is not written again (it is
    touched, so that ``prune`` — for a whole-site export — can then remove the post files and
    category pages an earlier export wrote that this one did not: deleted or renamed posts).
    Symbolic links inside the folder are never followed."""

    PRUNED = ("_posts", "category")

    def __init__(self, root, prune=False):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.prune = prune
        self.safe_dirs = {self.root}
        marker = self.root / ".finews-export"
        self._refuse_link(marker)
        write_whole(marker, b"finews export_jekyll\n")
        self.started = marker.stat().st_mtime_ns  # the file system's own clock, as the files get
        self.removed = 0

    def _refuse_link(self, path):
        if path.is_symlink():
            raise UnsafeTarget(f"{path} 是符号链接，导出不会写到链接指向的地方")

    def _safe_parent(self, target):
        parent = target.parent
        if parent in self.safe_dirs:
            return
        for folder in reversed([parent, *parent.parents]):
            if folder in self.safe_dirs or self.root not in folder.parents:
                continue
            self._refuse_link(folder)
            folder.mkdir(exist_ok=True)
            self.safe_dirs.add(folder)

    def put(self, relpath, data):
        target = self.root / relpath
        self._safe_parent(target)
        self._refuse_link(target)
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                os.utime(target)
                return False
        except FileNotFoundError:
            pass
        write_whole(target, data)
        return True

    def abort(self):
        """The export failed: what is written stays (the next run resumes), nothing half-written."""

    def close(self):
        if not self.prune:
            return
        for top in self.PRUNED:
            self._prune(self.root / top)

    def _prune(self, folder):
        """Remove the files under ``folder`` this run did not write or touch. ``scandir`` one
        entry at a time (``os.walk`` would list a million names at once); links are not followed."""
        try:
            entries = os.scandir(folder)
        except FileNotFoundError:
            return
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    self._prune(entry.path)
                elif entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime_ns < self.started:
                    os.unlink(entry.path)
                    self.removed += 1


def os_reason(exc):
    """An operating system's refusal, in Chinese where it is a common one."""
    return {errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "超出磁盘配额", errno.EACCES: "没有写入权限",
            errno.EROFS: "文件系统是只读的"}.get(exc.errno, exc.strerror or str(exc))


def write_whole(target, data):
    """Write ``data`` to ``target`` whole or not at all: into a hidden file beside it, renamed over
    it once complete (a full disk or a stopped export leaves no half-written or empty file)."""
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=".finews-partial-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(partial, 0o644)
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise


class ZipSink:
    """Writes into a zip archive: a binary file object, or a path — written under another name and
    renamed when complete, so a failed export leaves no partial archive there."""

    def __init__(self, file):
        self.path = None
        if isinstance(file, (str, os.PathLike)):
            self.path = Path(file)
            file = self.partial = self.path.with_name(f".{self.path.name}.partial")
        self.archive = zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)

    def put(self, relpath, data):
        self.archive.writestr(relpath, data)
        return True

    def abort(self):
        with contextlib.suppress(OSError, ValueError):
            self.archive.close()
        if self.path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.partial)

    def close(self):
        self.archive.close()
        if self.path is not None:
            os.replace(self.partial, self.path)


class Selection:
    """The posts to export, read a chunk at a time in id order: a queryset's (by keyset), or a
    list of ids' (a slice of them per query, so no query carries more than a chunk of them)."""

    def __init__(self, posts, ids=None):
        self.posts = posts
        self.ids = sorted(set(ids)) if ids is not None else None

    def count(self):
        return len(self.ids) if self.ids is not None else self.posts.count()

    def chunks(self):
        if self.ids is not None:
            for start in range(0, len(self.ids), CHUNK):
                rows = list(self.posts.filter(pk__in=self.ids[start : start + CHUNK]).order_by("pk")
                            .values_list(*POST_COLUMNS))
                if rows:
                    yield rows
            return
        last = 0
        while rows := list(self.posts.filter(pk__gt=last).order_by("pk").values_list(*POST_COLUMNS)[:CHUNK]):
            last = rows[-1][0]
            yield rows


def select_posts(post_ids=None, since=None, category=None):
    """The posts to export: all, or those of ``post_ids``, published on or after the Beijing day
    ``since``, or in the category with key ``category`` (an old, merged key finds its new home)."""
    posts = Post.objects.all()
    if since is not None:
        posts = posts.filter(published_at__gte=since_moment(since))
    if category is not None:
        found = Category.objects.filter(Q(key=category) | Q(aliases__key=category)).first()
        if found is None:
            raise LookupError(f"没有键为“{category}”的分类")
        posts = posts.filter(pk__in=PostCategory.objects.filter(category=found).values("post_id"))
    return Selection(posts, post_ids)


def since_moment(day):
    return datetime.datetime.combine(day, datetime.time(), SITE_TZ)


def export(posts, sink, progress=None, every_category=False):
    """Write ``posts`` (a Selection), the categories they use (``every_category``: all of
    them, for a whole-site export) and the site's pages into ``sink``; returns an ExportReport.
    ``progress`` (a tqdm-like object) is told each chunk."""
    try:
        report = _export(posts, sink, progress, every_category)
    except BaseException:
        sink.abort()  # nothing half-written stays behind (a full disk, an interrupt)
        raise
    return report


def _export(posts, sink, progress, every_category):
    report = ExportReport()
    if progress is not None:
        progress.reset(total=posts.count())
    site = writer.site_files(settings.FINEWS_SITE_TITLE, settings.FINEWS_EMNEWS_TAG,
                             settings.FINEWS_HOME_POSTS_PER_TAG, settings.FINEWS_EMNEWS_POSTS)
    for path, data in site.items():
        sink.put(path, data)
    used_categories, claimed = set(), set()
    for rows in posts.chunks():
        stored = _stored(rows, used_categories)
        located = {pk: writer.file_path(post) for pk, post in stored.items()}
        renamed = _free_names(stored, located, claimed)
        for post_id, post in stored.items():
            try:
                path, data = writer.post_file(post, renamed.get(post_id), located[post_id])
            except Exception as exc:  # one post that cannot be written must not stop the others
                report.problems.append(f"{post.source_path}：无法导出（{exc.__class__.__name__}: {exc}）")
                continue
            try:
                written = sink.put(path, data)
            except OSError as exc:
                if exc.errno != errno.ENAMETOOLONG:
                    raise
                report.problems.append(f"{post.source_path}：文件名 {path} 太长，无法写入")
                continue
            report.written += written
            report.unchanged += not written
            report.posts += 1
        if progress is not None:
            progress.update(len(rows))
    categories = Category.objects.all() if every_category else Category.objects.filter(pk__in=used_categories)
    for key, name in categories.values_list("key", "name").iterator():
        page = writer.category_page(key, name)
        if page is None:
            report.problems.append(f"分类“{key}”的键不能作文件名，没有导出它的分类页面")
            continue
        sink.put(*page)
        report.categories += 1
    sink.close()
    report.removed = getattr(sink, "removed", 0)
    return report


def _stored(rows, used_categories):
    ids = [row[0] for row in rows]
    categories, tags = {}, {}
    links = (PostCategory.objects.filter(post_id__in=ids).order_by("post_id", "position")
             .values_list("post_id", "category_id", "category__key"))
    for post_id, category_id, key in links:
        categories.setdefault(post_id, []).append(key)
        used_categories.add(category_id)
    tag_links = (TaggedPost.objects.filter(content_object_id__in=ids).order_by("content_object_id", "position")
                 .values_list("content_object_id", "tag__name"))
    for post_id, name in tag_links:
        tags.setdefault(post_id, []).append(name)
    stored = {}
    for pk, source_path, title, slug, published_at, url_path, body, status, important, extra in rows:
        stored[pk] = writer.StoredPost(
            source_path=source_path, title=title, slug=slug, published_at=published_at, url_path=url_path,
            body=body, published=status == Post.Status.PUBLISHED, categories=categories.get(pk, []),
            tags=tags.get(pk, []), extra=extra if isinstance(extra, dict) else {}, important=important)
    return stored


def _free_names(stored, located, claimed):
    """``{post id: path}`` for posts whose Jekyll name (from date and slug) is another post's
    file, or the name an earlier renamed post took (``claimed``, kept for the run): they get the
    post id in their name. One query per chunk, over the renamed posts only."""
    wanted = {}
    for pk, post in stored.items():
        path = located[pk][0]
        if path != post.source_path:
            wanted[pk] = path
    if not wanted:
        return {}
    taken = set(Post.objects.filter(source_path__in=list(wanted.values())).values_list("source_path", flat=True))
    renamed = {}
    for pk, path in wanted.items():
        if path in taken or path in claimed:
            stem, _, extension = path.rpartition(".")
            path, number = f"{stem}-{pk}.{extension}", 1
            while path in claimed or Post.objects.filter(source_path=path).exists():  # rare: a query each
                number += 1
                path = f"{stem}-{pk}-{number}.{extension}"
            renamed[pk] = path
        claimed.add(path)
    return renamed
