"""Splitting a post into YAML front matter and body, the way Jekyll recognises it (section 2)."""
import re
from dataclasses import dataclass

import yaml

from .errors import PostError

# Jekyll's YAML_FRONT_MATTER_REGEXP: the file must start with ``---``; ``---`` or ``...`` closes.
FRONT_MATTER_RE = re.compile(r"\A(---\s*\n.*?\n?)^((?:---|\.\.\.)\s*$\n?)", re.M | re.S)
LEADING_BLANK_LINES_RE = re.compile(r"\A(?:[ \t]*\r?\n)+")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class FrontMatter:
    data: dict
    body: str
    has_front_matter: bool
    # True when blank lines stood before the opening ``---``: Jekyll saw no front matter there.
    after_blank_lines: bool = False


def split_front_matter(text):
    """Return the front matter (as a dict) and the body of a post's text."""
    match = FRONT_MATTER_RE.match(text)
    after_blank_lines = False
    if not match:
        stripped = LEADING_BLANK_LINES_RE.sub("", text, count=1)
        if stripped != text:
            match = FRONT_MATTER_RE.match(stripped)
            if match:
                text, after_blank_lines = stripped, True
    if not match:
        return FrontMatter(data={}, body=text, has_front_matter=False)
    data = load_yaml(match.group(1))
    return FrontMatter(
        data=data,
        body=text[match.end() :],
        has_front_matter=True,
        after_blank_lines=after_blank_lines,
    )


def load_yaml(source):
    try:
        data = yaml.load(source, Loader=_Loader)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        mark = getattr(exc, "problem_mark", None)
        where = f"（第 {mark.line + 1} 行）" if mark is not None else ""
        raise PostError(f"front matter 不是有效的 YAML{where}：{problem}") from None
    except ValueError as exc:
        # PyYAML builds timestamps itself: an unquoted impossible date lands here.
        raise PostError(f"front matter 中的日期无效：{exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PostError("front matter 必须是键值对（YAML mapping）")
    return {str(key): value for key, value in data.items()}
