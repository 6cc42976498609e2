"""The export is as safe to host as finews's own pages: a scraper's hostile titles, tags, category
names and bodies, exported and built by real Jekyll, run no script and inject no element in Chromium."""
import io
import shutil
import subprocess

import pytest
from django.core.management import call_command

from news.jekyll.exportable import markdown_body
from news.models import Post

from .browser import browser_page, needs_chromium

pytestmark = pytest.mark.django_db

ATTACK = "alert(document.domain)"
# (file name, front matter lines, body): what a broken or hostile source could send.
HOSTILE = [
    ("2022-03-01-title.md", f'title: "<script>{ATTACK}</script>标题"', "正文。"),
    ("2022-03-02-img-title.md", f"title: '<img src=x onerror={ATTACK}>'", "正文。"),
    ("2022-03-03-tags.md", f"title: 标签\ntags: ['<img src=x onerror={ATTACK}>', '\"><svg onload={ATTACK}>']",
     "正文。"),
    ("2022-03-04-raw.md", "title: 原始 HTML", f"<script>{ATTACK}</script>\n\n段落 <img src=x onerror={ATTACK}>"),
    ("2022-03-05-ial.md", "title: 属性列表",
     f'一段话\n{{: tabindex="1" autofocus onfocus="{ATTACK}"}}\n\n{{::nomarkdown}}<script>{ATTACK}</script>{{:/}}'),
    ("2022-03-06-links.md", "title: 链接",
     f"[点我](javascript:{ATTACK}) [再点](jav&#x61;script:{ATTACK}) [引用][x]\n\n[x]: javascript:{ATTACK}"),
    ("2022-03-07-fence.md", "title: 没关上的代码块", f"````\n代码\n```\n\n<script>{ATTACK}</script>"),
    ("2022-03-08-page.html", "title: HTML 文章", f"<p>文字</p><script>{ATTACK}</script><iframe src=\"javascript:{ATTACK}\"></iframe>"),
    ("2022-03-09-svg.md", "title: SVG", f"<svg><script>{ATTACK}</script></svg>\n\n<details open ontoggle=\"{ATTACK}\">x</details>"),
    ("2022-03-10-quote.md", "title: 引用", f"> 摘要 <b onmouseover=\"{ATTACK}\">加粗</b>\n\n正文\n\n<http://example.com/a>"),
    ("2022-03-11-style.md", "title: 样式", f"<style>body{{background:url(javascript:{ATTACK})}}</style>\n\n<a href=\"data:text/html,<script>{ATTACK}</script>\">x</a>"),
    ("2022-03-12-category.md", "title: 分类\ncategories: evil", "正文。"),
    # Found by review: an address alone on the line after its ``](``, spelled with an entity; a
    # plain-text post whose name Jekyll keeps and a browser reads as a web page.
    ("2022-03-13-split-link.md", "title: 换行的链接", f"[点我](\njavascript&#58;{ATTACK})"),
    ("2022-03-14-text.shtml", "title: 纯文本", f"<script>{ATTACK}</script>"),
    # Found by a second review: a scheme split over two lines (kramdown keeps the newline, browsers drop it).
    ("2022-03-15-split-scheme.md", "title: 拆开的协议", f"[点我](javascri\npt:{ATTACK})"),
]


@pytest.fixture
def hostile_site(tmp_path):
    posts = tmp_path / "in" / "_posts"
    posts.mkdir(parents=True)
    for name, front_matter, body in HOSTILE:
        (posts / name).write_text(f"---\nlayout: post\n{front_matter}\n---\n{body}", encoding="utf-8")
    names = tmp_path / "names.tsv"
    names.write_text(f"evil\t<script>{ATTACK}</script>来源\n", encoding="utf-8")
    call_command("import_posts", str(tmp_path / "in"), "--category-names", str(names), stdout=io.StringIO())
    assert Post.objects.count() == len(HOSTILE)
    call_command("export_jekyll", str(tmp_path / "out"), stdout=io.StringIO())
    return tmp_path / "out"


def test_what_kramdown_could_run_is_exported_as_finews_shows_it():
    assert markdown_body("正文\n\n<http://example.com/a>\n") == "正文\n\n<http://example.com/a>\n"  # as it was
    exported = markdown_body(f"安全的段落\n\n段落 <img src=x onerror={ATTACK}> 结束\n\n{{: onclick=x}}\n")
    assert exported.startswith("安全的段落\n")
    assert "onerror" not in exported and "{:" not in exported.replace("<div>", "").split("</div>")[-1]
    assert '<img src="x">' in exported and "<div>\n<p>" in exported
    assert "&#10;" in markdown_body("<pre>\na\n\nb</pre>")  # no blank line ends the block early
    for split in ("[x](javascri\npt:alert(1))", "[z](javascript\n:alert(1))", "[y](j\na\nv\na\nscript:x)"):
        assert "<div>" in markdown_body(split), split  # no line spells the scheme; the block does


def test_the_files_carry_what_finews_shows(hostile_site):
    bodies = {path.name: path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
              for path in (hostile_site / "_posts").iterdir()}
    for name, body in bodies.items():
        assert "<script" not in body and "onerror" not in body and "<svg" not in body and "<iframe" not in body, name
    assert bodies["2022-03-08-page.html"] == "<p>文字</p>"  # an HTML body as finews shows it
    assert bodies["2022-03-05-ial.md"].count("<div>") == 2  # kramdown's syntax inside HTML it copies as it is
    assert bodies["2022-03-10-quote.md"].endswith("正文\n\n<http://example.com/a>")  # safe blocks stay Markdown
    title = (hostile_site / "_posts/2022-03-01-title.md").read_text(encoding="utf-8")
    assert f'title: "{ATTACK}标题"' in title  # the stored title (finews kept the text, not the tag)
    tags = (hostile_site / "_posts/2022-03-03-tags.md").read_text(encoding="utf-8")
    assert f'- "<img src=x onerror={ATTACK}>"' in tags  # a tag keeps its name (the layouts escape it)


@needs_chromium
@pytest.mark.skipif(not shutil.which("jekyll"), reason="Jekyll 没有安装（CI 会装 Debian 的 jekyll）")
def test_jekyll_builds_the_export_into_pages_that_run_nothing(hostile_site, tmp_path, capsys):
    built = tmp_path / "_site"
    result = subprocess.run(["jekyll", "build", "--quiet", "-s", str(hostile_site), "-d", str(built)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    pages = sorted([*built.rglob("*.html"), *built.rglob("*.shtml")])
    assert len(pages) >= len(HOSTILE) + 3  # every post, home, /emnews/, the category page
    dialogs, injected = [], {}
    with browser_page(capsys) as (page, _):
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in pages:
            page.goto(path.as_uri())
            page.mouse.move(10, 10)
            found = page.evaluate("""() => [...document.querySelectorAll('*')].filter(e =>
                ['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'STYLE', 'DETAILS'].includes(e.tagName.toUpperCase())
                || [...e.attributes].some(a => a.name.startsWith('on') || a.name === 'style'
                   || (['href', 'src'].includes(a.name) && /^\\s*(javascript|data|vbscript):/i.test(a.value.replace(/[\\t\\n\\r]/g, '')))))
                .map(e => e.outerHTML.slice(0, 120))""")
            if found:
                injected[path.relative_to(built).as_posix()] = found
    assert dialogs == [] and injected == {}
    shown = (built / "evil/2022/03/12/category.html").read_text(encoding="utf-8")
    assert "<h1>分类</h1>" in shown
    title = next(built.rglob("title.html")).read_text(encoding="utf-8")
    assert f"&lt;script&gt;{ATTACK}&lt;/script&gt;标题" not in title  # finews stored the text, not the tag
