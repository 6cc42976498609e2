"""Splitting a post into YAML front matter and body, the way Jekyll recognises it (section 2).

Front matter is untrusted: the split is a linear scan (Jekyll's regular expression backtracks
quadratically on some inputs), and the YAML is refused before it is built if it uses aliases or
nests deeper than a reader could mean, so no file can cost more than its own size to read.
"""
import math
from dataclasses import dataclass

import yaml

from .errors import PostError

MAX_DEPTH = 20
MAX_NODES = 10_000
MAX_KEY_CHARS = 200
# Real posts' front matter is a few hundred bytes; YAML costs ~16 µs a byte on hostile input.
MAX_BYTES = 64 * 1024
SMALL_DOCUMENT = 4096  # bytes of YAML that nest at most ~100 deep by indentation alone

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NESTING_START = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_NESTING_END = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


@dataclass
class FrontMatter:
    data: dict
    body: str
    # True when blank lines stood before the opening ``---``: Jekyll saw no front matter there.
    after_blank_lines: bool = False


def _skip_space(text, start):
    end = start
    while end < len(text) and text[end].isspace():
        end += 1
    return end


def find_front_matter(text):
    """``(yaml_end, body_start)`` for Jekyll's front-matter pattern, or None where it finds none.

    The same match as ``\\A(---\\s*\\n.*?\\n?)^((?:---|\\.\\.\\.)\\s*$\\n?)`` (multi-line, dot
    matches newline), found in one pass: the opening ``---`` plus the white space after it up to
    its last newline; then the first line starting with ``---`` or ``...`` and nothing but white
    space after it on that line; the closing match eats white space up to its last line end.
    """
    if not text.startswith("---"):
        return None
    space_end = _skip_space(text, 3)
    newline = text.rfind("\n", 3, space_end)
    if newline < 0:
        return None
    line = newline + 1
    while line <= len(text):
        line_end = text.find("\n", line)
        if line_end < 0:
            line_end = len(text)
        rest = text[line + 3 : line_end]
        if text.startswith(("---", "..."), line) and (not rest or rest.isspace()):
            after = _skip_space(text, line + 3)
            if after == len(text):
                return line, after
            last_newline = text.rfind("\n", line + 3, after)
            return line, last_newline + 1
        line = line_end + 1
    return None


def _strip_leading_blank_lines(text):
    """Drop whole lines of spaces and tabs at the start (``\\A(?:[ \\t]*\\r?\\n)+``)."""
    position = 0
    while True:
        end = text.find("\n", position)
        if end < 0:
            return text[position:]
        line = text[position:end]
        if line.removesuffix("\r").strip(" \t"):
            return text[position:]
        position = end + 1


def split_front_matter(text):
    """Return the front matter (as a dict) and the body of a post's text."""
    found = find_front_matter(text)
    after_blank_lines = False
    if found is None:
        stripped = _strip_leading_blank_lines(text)
        if stripped != text:
            found = find_front_matter(stripped)
            if found is not None:
                text, after_blank_lines = stripped, True
    if found is None:
        return FrontMatter(data={}, body=text)
    yaml_end, body_start = found
    if yaml_end > MAX_BYTES // 4 and len(text[:yaml_end].encode("utf-8")) > MAX_BYTES:
        raise PostError(f"front matter 超过 {MAX_BYTES // 1024} KB（真实文章的 front matter 只有几百字节）")
    return FrontMatter(
        data=load_yaml(text[:yaml_end]), body=text[body_start:], after_blank_lines=after_blank_lines)


def _check_shape(source):
    """Refuse aliases and deep or huge documents from the event stream, before anything is built."""
    depth = 0
    for nodes, event in enumerate(yaml.parse(source, Loader=_Loader), 1):
        if isinstance(event, yaml.AliasEvent):
            raise PostError("front matter 使用了 YAML 别名（*name），为安全起见不接受")
        if isinstance(event, _NESTING_START):
            depth += 1
            if depth > MAX_DEPTH:
                raise PostError(f"front matter 嵌套超过 {MAX_DEPTH} 层")
        elif isinstance(event, _NESTING_END):
            depth -= 1
        if nodes > MAX_NODES:
            raise PostError(f"front matter 的条目超过 {MAX_NODES} 个")


def _may_be_hostile(source):
    """Only a document with aliases (``&``/``*``), flow collections (``[``/``{``: deep nesting in
    few bytes) or of some size can cost more to build than to read: the others (real front matter,
    category pages) skip the event-stream check, and ``check_values`` still bounds their depth."""
    return len(source) > SMALL_DOCUMENT or any(mark in source for mark in "&*[{")


def load_yaml(source):
    try:
        if _may_be_hostile(source):
            _check_shape(source)
        data = yaml.load(source, Loader=_Loader)
    except PostError:
        raise
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        mark = getattr(exc, "problem_mark", None)
        where = f"（第 {mark.line + 1} 行）" if mark is not None else ""
        raise PostError(f"front matter 不是有效的 YAML{where}：{problem}") from None
    except (ValueError, OverflowError) as exc:
        # PyYAML builds timestamps itself: an unquoted impossible date or offset lands here.
        raise PostError(f"front matter 中的日期无效：{exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PostError("front matter 必须是键值对（YAML mapping）")
    check_values(data)
    return data


def check_values(value, where="front matter", depth=1):
    """Keys are strings; no NaN or infinity; no NUL characters (neither database stores them);
    no deeper than MAX_DEPTH."""
    if depth > MAX_DEPTH and isinstance(value, (dict, list)):
        raise PostError(f"front matter 嵌套超过 {MAX_DEPTH} 层")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise PostError(f"{where} 的键必须是文字，不能是 {key!r}")
            if len(key) > MAX_KEY_CHARS:
                raise PostError(f"{where} 的键超过 {MAX_KEY_CHARS} 个字符")
            check_values(key, where)
            check_values(item, f"{where} 的 {key}", depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_values(item, where, depth + 1)
    elif isinstance(value, float) and not math.isfinite(value):
        raise PostError(f"{where} 含 NaN 或无穷大，不接受")
    elif isinstance(value, str) and "\0" in value:
        raise PostError(f"{where} 含 NUL 字符，不接受")
