"""``/category/`` and ``/tag/``: every source (tag) with its post count and latest post time,
grouped by the first letter of its pinyin, with a finder. Counts come from news/changes/counting.py
(kept by the database), so a directory costs the same at any number of posts."""
import html
import string
from urllib.parse import quote

from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from news import cache
from news.changes import counting
from news.jekyll.dates import SITE_TZ
from news.reader.names import pinyin_keys
from news.reader.wall import tag_path

OTHER = "#"


def grouped(entries):
    """``[(letter, items), …]`` in pinyin order, names not starting with a letter last under
    ``#``; ``items`` is the group's ``<li>`` lines (``entries`` are ``(name, url, count,
    latest)``). Built here with the standard library's escape, as the home page's links are: a
    template loop over 2,000 entries costs several times more."""
    groups = {}
    for name, url, count, latest in entries:
        full, initials = pinyin_keys(name)
        letter = full[:1].upper() if full[:1] in string.ascii_lowercase else OTHER
        groups.setdefault(letter, []).append((full, _item(name, url, count, latest, f"{full} {initials}")))
    order = sorted(groups, key=lambda letter: (letter == OTHER, letter))
    return [(letter, len(groups[letter]), mark_safe("\n".join(item for _, item in sorted(groups[letter]))))
            for letter in order]


def _item(name, url, count, latest, pinyin):
    local = latest.astimezone(SITE_TZ)
    return (f'<li data-pinyin="{html.escape(pinyin)}"><a href="{html.escape(url)}">{html.escape(name)}</a> '
            f'<span class="count">{count} 篇</span> '
            f'<time datetime="{local.isoformat()}">{local:%Y-%m-%d %H:%M}</time></li>')


class DirectoryView(TemplateView):
    template_name = "news/directory.html"
    title = noun = ""

    def entries(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cache.depends_on("site")  # every post's change moves a count or a latest time
        groups = grouped(self.entries())
        context.update(title=self.title, noun=self.noun, groups=groups,
                       total=sum(size for _, size, _ in groups))
        return context


class SourceDirectoryView(DirectoryView):
    title, noun = "全部来源", "来源"

    def entries(self):
        prefix = reverse("news:category", kwargs={"key": "-"}).removesuffix("-.html")
        # reverse() per category is most of the page's time; this escapes as it does.
        return [(c.display_name, f"{prefix}{quote(c.key, safe=RFC3986_SUBDELIMS + '/~:@')}.html", c.visible, c.latest)
                for c in counting.source_counts() if c.visible > 0]


class TagDirectoryView(DirectoryView):
    title, noun = "全部标签", "标签"

    def entries(self):
        return [(t.name, tag_path(t.name), t.visible, t.latest) for t in counting.tag_counts() if t.visible > 0]
