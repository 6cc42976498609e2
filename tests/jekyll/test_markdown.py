from news.jekyll.markdown import render_markdown


def test_raw_html_blocks_pass_through():
    html = render_markdown("<p>第一段</p>\n <p>第二段 *不是强调*</p>\n")
    assert "<p>第一段</p>" in html and "*不是强调*" in html


def test_autolinks_and_bare_urls():
    html = render_markdown("<http://a.example/x?a=1&b=2>\n\nhttp://bare.example/")
    assert '<a href="http://a.example/x?a=1&amp;b=2">http://a.example/x?a=1&amp;b=2</a>' in html
    assert "<a" not in html.split("</p>", 1)[1]


def test_blockquote_emphasis_lists_tables():
    html = render_markdown("> 摘要\n\n**粗** _斜_\n\n- 一\n- 二\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<blockquote>" in html and "<strong>粗</strong>" in html and "<em>斜</em>" in html
    assert "<li>一</li>" in html and "<td>1</td>" in html


def test_kramdown_typography_but_not_markdown_it_extras():
    html = render_markdown('他说 "好" -- 然后 --- 结束... (c) +-')
    assert "“好”" in html and "–" in html and "—" in html and "…" in html
    assert "(c)" in html and "+-" in html


def test_raw_less_than_in_text_is_escaped():
    assert "精度满足&lt;1%" in render_markdown("精度满足<1%")


def test_entities_and_crlf():
    html = render_markdown("a&nbsp;b &#20013;\r\nline")
    assert "\u00a0" in html and "中" in html and "\r" not in html
