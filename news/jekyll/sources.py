"""Finding post files in what an operator hands the importer: a file, a folder or a zip.

Nothing is read into memory until it is needed; each entry knows how to load its bytes and
refuses files over the size limit. Hostile archive entries (absolute paths, ``..``, symlinks,
names that are not UTF-8) and zip bombs are reported as problems, never extracted.
"""
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..text import without_illegal, xml_text
from . import frontmatter, taxonomy
from .errors import PostError
from .filenames import is_filtered

SKIPPED_DIRS = {"node_modules", "vendor", "_site", ".git"}
CATEGORY_PAGE_EXTENSIONS = {".html", ".md", ".markdown"}
CATEGORY_PAGE_MAX_BYTES = 1024 * 1024


@dataclass
class Entry:
    """One file found: ``source_path`` is relative to the site root (``_posts/x.md``)."""

    label: str
    source_path: str
    loader: object = None
    problem: str = ""
    size: int = 0
    # (modification time, size) of a file on disk: what a folder watcher compares between scans.
    stamp: tuple = None

    def load(self, max_bytes):
        if self.problem:
            raise PostError(self.problem)
        if self.size > max_bytes:
            raise PostError(f"文件大小 {self.size} 字节，超过上限 {max_bytes} 字节")
        data = self.loader(max_bytes + 1)
        if len(data) > max_bytes:
            raise PostError(f"文件超过大小上限 {max_bytes} 字节")
        return data


@dataclass
class SourceSet:
    """Everything found in the inputs: post candidates, problems and category display names."""

    entries: list = field(default_factory=list)
    category_names: dict = field(default_factory=dict)
    archives: list = field(default_factory=list)
    # True when an archive held hostile entries: the admin refuses such an upload whole.
    hostile: bool = False

    def close(self):
        for archive in self.archives:
            archive.close()


def collect(paths, *, max_zip_bytes):
    """Entries for every path: a post file, a folder (site root or ``_posts``) or a ``.zip``."""
    found = SourceSet()
    for raw in paths:
        path = Path(raw)
        if path.is_symlink() and not path.exists():
            found.entries.append(Entry(str(path), path.name, problem="符号链接指向不存在的文件"))
        elif path.is_dir():
            _collect_folder(path, found)
        elif path.is_file() and path.suffix.lower() == ".zip":
            add_zip(path, found, label=str(path), max_zip_bytes=max_zip_bytes)
        elif path.is_file():
            found.entries.append(file_entry(path, _loose_source_path(path), str(path)))
        else:
            found.entries.append(Entry(str(path), path.name, problem="找不到这个文件或文件夹"))
    return found


def file_entry(path, source_path, label):
    def loader(limit, path=path):
        with open(path, "rb") as handle:
            return handle.read(limit)

    if path.is_symlink():
        return Entry(label, source_path, problem="符号链接，不读取")
    stat = path.stat()
    return Entry(label, source_path, loader=loader, size=stat.st_size, stamp=(stat.st_mtime_ns, stat.st_size))


def _loose_source_path(path):
    """A file given on its own: its path from its innermost ``_posts`` folder, else ``_posts/name``."""
    parts = path.absolute().parts[:-1]
    if "_posts" in parts:
        index = len(parts) - 1 - parts[::-1].index("_posts")
        return "/".join(path.absolute().parts[index:])
    return f"_posts/{path.name}"


def _descend_into(name, *, inside_posts, posts_only):
    """Which folders Jekyll reads: no dot-folders anywhere; outside ``_posts`` no ``_x`` folders."""
    if name in SKIPPED_DIRS or name.startswith("."):
        return False
    if posts_only:
        return name == "_posts"
    return inside_posts or name == "_posts" or not is_filtered(name)


def _collect_folder(folder, found):
    """A site root, or a ``_posts`` folder (then only it is read, as part of its site)."""
    root = folder.parent if folder.name == "_posts" else folder
    relatives = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = PurePosixPath(Path(dirpath).relative_to(root).as_posix())
        inside_posts = "_posts" in rel_dir.parts
        posts_only = folder.name == "_posts" and dirpath == str(root)
        dirnames[:] = sorted(
            name for name in dirnames
            if _descend_into(name, inside_posts=inside_posts, posts_only=posts_only)
        )
        if posts_only:
            continue
        for name in filenames:
            relatives.append((rel_dir / name).as_posix().removeprefix("./"))
    _add_relatives(
        relatives, found,
        entry_of=lambda rel: file_entry(root / rel, rel, str(root / rel)),
        read_text=lambda rel: file_entry(root / rel, rel, rel).load(CATEGORY_PAGE_MAX_BYTES),
    )


def _add_relatives(relatives, found, *, entry_of, read_text):
    has_posts_folder = any("_posts" in rel.split("/")[:-1] for rel in relatives)
    for rel in sorted(relatives):
        parts = rel.split("/")
        if len(parts) == 2 and parts[0] == "category" and Path(rel).suffix in CATEGORY_PAGE_EXTENSIONS:
            _read_category_page(rel, read_text, found)
            continue
        if has_posts_folder:
            if "_posts" in parts[:-1]:
                found.entries.append(entry_of(rel))
        elif len(parts) == 1:
            entry = entry_of(rel)
            entry.source_path = f"_posts/{rel}"
            found.entries.append(entry)


def _read_category_page(rel, read_text, found):
    """``category/<key>.html`` pages carry the display name of their category in ``title:``.
    A page that cannot be read is reported as a failed file; the import goes on."""
    try:
        text = xml_text(read_text(rel).decode("utf-8"))
        data, _ = without_illegal(frontmatter.split_front_matter(text).data)
    except (PostError, UnicodeDecodeError, OSError) as exc:
        reason = "不是有效的 UTF-8" if isinstance(exc, UnicodeDecodeError) else str(exc)
        found.entries.append(Entry(rel, rel, problem=f"分类页面无法读取：{reason}"))
        return
    key = data.get("category")
    key = taxonomy.text_form(key) if key is not None else Path(rel).stem
    title = data.get("title")
    if title is not None and key:
        found.category_names[key] = taxonomy.text_form(title)


def add_zip(file, found, *, label, max_zip_bytes):
    """Add a zip archive's entries. ``file`` is a path or a seekable binary file object."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as exc:
        found.entries.append(Entry(label, label, problem=f"不是有效的 zip 文件：{exc}"))
        found.hostile = True
        return
    infos = [info for info in archive.infolist() if not info.is_dir()]
    total = sum(info.file_size for info in infos)
    if total > max_zip_bytes:
        archive.close()
        found.entries.append(Entry(
            label, label,
            problem=f"解压后共 {total} 字节，超过上限 {max_zip_bytes} 字节（疑似 zip 炸弹），整个压缩包未导入",
        ))
        found.hostile = True
        return
    found.archives.append(archive)
    safe = {}
    for info in infos:
        problem = _hostile_entry_problem(info)
        if problem:
            found.entries.append(Entry(f"{label}:{info.filename}", info.filename, problem=problem))
            found.hostile = True
        else:
            safe[info.filename] = info
    relatives = list(safe)
    strip = _common_root(relatives)

    def rel_of(name):
        return name[len(strip):] if strip else name

    by_rel = {rel_of(name): info for name, info in safe.items()}

    def entry_of(rel):
        info = by_rel[rel]

        def loader(limit, info=info):
            with archive.open(info) as member:
                return member.read(limit)

        return Entry(f"{label}:{info.filename}", rel, loader=loader, size=info.file_size)

    _add_relatives(
        list(by_rel), found, entry_of=entry_of,
        read_text=lambda rel: entry_of(rel).load(CATEGORY_PAGE_MAX_BYTES),
    )


def _hostile_entry_problem(info):
    name = info.filename
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "压缩包内的符号链接，拒绝"
    if not info.flag_bits & 0x800 and not name.isascii():
        return "压缩包内的文件名不是 UTF-8 编码，拒绝"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "压缩包内的绝对路径，拒绝"
    if ".." in name.replace("\\", "/").split("/"):
        return "压缩包内的路径含 ..，拒绝"
    if info.compress_size and info.file_size > 10 * 1024 * 1024 and (
        info.file_size / info.compress_size > 200
    ):
        return f"压缩比异常（{info.file_size} / {info.compress_size} 字节，疑似 zip 炸弹），拒绝"
    return ""


def _common_root(names):
    """The single folder every entry sits in (a zipped site folder), unless it is ``_posts``."""
    firsts = {name.split("/", 1)[0] for name in names}
    if len(firsts) == 1 and all("/" in name for name in names):
        first = firsts.pop()
        if first != "_posts":
            return first + "/"
    return ""
