"""``/category/`` and ``/tag/``: every source (tag) with its post count and latest post time,
grouped by the first letter of its pinyin, with a finder. Counts come from news/counting.py
(kept by the database), so a directory costs the same at any number of posts."""
import string

from django.views.generic import TemplateView

from . import counting
from .names import pinyin_keys
from .views import tag_path

OTHER = "#"


def grouped(entries):
    """``[(letter, [entry, …]), …]`` in pinyin order; names not starting with a letter go last
    under ``#``. Each entry is ``(name, url, count, latest, pinyin)``."""
    groups = {}
    for name, url, count, latest in entries:
        full, initials = pinyin_keys(name)
        letter = full[:1].upper() if full[:1] in string.ascii_lowercase else OTHER
        groups.setdefault(letter, []).append((full, (name, url, count, latest, f"{full} {initials}")))
    order = sorted(groups, key=lambda letter: (letter == OTHER, letter))
    return [(letter, [entry for _, entry in sorted(groups[letter], key=lambda pair: pair[0])]) for letter in order]


class DirectoryView(TemplateView):
    template_name = "news/directory.html"
    title = noun = ""

    def entries(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        groups = grouped(self.entries())
        context.update(title=self.title, noun=self.noun, groups=groups,
                       total=sum(len(entries) for _, entries in groups))
        return context


class SourceDirectoryView(DirectoryView):
    title, noun = "全部来源", "来源"

    def entries(self):
        return [(c.display_name, c.get_absolute_url(), c.visible, c.latest)
                for c in counting.source_counts() if c.visible > 0]


class TagDirectoryView(DirectoryView):
    title, noun = "全部标签", "标签"

    def entries(self):
        return [(t.name, tag_path(t.name), t.visible, t.latest) for t in counting.tag_counts() if t.visible > 0]
