import pytest

from news.sanitize import sanitize_html

HOSTS = ("finews.withounder.com", "finews.zning.me")


@pytest.mark.parametrize("dirty", [
    "<script>alert(1)</script>",
    "<style>p{}</style>",
    '<iframe src="http://x"></iframe>',
    '<form action="/x"><input name="a"></form>',
    '<p onclick="alert(1)">x</p>',
    '<a href="javascript:alert(1)">x</a>',
    '<img src="data:image/png;base64,AAAA">',
    '<a href="vbscript:x">x</a>',
])
def test_dangerous_markup_is_removed(dirty):
    clean = sanitize_html(dirty)
    for bad in ("<script", "alert(1)", "<style", "<iframe", "<form", "<input", "onclick",
                "javascript:", "data:", "vbscript:"):
        assert bad not in clean


def test_allowed_markup_is_kept_and_attributes_dropped():
    dirty = (
        '<h2 id="x">标题</h2><p class="c" data-x="1" style="color:red">段落<br>'
        '<strong>粗</strong><em>斜</em></p><ul><li>一</li></ul><blockquote>引</blockquote>'
        '<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>'
        '<pre><code>x</code></pre><hr><img src="http://img.example/a.png" alt="图" width="3">'
    )
    clean = sanitize_html(dirty)
    for kept in ("<h2>标题</h2>", "<strong>粗</strong>", "<em>斜</em>", "<li>一</li>",
                 "<blockquote>引</blockquote>", "<td>1</td>", "<pre><code>x</code></pre>", "<hr>",
                 '<img src="http://img.example/a.png" alt="图">'):
        assert kept in clean
    assert "class=" not in clean and "data-x" not in clean and "style=" not in clean and 'id="' not in clean


def test_links_get_rel_and_keep_only_href_and_title():
    clean = sanitize_html('<a href="https://x.example/" title="t" target="_blank" class="k">x</a>')
    assert clean == '<a href="https://x.example/" title="t" rel="nofollow noopener">x</a>'
    assert 'href="mailto:a@example.com"' in sanitize_html('<a href="mailto:a@example.com">m</a>')


@pytest.mark.parametrize("href, expected", [
    ("//finews.withounder.com/emnews/", "/emnews/"),
    ("http://finews.withounder.com/category/emnews.html", "/category/emnews.html"),
    ("https://FINEWS.zning.me/?a=1#top", "/?a=1#top"),
    ("//finews.withounder.com", "/"),
    ("../emnews/", "/emnews/"),
    ("../", "/"),
    ("http://quote.eastmoney.com/x", "http://quote.eastmoney.com/x"),
])
def test_old_site_links_become_site_relative(href, expected):
    assert f'href="{expected}"' in sanitize_html(f'<a href="{href}">x</a>', HOSTS)


def test_unknown_tags_are_stripped_but_text_kept():
    assert sanitize_html("<span id='s'><font>文字</font></span>") == "文字"
