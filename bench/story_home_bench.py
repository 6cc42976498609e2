"""How many distinct news items the home page's first screen shows, with stories and as before.

    .venv/bin/python bench/story_home_bench.py [--posts 4000] [--sources 2000] [--reposts 0.3] [--delay 10]

Writes a Jekyll tree of ``--posts`` posts over ``--sources`` sources, of which a share
(``--reposts``) are other sources' copies of a report of the last ``--delay`` minutes (a post every
20 s), made with the edits
reposting sites make (tests/story_set.py: a lead-in, a dropped last sentence, 【快讯】, a footer, a
rewritten title), imports it into a fresh SQLite database, and reads home's newest block. Today's
wall showed the newest posts, one line each; with stories it shows each story once. Prints the
distinct stories on the first screen both ways and their ratio (issue 27's goal: ≥ 1.3×).
"""
import argparse
import datetime
import io
import random
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fill import setup_django

SUBJECTS = ["央行", "证监会", "沪指", "北向资金", "人民币", "国常会", "统计局", "财政部", "港股", "美联储"]
VERBS = ["开展", "发布", "宣布", "报告", "披露", "预计", "表示", "批准"]


def original(rng, n):
    subject, verb = rng.choice(SUBJECTS), rng.choice(VERBS)
    figure, other = rng.randint(10, 99999), round(rng.uniform(0.1, 9.9), 2)
    title = f"{subject}{verb}第{n}项安排 涉及{figure}亿元"
    body = (f"{subject}今日{verb}编号{n}的安排，涉及金额{figure}亿元，较上期变动{other}%。"
            f"分析人士认为，此举与第{n}号文件的要求一致。市场预计后续还有{rng.randint(2, 9)}项配套措施。")
    return title, body


def write_tree(folder, posts, sources, share, delay, seed=27):
    from tests.story_set import REPOSTERS, edit

    rng = random.Random(seed)
    start = datetime.datetime(2026, 12, 7, 8, 0)
    recent, groups = [], {}
    (folder / "_posts").mkdir(parents=True)
    for n in range(posts):
        when = start + datetime.timedelta(seconds=20 * n)
        source = f"s{rng.randrange(sources):04d}"
        fresh = [item for item in recent if when - item[0] <= datetime.timedelta(minutes=delay)]
        if fresh and rng.random() < share:
            _, group, title, body = rng.choice(fresh)
            title, body = edit(rng.choice(REPOSTERS)[1], title, body, n)
        else:
            group = n
            title, body = original(rng, n)
            recent = [*fresh, (when, group, title, body)]
        slug = f"n{n:06d}"
        groups[slug] = group
        (folder / "_posts" / f"{when:%Y-%m-%d}-{slug}.md").write_text(
            f'---\ntitle: "{title}"\ndate: {when:%Y-%m-%d %H:%M:%S} +0800\ncategories: {source}\ntags: 来源{source}\n---\n\n'
            f"{body}\n", encoding="utf-8")
    return groups


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=4000)
    parser.add_argument("--sources", type=int, default=2000)
    parser.add_argument("--reposts", type=float, default=0.3)
    parser.add_argument("--delay", type=float, default=10, help="reposts copy a report of the last DELAY minutes")
    parser.add_argument("--screens", type=int, default=20, help="moments at which the first screen is read")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="finews-story-bench-"))
    setup_django(work / "db.sqlite3")
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from news.models import Post

    call_command("migrate", verbosity=0)
    groups = write_tree(work / "tree", args.posts, args.sources, args.reposts, args.delay)
    call_command("import_posts", str(work / "tree"), "--quiet", stdout=io.StringIO())
    from unittest import mock

    from django.core.cache import cache

    moments = list(Post.objects.order_by("published_at").values_list("published_at", flat=True))
    checkpoints = moments[len(moments) // 4 :: max(1, len(moments) // (4 * args.screens))][: args.screens]
    sizes = (19, settings.FINEWS_HOME_LATEST)  # what a 1366×768 screen shows of the block, the whole block
    shown_total, before_total = dict.fromkeys(sizes, 0), dict.fromkeys(sizes, 0)
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for now in checkpoints:  # the first screen as a reader saw it at that moment
            cache.clear()
            with mock.patch("django.utils.timezone.now", return_value=now):
                page = Client().get("/").content.decode()
                block = re.search(r"data-live-src=.*?</ol>", page, re.S).group(0)
                lines = [line for line in block.splitlines() if line.startswith("<li data-id=")]  # one item a line
                items = [re.search(r'<a href="/[^"]*/(n\d{6})\.html"', line).group(1) for line in lines]
                newest = list(Post.objects.published(now).newest_first().values_list("slug", flat=True)[: len(items)])
            for size in sizes:
                shown_total[size] += len({groups[slug] for slug in items[:size]})
                before_total[size] += len({groups[slug] for slug in newest[:size]})
    print(f"{args.posts} posts, {args.sources} sources, {args.reposts:.0%} reposts within {args.delay:g} min; "
          f"home's newest items read at {len(checkpoints)} moments:")
    for size in sizes:
        print(f"  first {size} items: as before {before_total[size] / len(checkpoints):.1f} distinct stories, "
              f"with stories {shown_total[size] / len(checkpoints):.1f}; ratio {shown_total[size] / before_total[size]:.2f}×")


if __name__ == "__main__":
    main()
