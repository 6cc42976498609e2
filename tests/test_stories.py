"""Stories (issue 27): the same news from many sources is one item on the mixed lists, its other
reports on the article page; the figures rule, every write path, the editor's split and join and
their hold, the backfill. Through the write path, the pages, the admin as a browser submits it and
the commands."""
import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from news import stories
from news.jekyll.dates import SITE_TZ
from news.models import Post, Revision, StoryPost

from . import factories
from .browser import browser_page, needs_chromium
from .forms import browser_form
from .story_set import CORPUS, cases, pairwise

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/news/post/"
STORY_RE = re.compile(r'<section class="story-reports" data-story="(\d+)"')
AT = datetime.datetime(2022, 12, 6, 9, 0, tzinfo=SITE_TZ)

RR = "中国人民银行今日以利率招标方式开展了{}亿元7天期逆回购操作，中标利率1.8%。"


def story_on_page(client, post):
    """The story id the article page names, or None (a story of one post has no section)."""
    found = STORY_RE.search(client.get(post.url_path).content.decode())
    return int(found.group(1)) if found else None


def report(title, body, source="pbc", tag=None, minutes=0):
    return factories.post(title, body=body, categories=(source,), tags=(tag or f"{source}新闻",),
                          when=AT + datetime.timedelta(minutes=minutes))


# --- the rules, pure ------------------------------------------------------------------------------
def test_reposts_with_the_usual_edits_are_the_same_story():
    first = stories.normalise("央行开展1000亿元逆回购操作", RR.format(1000) + "市场人士表示，资金面总体平稳。")
    for title, body in [
        ("【快讯】央行开展1000亿元逆回购", "财联社12月7日电，" + RR.format(1000) + "市场人士表示，资金面总体平稳。"),
        ("央行开展1000亿元逆回购操作", RR.format(1000) + "\n\n责任编辑：王五"),  # last sentence dropped, a footer
        ("央行开展1,000亿元逆回购操作", RR.format("1,000") + "市场人士表示，资金面总体平稳。（来源：新浪财经）"),
        # each source's own address of the original and its 返回 links: their digits are not figures
        ("央行开展1000亿元逆回购操作", RR.format(1000) + "市场人士表示，资金面总体平稳。\n"
         "http://finance.eastmoney.com/news/1354,202112082207148720.html\n返回东财滚动新闻｜返回首页"),
    ]:
        assert stories.same_story(first, stories.normalise(title, body)), title


def test_figures_decide():
    one, two = (stories.normalise(f"央行开展{n}亿元逆回购操作", RR.format(n)) for n in (1000, 2000))
    assert not stories.same_story(one, two)
    morning = stories.normalise("人民币兑美元中间价报6.3441", "人民币兑美元中间价报6.3441，上调60个基点。")
    later = stories.normalise("人民币兑美元中间价报6.3589", "人民币兑美元中间价报6.3589，上调60个基点。")
    assert not stories.same_story(morning, later)
    # the same figure spelled differently is the same figure
    assert stories.figures("1,000亿元，6.30%") == stories.figures("1000亿元，6.3%")


def test_one_companys_news_is_not_anothers():
    a = stories.normalise("甲公司：公司股票将于明日复牌", "甲公司公告，公司股票将于明日开市起复牌。")
    b = stories.normalise("乙公司：公司股票将于明日复牌", "乙公司公告，公司股票将于明日开市起复牌。")
    assert not stories.same_story(a, b)


def test_band_keys_are_the_same_in_every_process():
    text = stories.normalise("央行开展1000亿元逆回购操作", RR.format(1000))
    keys = stories.band_keys(text)
    assert len(keys) == stories.BANDS and keys == stories.band_keys(text)
    assert all(-2**63 <= key < 2**63 for key in keys)
    assert stories.band_keys(stories.normalise("", "")) == []


def test_the_signature_is_datasketchs_minhash():
    """The MinHash computed over all shingles at once equals datasketch's own ``affine64`` MinHash
    (seed 1, each shingle taken as its hash), whose permutations and pre-mix it uses."""
    import numpy as np
    from datasketch import MinHash

    for title, body in [("央行开展1000亿元逆回购操作", RR.format(1000)), ("沪指收涨0.52%", ""), ("ab", "")]:
        text = stories.normalise(title, body)
        codes = [ord(char) for char in text.chars[:stories.SIGNED_CHARS]]
        grams = ({(a << 42) | (b << 21) | c for a, b, c in zip(codes, codes[1:], codes[2:], strict=False)}
                 if len(codes) >= stories.SHINGLE else {sum(code << (21 * n) for n, code in enumerate(codes))})
        reference = MinHash(num_perm=stories.NUM_PERM, seed=1, scheme="affine64", hashfunc=lambda value: value)
        reference.update_batch(sorted(grams))
        ours = stories.minhash(np.array(sorted(grams), dtype=np.uint64))
        assert ours.tolist() == reference.hashvalues.tolist()


# --- the test set, through the article pages --------------------------------------------------------
def _write_cases(found, path, tmp_path):
    """The cases written one by one through the ORM, or as one Jekyll tree through the importer
    (batches: a copy may come before its original in a batch)."""
    if path == "orm":
        return [factories.post(case.title, body=case.body, categories=(case.source,), tags=(f"{case.source}新闻",),
                               when=case.when) for case in found]
    posts = tmp_path / "_posts"
    posts.mkdir()
    for n, case in enumerate(found):
        title = case.title.replace("'", "''")
        (posts / f"{case.when:%Y-%m-%d}-c{n:04d}.md").write_text(
            f"---\ntitle: '{title}'\ndate: {case.when:%Y-%m-%d %H:%M:%S %z}\ncategories: {case.source}\n"
            f"tags: {case.source}新闻\n---\n{case.body}\n", encoding="utf-8")
    call_command("import_posts", str(tmp_path), "--quiet", stdout=io.StringIO())
    by_slug = {post.slug: post for post in Post.objects.all()}
    return [by_slug[f"c{n:04d}"] for n in range(len(found))]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
@pytest.mark.parametrize("path", ["orm", "import"])
def test_the_labelled_set_groups_with_high_precision_and_recall(client, tmp_path, path):
    found = cases()
    posts = _write_cases(found, path, tmp_path)
    predicted = [story_on_page(client, post) or f"alone-{post.pk}" for post in posts]
    precision, recall = pairwise([case.group for case in found], predicted)
    assert len(found) > 300
    assert precision >= 0.95 and recall >= 0.90, (precision, recall)
    print(f"stories on {len(found)} cases ({path}): precision {precision:.3f}, recall {recall:.3f}")


# --- every write path -----------------------------------------------------------------------------
def test_the_orm_and_the_window(client, settings):
    first = report("央行开展1000亿元逆回购操作", RR.format(1000))
    copy = report("【快讯】央行开展1000亿元逆回购", "财联社12月6日电，" + RR.format(1000), source="cls", minutes=5)
    other = report("央行开展2000亿元逆回购操作", RR.format(2000), minutes=10)
    late = report("央行开展1000亿元逆回购操作", RR.format(1000), source="sina", minutes=60 * 49)
    story = story_on_page(client, first)
    assert story is not None and story_on_page(client, copy) == story
    assert story_on_page(client, other) is None  # its numbers differ: alone
    assert story_on_page(client, late) is None  # 49 hours later: outside the 48-hour window


def test_import_and_api_and_an_edit(client, site):
    site.post("2022-12-06-a.md", title="央行开展1000亿元逆回购操作", date="2022-12-06 09:00:00 +0800",
              categories="pbc", tags="央行", body=RR.format(1000))
    site.post("2022-12-06-b.md", title="【快讯】央行开展1000亿元逆回购", date="2022-12-06 09:03:00 +0800",
              categories="cls", tags="财联社", body="财联社12月6日电，" + RR.format(1000))
    call_command("import_posts", str(site.root), "--quiet", stdout=io.StringIO())
    a, b = Post.objects.order_by("published_at")
    assert story_on_page(client, a) == story_on_page(client, b) is not None

    key = io.StringIO()
    call_command("ingest_token", "scraper", stdout=key)
    sent = ("---\ntitle: 央行开展1000亿元逆回购\ndate: 2022-12-06 09:10:00 +0800\ncategories: jin10\ntags: 金十\n---\n"
            "金十数据12月6日讯，" + RR.format(1000) + "\n")
    response = Client().post("/api/posts/", json.dumps({"path": "_posts/2022-12-06-c.md", "content": sent},
                                                       ensure_ascii=False), content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {key.getvalue().strip().splitlines()[-1]}")
    assert response.status_code == 201
    c = Post.objects.get(slug="c")
    assert story_on_page(client, c) == story_on_page(client, a)

    # An edit that changes the figure takes the post out of the story.
    admin = Client()
    admin.force_login(_superuser())
    page = admin.get(f"{CHANGELIST}{c.pk}/change/").content.decode()
    data = {**browser_form(page, "post_form"), "body_markdown": RR.format(3000), "_save": "保存"}
    assert admin.post(f"{CHANGELIST}{c.pk}/change/", data).status_code == 302
    assert story_on_page(client, c) is None
    assert StoryPost.objects.get(post=c).story_id != StoryPost.objects.get(post=a).story_id


def test_a_watched_folder(client, tmp_path):
    from news.ingest.importer import Importer
    from news.ingest.watch import FolderWatcher

    drop = tmp_path / "drop" / "_posts"
    drop.mkdir(parents=True)
    first = report("央行开展1000亿元逆回购操作", RR.format(1000))
    (drop / "2022-12-06-w.md").write_text(
        "---\ntitle: 【快讯】央行开展1000亿元逆回购\ndate: 2022-12-06 09:07:00 +0800\ncategories: jin10\n---\n"
        f"金十数据12月6日讯，{RR.format(1000)}\n", encoding="utf-8")
    assert FolderWatcher(drop.parent, Importer(workers=1), interval=0).once() is not None
    copy = Post.objects.get(slug="w")
    assert story_on_page(client, copy) == story_on_page(client, first) is not None


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("chief", "chief@example.com", "pw-123456")


def test_a_report_taken_down_or_deleted_leaves_the_others_pages(client, admin_client):
    first = report("央行开展1000亿元逆回购操作", RR.format(1000))
    copy = report("【快讯】央行开展1000亿元逆回购", "财联社12月6日电，" + RR.format(1000), source="cls", minutes=3)
    third = report("央行开展1000亿元逆回购", RR.format(1000) + "（来源：新浪财经）", source="sina", minutes=5)
    assert copy.url_path in client.get(first.url_path).content.decode()  # cached now
    admin_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [copy.pk]})
    page = client.get(first.url_path).content.decode()
    assert copy.url_path not in page and third.url_path in page
    third.delete()
    assert story_on_page(client, first) is None


# --- readers' lists ------------------------------------------------------------------------------
def test_home_shows_a_story_once_and_a_later_copy_does_not_bump_it(client):
    first = report("央行开展1000亿元逆回购操作", RR.format(1000))
    between = report("沪指收涨0.52%", "沪指收涨0.52%，深成指涨0.81%。", source="cls", minutes=5)
    home = client.get("/").content.decode()
    cursor = int(re.search(r'data-cursor="(\d+)"', home).group(1))
    assert cursor == between.pk
    copy = report("【快讯】央行开展1000亿元逆回购", "财联社12月6日电，" + RR.format(1000), source="cls", minutes=10)

    latest = re.search(r'data-live-src="[^"]*".*?</ol>', client.get("/").content.decode(), re.S).group(0)
    assert latest.index(f'data-id="{between.pk}"') < latest.index(f'data-id="{first.pk}"')  # not bumped
    assert latest.count("央行开展1000亿元逆回购") == 2  # once as the item, once among its reports
    assert "<summary>2 家来源</summary>" in latest and f'<li data-report="{copy.pk}">' in latest

    delta = client.get(f"/live/latest/?after={cursor}")
    assert delta.status_code == 200 and len(delta.content) <= 1024, len(delta.content)
    body = delta.json()
    assert body["new"] == [] and str(copy.pk) not in body["ids"].split(",")
    assert body["s"][str(first.pk)][1] == "2 家来源" and f'data-report="{copy.pk}"' in body["s"][str(first.pk)][2]


def test_a_tag_shows_its_first_report_and_a_category_stays_its_own_list(client):
    first = report("央行开展1000亿元逆回购操作", RR.format(1000), tag="央行")
    copy = report("【快讯】央行开展1000亿元逆回购", "财联社12月6日电，" + RR.format(1000), source="cls", tag="央行",
                  minutes=3)
    only_here = report("央行开展1000亿元逆回购操作", RR.format(1000), source="sina", tag="新浪", minutes=6)
    tag_page = client.get("/tag/央行/").content.decode()
    assert f'<li data-id="{first.pk}"' in tag_page and f'<li data-id="{copy.pk}" ' not in tag_page
    assert "3 家来源" in tag_page
    # the copy is the first report under a tag the first one lacks
    assert f'<li data-id="{only_here.pk}"' in client.get("/tag/新浪/").content.decode()
    cls_page = client.get("/category/cls.html").content.decode()
    assert f'<li data-id="{copy.pk}"' in cls_page and "家来源" not in cls_page


def test_a_day_and_a_search_show_a_story_once(client):
    first = report("央行开展1000亿元逆回购操作", RR.format(1000))
    copy = report("【快讯】央行开展1000亿元逆回购", "财联社12月6日电，" + RR.format(1000), source="cls", minutes=3)
    other = report("央行开展2000亿元逆回购操作", RR.format(2000), minutes=6)
    day = client.get("/2022/12/06/").content.decode()
    assert f'<li data-id="{first.pk}"' in day and f'<li data-id="{copy.pk}"' not in day
    assert f'<li data-report="{copy.pk}">' in day and f'<li data-id="{other.pk}"' in day
    found = client.get("/search/", {"q": "逆回购"}).content.decode()
    assert found.count("<details class=\"story\"") == 1 and f'<li data-report="{copy.pk}">' in found
    assert re.findall(r'<a href="([^"]+)">[^<]*<mark>', found) == [other.url_path, first.url_path]
    # a search only the copy matches shows the copy
    only_copy = client.get("/search/", {"q": "快讯"}).content.decode()
    assert copy.url_path in only_copy


def test_the_home_page_queries_do_not_grow_with_stories(client):
    def queries():
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    for n in range(3):
        report(f"央行开展{n + 1}000亿元逆回购操作", RR.format(f"{n + 1}000"), minutes=n)
        report("【快讯】央行开展", "财联社12月6日电，" + RR.format(f"{n + 1}000"), source="cls", minutes=n + 1)
    few = queries()
    for n in range(3, 12):
        report(f"央行开展{n + 1}000亿元逆回购操作", RR.format(f"{n + 1}000"), minutes=n)
        report("【快讯】央行开展", "财联社12月6日电，" + RR.format(f"{n + 1}000"), source="cls", minutes=n + 1)
    assert queries() == few


# --- editors ---------------------------------------------------------------------------------------
def test_an_editor_splits_and_joins_and_an_import_keeps_it(admin_client, client, site):
    first = report("央行开展1000亿元逆回购操作", RR.format(1000))
    copy = report("【快讯】央行开展1000亿元逆回购", "财联社12月6日电，" + RR.format(1000), source="cls", minutes=3)
    unrelated = report("沪指收涨0.52%", "沪指收涨0.52%，深成指涨0.81%，创业板指涨1.02%。", source="cls", minutes=4)
    page = admin_client.get(f"{CHANGELIST}{first.pk}/change/").content.decode()
    assert "另有 1 篇" in page and copy.title in page

    response = admin_client.post(CHANGELIST, {"action": "split_story", "_selected_action": [copy.pk]}, follow=True)
    assert "移出所在报道" in response.content.decode()
    assert story_on_page(client, first) is None and story_on_page(client, copy) is None
    revision = Revision.objects.filter(post_id=copy.pk).first()
    assert revision.action == "移出报道" and revision.user is not None

    # The text written again (an edit through the ORM) does not put it back.
    copy.body_markdown = "财联社12月6日电，" + RR.format(1000) + "（更新）"
    copy.save()
    assert story_on_page(client, copy) is None

    admin_client.post(CHANGELIST, {"action": "join_stories", "_selected_action": [first.pk, unrelated.pk]})
    assert story_on_page(client, first) == story_on_page(client, unrelated) is not None
    assert Revision.objects.filter(post_id=unrelated.pk, action="合并报道").exists()
    unrelated.title = "沪指收涨0.52%（更新）"
    unrelated.save()
    assert story_on_page(client, unrelated) == story_on_page(client, first)


# --- existing sites --------------------------------------------------------------------------------
def test_assign_stories_groups_what_is_there_and_goes_on_where_it_stopped(client):
    posts = [report("央行开展1000亿元逆回购操作", RR.format(1000)),
             report("【快讯】央行开展1000亿元逆回购", "财联社12月6日电，" + RR.format(1000), source="cls", minutes=3),
             report("央行开展2000亿元逆回购操作", RR.format(2000), minutes=6),
             report("央行开展2000亿元逆回购", RR.format(2000) + "（来源：新浪财经）", source="sina", minutes=9)]
    StoryPost.objects.all().delete()  # a site from before stories
    assert all(story_on_page(client, post) is None for post in posts)

    out = io.StringIO()
    call_command("assign_stories", "--batch", "3", stdout=out)
    assert "已归入 3 / 4 篇文章" in out.getvalue() and "已归入 4 / 4 篇文章" in out.getvalue()
    client_stories = [story_on_page(client, post) for post in posts]
    assert client_stories[0] == client_stories[1] is not None
    assert client_stories[2] == client_stories[3] is not None and client_stories[2] != client_stories[0]

    out = io.StringIO()
    call_command("assign_stories", stdout=out)  # nothing left: nothing changes
    assert "完成：0 篇" in out.getvalue()
    assert [story_on_page(client, post) for post in posts] == client_stories


# --- in a browser ----------------------------------------------------------------------------------
@pytest.mark.browser
@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_an_open_wall_counts_a_later_copy_without_moving_the_story(live_server, capsys, settings):
    expect = pytest.importorskip("playwright.sync_api").expect
    settings.FINEWS_LIVE_SECONDS = 1
    now = datetime.datetime.now(SITE_TZ).replace(microsecond=0)
    first = factories.post("央行开展1000亿元逆回购操作", body=RR.format(1000), categories=("pbc",),
                           when=now - datetime.timedelta(minutes=9))
    later = factories.post("沪指收涨0.52%", body="沪指收涨0.52%，深成指涨0.81%。", categories=("cls",),
                           when=now - datetime.timedelta(minutes=5))
    with browser_page(capsys, viewport={"width": 1366, "height": 800}) as (page, blocked):
        page.goto(live_server.url + "/")
        items = page.locator(".wall > li")
        expect(items.first).to_contain_text(later.title)
        copy = factories.post("【快讯】央行开展1000亿元逆回购", body="财联社电，" + RR.format(1000), categories=("cls",),
                              when=now - datetime.timedelta(minutes=1))
        story = page.locator(f'.wall > li[data-id="{first.pk}"] details.story')
        expect(story.locator("summary")).to_have_text("2 家来源", timeout=10_000)
        expect(items.first).to_contain_text(later.title)  # not bumped to the top
        expect(page.locator(f'.wall > li[data-id="{copy.pk}"]')).to_have_count(0)
        story.locator("summary").click()
        expect(story.locator(f'li[data-report="{copy.pk}"] a[href="{copy.url_path}"]')).to_be_visible()
        assert not blocked, blocked


# --- found by a reviewer ---------------------------------------------------------------------------
def test_a_daily_notice_is_each_days_own_story(client):
    posts = [factories.post(f"央行12月{6 + d}日不开展逆回购操作", categories=("pbc",), tags=("央行",),
                            body=f"中国人民银行公告称，目前银行体系流动性总量处于合理充裕水平，12月{6 + d}日不开展逆回购操作。",
                            when=AT + datetime.timedelta(days=d)) for d in range(4)]
    assert len({StoryPost.objects.get(post=post).story_id for post in posts}) == 4
    home, tag = client.get("/").content.decode(), client.get("/tag/央行/").content.decode()
    assert all(f'<li data-id="{post.pk}"' in home and f'<li data-id="{post.pk}"' in tag for post in posts)


def test_two_short_texts_without_figures_are_two_stories():
    a = factories.post("重要公告", body="[http://a.example/1.pdf](http://a.example/1.pdf)", categories=("s1",), when=AT)
    b = factories.post("重要公告", body="[http://b.example/2.pdf](http://b.example/2.pdf)", categories=("s2",),
                       when=AT + datetime.timedelta(hours=3))
    assert StoryPost.objects.get(post=a).story_id != StoryPost.objects.get(post=b).story_id


def test_a_late_report_of_a_big_story_still_lists_its_story(client):
    posts = [report("央行开展1000亿元逆回购操作", RR.format(1000), source=f"s{n}", minutes=n) for n in range(24)]
    assert len({StoryPost.objects.get(post=post).story_id for post in posts}) == 1
    page = client.get(posts[23].url_path).content.decode()
    assert STORY_RE.search(page) and "共 24 篇，列出最早的 20 篇" in page


def test_narrowed_lists_show_the_first_report_they_hold(client):
    first = report("央行开展1000亿元逆回购操作", RR.format(1000), tag="央行")
    copy = report("【快讯】央行开展1000亿元逆回购", "财联社12月6日电，" + RR.format(1000), source="cls", tag="央行",
                  minutes=60 * 20)
    assert StoryPost.objects.get(post=first).story_id == StoryPost.objects.get(post=copy).story_id
    Post.objects.filter(pk=copy.pk).set_important(True)
    assert f"{copy.pk}!" in client.get("/live/latest/?important=1").json()["ids"].split(",")  # 只看重要
    assert f'<li data-id="{copy.pk}"' in client.get("/tag/央行/?important=1").content.decode()
    day = copy.published_at.astimezone(SITE_TZ).date().isoformat()
    assert f'<li data-id="{copy.pk}"' in client.get("/tag/央行/", {"date": day}).content.decode()  # its own day
    assert f'<li data-id="{copy.pk}"' not in client.get("/tag/央行/").content.decode()  # the whole tag: once


@pytest.mark.parametrize("when", ["0001-01-03 05:00:00 +0800", "9999-12-29 20:00:00 +0800"])
def test_posts_at_the_calendars_ends_are_placed(site, when):
    site.post("0001-01-03-a.md", title="央行开展1000亿元逆回购操作", date=when, categories="pbc", body=RR.format(1000))
    site.post("0001-01-03-b.md", title="【快讯】央行开展1000亿元逆回购", date=when, categories="cls",
              body="财联社电，" + RR.format(1000))
    out = io.StringIO()
    call_command("import_posts", str(site.root), stdout=out, stderr=out)
    assert "失败 0" in out.getvalue() and StoryPost.objects.values("story").distinct().count() == 1


def test_a_split_holds_when_the_post_left_behind_is_written_again(client, admin_client):
    first = report("央行开展1000亿元逆回购操作", RR.format(1000))
    copy = report("【快讯】央行开展1000亿元逆回购", "财联社12月6日电，" + RR.format(1000), source="cls", minutes=3)
    admin_client.post(CHANGELIST, {"action": "split_story", "_selected_action": [copy.pk]})
    first.body_markdown = RR.format(1000) + "（更新）"
    first.save()
    assert story_on_page(client, first) is None and story_on_page(client, copy) is None


def test_a_post_moved_in_time_is_placed_again(client):
    first = report("央行开展1000亿元逆回购操作", RR.format(1000))
    copy = report("【快讯】央行开展1000亿元逆回购", "财联社12月6日电，" + RR.format(1000), source="cls", minutes=3)
    copy.published_at = AT + datetime.timedelta(days=30)
    copy.save()
    assert story_on_page(client, first) is None and story_on_page(client, copy) is None
    assert f'<li data-id="{copy.pk}"' in client.get("/").content.decode()


def test_placing_an_existing_sites_posts_adds_no_revisions():
    from news.models import Revision

    for n in range(5):
        factories.post(f"无关新闻{n}", body=f"内容{n}各不相同，第{n}条。")
    StoryPost.objects.all().delete()
    for revision in Revision.objects.all():  # as they were written before stories
        revision.data.pop("story", None)
        revision.save()
    before = Revision.objects.count()
    call_command("assign_stories", stdout=io.StringIO())
    assert Revision.objects.count() == before
