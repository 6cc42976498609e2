"""Securities (issue 28): every post knows the stocks and sectors it names, on every write path;
``/stock/<code>/`` lists the posts naming one, as a live wall with a feed; articles link them."""
import io
import json

import feedparser
import pytest
from django.core.management import call_command

from news import securities
from news.jekyll.dates import SITE_TZ
from news.models import IngestToken, Post, PostSecurity, Revision, Security, SecurityChoice

from . import factories
from .conftest import SEED_POST
from .forms import browser_form
from .security_set import CASES

SEED_URL = "/emnews/2022/02/17/202202172280203741.html"


# --- the rules --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("body", "expected"), CASES, ids=[f"case{n}" for n in range(len(CASES))])
def test_the_labelled_set_holds_exactly(body, expected):
    assert {security.key for security in securities.extract("", body)} == expected


def test_names_come_from_the_link_or_the_words_before_the_code():
    found = securities.extract("", '<p>控股股东贵州茅台（600519）增持，<a href="http://quote.eastmoney.com/unify/r/'
                                   '0.000858">五粮液</a>跟涨；分析师维持港交所(00388.HK)评级。</p>')
    assert [(s.code, s.name) for s in found] == [("000858", "五粮液"), ("600519", "贵州茅台"), ("00388", "港交所")]


def test_a_security_named_twice_is_listed_once_with_the_links_name():
    body = ('<p>宁德时代（300750）公告。</p><a href="http://quote.eastmoney.com/unify/r/0.300750">宁德时代</a>'
            '<p>宁德时代(300750.SZ)</p>')
    assert [(s.market, s.code, s.name) for s in securities.extract("", body)] == [("SZ", "300750", "宁德时代")]


# --- every write path ---------------------------------------------------------------------------------
def _listed(client, path):
    return client.get(path).content.decode()


@pytest.mark.django_db
def test_the_seed_post_names_its_three_and_each_page_lists_it(client, site):
    site.post("2022-02-17-202202172280203741.md", raw=SEED_POST.read_text("utf-8"))
    call_command("import_posts", str(site.root), "--quiet", stdout=io.StringIO())
    article = _listed(client, SEED_URL)
    for name, code in [("太阳能", "000591"), ("上海环境", "601200"), ("证券", "BK0473")]:
        assert f'href="/stock/{code}/">{name} <span class="security-code">{code}</span>' in article
        assert SEED_URL in _listed(client, f"/stock/{code}/"), code
    assert [(s.market, s.code) for s in Security.objects.order_by("pk")] == [
        ("SZ", "000591"), ("SH", "601200"), ("BK", "BK0473")]


@pytest.mark.django_db
def test_the_api_and_an_edit_keep_the_links_in_step(client):
    _, key = IngestToken.issue("scraper")
    content = "---\ntitle: 茅台公告\ndate: 2022-03-01 10:00:00 +0800\ncategories: emnews\n---\n\n贵州茅台（600519）公告分红。\n"
    response = client.post("/api/posts/", json.dumps({"path": "_posts/2022-03-01-mt.md", "content": content}),
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201, response.content
    post = Post.objects.get(title="茅台公告")
    assert "茅台公告" in _listed(client, "/stock/600519/")
    post.body_markdown = "五粮液（000858）公告分红。"  # the editor changed the company
    post.save()
    assert "茅台公告" not in _listed(client, "/stock/600519/")
    assert "茅台公告" in _listed(client, "/stock/000858/")
    Post.objects.filter(pk=post.pk).set_status(Post.Status.DRAFT)
    assert "茅台公告" not in _listed(client, "/stock/000858/")


@pytest.mark.django_db
def test_a_new_post_naming_a_code_refreshes_that_page_and_no_other(client):
    factories.post("茅台旧闻", body="贵州茅台（600519）旧闻。")
    factories.post("五粮液旧闻", body="五粮液（000858）旧闻。")
    for page in ("/stock/600519/", "/stock/000858/"):
        client.get(page)
        assert client.get(page)["X-Cache"] == "HIT"
    factories.post("茅台新闻", body="贵州茅台（600519）新闻。", tags=("别的标签",))
    response = client.get("/stock/600519/")
    assert response["X-Cache"] != "HIT" and "茅台新闻" in response.content.decode()
    assert client.get("/stock/000858/")["X-Cache"] == "HIT"


@pytest.mark.django_db
def test_a_later_report_of_a_story_refreshes_the_stock_page_showing_its_first(client):
    body = "<p>招商银行（600036）公告，2021年净利润1199.22亿元，同比增长23.20%，拟每股派息1.522元。</p>"
    factories.post("招商银行年报出炉", body=body, categories=["s1"])
    client.get("/stock/600036/")
    assert client.get("/stock/600036/")["X-Cache"] == "HIT"
    factories.post("【快讯】招商银行年报出炉", body=body.replace("<p>", "<p>财联社3月18日电，"), categories=["s2"])
    assert "2 家来源" in _listed(client, "/stock/600036/")


@pytest.mark.django_db
def test_a_renamed_security_shows_on_the_articles_that_name_it_without_a_name(client, admin_client):
    post = factories.post("长江电力公告", body="<p>公告（股票代码：600900）。</p>")
    assert '<span class="security-code">600900</span>' in _listed(client, post.url_path)
    security = Security.objects.get(code="600900")
    response = admin_client.post(f"/admin/news/security/{security.pk}/change/", {"name": "长江电力", "_save": "保存"})
    assert response.status_code == 302
    assert '>长江电力 <span class="security-code">600900</span>' in _listed(client, post.url_path)


@pytest.mark.django_db
def test_a_deleted_post_leaves_its_stock_page(client):
    post = factories.post("将删除", body="贵州茅台（600519）。")
    assert "将删除" in _listed(client, "/stock/600519/")
    post.delete()
    assert "将删除" not in _listed(client, "/stock/600519/")


# --- pages ---------------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 40])
def test_a_stock_page_costs_the_same_queries_at_any_size(client, django_assert_max_num_queries, settings, count):
    settings.FINEWS_LISTING_PAGE_SIZE = 10
    for n in range(count):
        factories.post(f"茅台{n}", body=f"贵州茅台（600519）第{n}条。", categories=["emnews", f"c{n % 5}"])
    # as a tag's: the security, the page, the items' sources, securities and stories, the cache's one
    for url in ("/stock/600519/", f"/stock/600519/?page={count // 10 or 1}"):
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_the_stock_page_is_a_live_wall_with_a_feed(client):
    factories.post("茅台一", body="贵州茅台（600519）一。")
    security = Security.objects.get(code="600519")
    html = _listed(client, "/stock/600519/")
    assert f'data-live-src="/live/stock/{security.pk}/' in html
    assert '<link rel="alternate" type="application/atom+xml"' in html and "/stock/600519/feed.xml" in html
    delta = json.loads(client.get(f"/live/stock/{security.pk}/").content)
    assert "茅台一" in "".join(delta["new"])
    feed = feedparser.parse(client.get("/stock/600519/feed.xml").content)
    assert [entry.title for entry in feed.entries] == ["茅台一"]
    assert "贵州茅台" in feed.feed.title


@pytest.mark.django_db
def test_unknown_codes_and_junk_are_404(client):
    factories.post("茅台一", body="贵州茅台（600519）一。")
    assert client.get("/stock/%00/").status_code == 400  # refused before any view, as everywhere
    # one address a page: no other spelling of a code or a market answers (nor fills the cache)
    for page in ("/stock/999999/", "/stock/" + "9" * 40 + "/", "/stock/%20600519%20/", "/stock/600519/sh/",
                 "/stock/600519/SHzz/", "/stock/bk0473/", "/stock/600519/XX/",
                 "/stock/600519/XX/feed.xml", "/live/stock/99999/", "/live/stock/abc/"):
        assert client.get(page).status_code == 404, page


@pytest.mark.django_db
def test_a_code_two_markets_share_gets_a_choice(client):
    Security.objects.create(market="US", code="BK", name="某美股")
    factories.post("板块新闻", body='<a href="http://quote.eastmoney.com/us/BK.html">某美股</a>')
    Security.objects.create(market="HK", code="BK", name="另一个")  # as an editor could
    html = _listed(client, "/stock/BK/")
    assert 'href="/stock/BK/US/"' in html and 'href="/stock/BK/HK/"' in html
    assert "板块新闻" in _listed(client, "/stock/BK/US/")
    assert "板块新闻" not in _listed(client, "/stock/BK/HK/")


@pytest.mark.django_db
def test_the_directory_lists_named_securities_by_pinyin(client):
    factories.post("茅台一", body="贵州茅台（600519）与比亚迪（002594）。")
    html = _listed(client, "/stock/")
    assert 'href="/stock/600519/">贵州茅台（600519）</a>' in html
    assert html.index("比亚迪（002594）") < html.index("贵州茅台（600519）")  # b before g


# --- existing sites -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_extract_securities_fills_an_existing_site_and_goes_on_after_an_id(client):
    posts = [factories.post(f"旧闻{n}", body=f"比亚迪（002594）第{n}条。") for n in range(5)]
    PostSecurity.objects.all().delete()  # as a site from before the upgrade has them
    out = io.StringIO()
    call_command("extract_securities", "--batch", "2", "--after", str(posts[1].pk), stdout=out)
    assert set(PostSecurity.objects.values_list("post_id", flat=True)) == {post.pk for post in posts[2:]}
    assert f"已处理 2 / 3 篇文章（到 id {posts[3].pk}）" in out.getvalue()
    call_command("extract_securities", stdout=io.StringIO())
    assert PostSecurity.objects.count() == 5
    html = _listed(client, "/stock/002594/")
    assert all(post.title in html for post in posts)
    client.get("/emnews/")
    Post.objects.filter(pk=posts[0].pk).update(body_html="<p>改了，不再提到。</p>")  # as a bulk fix could
    call_command("extract_securities", stdout=io.StringIO())
    assert 'href="/stock/002594/"' not in _listed(client, "/emnews/").split(posts[0].title)[1].split("</li>")[0]


@pytest.mark.django_db
def test_every_list_item_links_the_securities_its_post_names(client):
    post = factories.post("双雄", body="宁德时代（300750）与比亚迪（002594）。", tags=("东财滚动新闻", "新能源"))
    badges = ('<span class="secs" aria-label="相关证券"><a class="sec" href="/stock/300750/">宁德时代</a>'
              '<a class="sec" href="/stock/002594/">比亚迪</a></span>')
    for page in ("/", "/emnews/", "/category/emnews.html", "/tag/新能源/", "/stock/300750/",
                 post.published_at.astimezone(SITE_TZ).strftime("/%Y/%m/%d/")):
        assert badges in _listed(client, page), page


@pytest.mark.django_db
def test_the_admin_shows_a_posts_securities_and_renames_one(admin_client, client):
    post = factories.post("茅台一", body="贵州茅台（600519）一。")
    page = admin_client.get(f"/admin/news/post/{post.pk}/change/").content.decode()
    assert '<a href="/stock/600519/">贵州茅台（600519 · 上交所）</a>' in page
    security = Security.objects.get(code="600519")
    assert "<h1>贵州茅台 " in _listed(client, "/stock/600519/")
    response = admin_client.post(f"/admin/news/security/{security.pk}/change/", {"name": "茅台", "_save": "保存"})
    assert response.status_code == 302
    assert "<h1>茅台 " in _listed(client, "/stock/600519/")


def _choose(admin_client, post, rows):
    """The post's admin form as a browser submits it, with the securities rows given
    (``{"security": pk, "wanted": "True"|"False"}``, or an existing row's ``id`` with ``DELETE``)."""
    change = f"/admin/news/post/{post.pk}/change/"
    form = browser_form(admin_client.get(change).content.decode(), "post_form")
    initial = int(form["security_choices-INITIAL_FORMS"])
    for n, row in enumerate(rows):
        form.update({f"security_choices-{n}-{name}": str(value) for name, value in row.items()})
        form.setdefault(f"security_choices-{n}-post", str(post.pk))
        form.setdefault(f"security_choices-{n}-id", "")
    form["security_choices-TOTAL_FORMS"] = str(max(len(rows), initial))
    response = admin_client.post(change, {**form, "_save": "保存"})
    assert response.status_code == 302, response.content.decode()[:3000]


def _badges(page):
    return [part.split('/">')[0] for part in page.split('<a class="security" href="/stock/')[1:]]


@pytest.mark.django_db
def test_an_editor_adds_and_removes_securities_and_later_writes_keep_them(admin_client, client):
    factories.post("宁德", body="宁德时代（300750）公告。")
    post = factories.post("茅台二", body="贵州茅台（600519）二，五粮液（000858）跟涨。")
    ningde, maotai = Security.objects.get(code="300750"), Security.objects.get(code="600519")
    assert post.title not in _listed(client, "/stock/300750/")
    assert post.title in _listed(client, "/stock/600519/")

    _choose(admin_client, post, [{"security": ningde.pk, "wanted": "True"}, {"security": maotai.pk, "wanted": "False"}])
    assert post.title in _listed(client, "/stock/300750/")
    assert post.title not in _listed(client, "/stock/600519/")
    assert _badges(_listed(client, post.url_path)) == ["000858", "300750"]  # the text's order, then the added
    revision = Revision.objects.filter(post_id=post.pk).first()
    assert revision.data["securities"] == ["000858.SZ", "300750.SZ"] and revision.user is not None
    before = Revision.objects.filter(post_id=post.pk, pk__lt=revision.pk).first()
    assert before.data["securities"] == ["600519.SH", "000858.SZ"]  # the change is a revision of its own
    assert Post.objects.get(pk=post.pk).held_at is not None

    # The text written again (naming 茅台 twice now), and a backfill: the editor's word stands.
    post.refresh_from_db()
    post.body_markdown = "贵州茅台（600519）又涨，贵州茅台(600519.SH)收盘。五粮液（000858）。"
    post.save()
    call_command("extract_securities", stdout=io.StringIO())
    assert _badges(_listed(client, post.url_path)) == ["000858", "300750"]
    assert post.title not in _listed(client, "/stock/600519/")

    # Undone: the removal deleted, 茅台 is back where the text names it.
    removal = SecurityChoice.objects.get(post=post, security=maotai)
    rows = [{"id": choice.pk, "security": choice.security_id, "wanted": str(choice.wanted)}
            for choice in SecurityChoice.objects.filter(post=post).order_by("pk")]
    rows[[row["id"] for row in rows].index(removal.pk)]["DELETE"] = "on"
    _choose(admin_client, post, rows)
    assert _badges(_listed(client, post.url_path)) == ["600519", "000858", "300750"]
    assert post.title in _listed(client, "/stock/600519/")


@pytest.mark.django_db
def test_search_for_a_code_or_a_name_leads_with_the_security(client):
    factories.post("茅台一", body="贵州茅台（600519）一。")
    lead = '<p class="search-securities">证券：<a class="security" href="/stock/600519/">贵州茅台'
    for query in ("600519", "贵州茅台", " 贵州茅台 "):
        assert lead in _listed(client, f"/search/?q={query}"), query
    assert "search-securities" not in _listed(client, "/search/?q=茅台一")


@pytest.mark.django_db(transaction=True)
def test_a_post_or_a_security_with_an_editors_choice_can_be_deleted(client):
    factories.post("宁德", body="宁德时代（300750）公告。")
    post = factories.post("茅台三", body="贵州茅台（600519）三。")
    ningde = Security.objects.get(code="300750")
    SecurityChoice.objects.create(post=post, security=ningde, wanted=True)
    assert PostSecurity.objects.filter(post=post).count() == 2
    post.delete()  # its choice goes with it, and its links stay gone
    assert not PostSecurity.objects.filter(post_id=post.pk).exists()
    other = factories.post("茅台四", body="贵州茅台（600519）四。")
    SecurityChoice.objects.create(post=other, security=ningde, wanted=True)
    ningde.delete()  # the security goes, and is not made again from the choice
    assert not Security.objects.filter(code="300750").exists()
    assert [link.security.code for link in PostSecurity.objects.filter(post=other)] == ["600519"]
    assert other.title in _listed(client, "/stock/600519/")


@pytest.mark.django_db
def test_an_editor_of_the_editors_group_chooses_and_it_is_a_revision_on_an_older_site(client):
    from django.contrib.auth.models import Group, User
    from django.test import Client

    factories.post("宁德", body="宁德时代（300750）公告。")
    post = factories.post("茅台五", body="贵州茅台（600519）五。")
    last = Revision.objects.filter(post_id=post.pk).first()
    last.data.pop("securities")  # a revision from before securities, as an existing site has
    last.save()
    editor = User.objects.create_user("bianji-zq", password="pw-bianji-2026")
    editor.groups.add(Group.objects.get(name="编辑"))
    editing = Client()
    editing.force_login(editor)
    assert "security_choices-TOTAL_FORMS" in editing.get(f"/admin/news/post/{post.pk}/change/").content.decode()
    _choose(editing, post, [{"security": Security.objects.get(code="300750").pk, "wanted": "True"}])
    revision = Revision.objects.filter(post_id=post.pk).first()
    assert revision.pk != last.pk and revision.user == editor
    assert revision.data["securities"] == ["600519.SH", "300750.SZ"]
