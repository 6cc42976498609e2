"""What placing a post in its story costs at a million posts (issue 27: ≤ 5 ms for one API post).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/finews_bench_stories .venv/bin/python bench/story_bench.py

Fills the database to ``--posts`` posts once (bench/fill.py), gives every post that has none a
story of its own and 16 LSH keys (random, as unrelated texts have; SQL, once), then sends
``--trials`` posts through the API (the scraper's path: parse, write, after-write step) and times,
in the same process, the story step alone (``StoryPost.objects.assign``) inside each request. Half
of the posts sent are reposts of one sent before (they join its story), half new news. Prints the
step's median and 99th percentile and the whole request's, with the step's share.
"""
import argparse
import datetime
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fill import fill, setup_django


def give_stories():
    """A story of its own and 16 random keys for every post, when some post has none: set-based SQL
    (PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM news_post p WHERE NOT EXISTS "
                       "(SELECT 1 FROM news_storypost s WHERE s.post_id = p.id)")
        missing = cursor.fetchone()[0]
        if not missing:
            return 0
        # all at once, from empty (this bench's own database): a half-done earlier fill is redone
        cursor.execute("TRUNCATE news_storyband, news_storypost, news_story")
        cursor.execute("INSERT INTO news_story (id, created_at) SELECT id, now() FROM news_post")
        cursor.execute("SELECT setval(pg_get_serial_sequence('news_story', 'id'), (SELECT max(id) FROM news_post))")
        cursor.execute("INSERT INTO news_storyband (key, post_id, at) SELECT "
                       "(random() * 9.2e18 * 2 - 9.2e18)::bigint, p.id, p.published_at FROM news_post p "
                       "CROSS JOIN generate_series(1, 16)")
        cursor.execute("INSERT INTO news_storypost (post_id, story_id, held, figures) "
                       "SELECT id, id, false, '' FROM news_post")
        cursor.execute("ANALYZE news_story; ANALYZE news_storypost; ANALYZE news_storyband")
    return missing


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--sources", type=int, default=2_000)
    parser.add_argument("--trials", type=int, default=400)
    args = parser.parse_args()
    setup_django(Path(tempfile.mkdtemp()) / "unused.sqlite3")
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("set DATABASE_URL to a PostgreSQL database (this bench fills it)")
    fill(args.posts, args.sources)
    started = time.perf_counter()
    given = give_stories()
    print(f"stories and keys for {given:,} posts in {time.perf_counter() - started:.1f} s")

    import io

    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from news.models import StoryPost
    from news.models import stories as story_models

    out = io.StringIO()
    call_command("ingest_token", f"story-bench-{time.time_ns()}", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    steps, requests = [], []
    original = story_models.StoryPostQuerySet.assign

    def timed(self, posts):
        begun = time.perf_counter()
        try:
            return original(self, posts)
        finally:
            steps.append(time.perf_counter() - begun)

    story_models.StoryPostQuerySet.assign = timed
    client = Client()
    stamp = time.time_ns()
    # a day of its own among the filled posts' (an earlier run's posts are outside this run's window)
    day = datetime.date(2026, 11, 1) - datetime.timedelta(days=3 + stamp // 1000 % 400)
    sent = []
    with override_settings(ALLOWED_HOSTS=["testserver"], FINEWS_API_RATE_PER_MINUTE=10**9):
        for n in range(args.trials):
            minute = n // 2
            if n % 2 and sent:
                title, body = sent[-1]
                title, body = f"【快讯】{title}", f"财联社{day.month}月{day.day}日电，{body}"
            else:
                title = f"央行开展{1000 + n}亿元7天期逆回购操作（第{n}次）"
                body = f"中国人民银行今日开展了{1000 + n}亿元逆回购操作，中标利率1.{n % 9}%，编号{stamp % 10**6 + n}。"
                sent.append((title, body))
            content = (f"---\ntitle: {title}\ndate: {day} {10 + minute // 60}:{minute % 60:02d}:00 +0800\n"
                       f"categories: bench{n % 7}\ntags: 基准{n % 7}\n---\n{body}\n")
            begun = time.perf_counter()
            response = client.post("/api/posts/", json.dumps({"path": f"_posts/{day}-sb{stamp}-{n}.md",
                                                               "content": content}, ensure_ascii=False),
                                   content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
            requests.append(time.perf_counter() - begun)
            assert response.status_code == 201, response.content
    story_models.StoryPostQuerySet.assign = original
    joined = StoryPost.objects.filter(post__slug__startswith=f"sb{stamp}").values("story").distinct().count()
    ms = [value * 1000 for value in steps[20:]]  # the first requests warm the connection and caches
    fresh, copies = ms[0::2], ms[1::2]  # (20 is even: new news first, then its copy)
    whole = [value * 1000 for value in requests[20:]]
    print(f"{args.posts:,} posts on PostgreSQL; {args.trials} API posts ({joined} stories among them)")
    print(f"story step: median {statistics.median(ms):.2f} ms, p99 {percentile(ms, 0.99):.2f} ms "
          f"(new news {statistics.median(fresh):.2f} ms, a copy joining its story {statistics.median(copies):.2f} ms)")
    print(f"whole API request: median {statistics.median(whole):.2f} ms, p99 {percentile(whole, 0.99):.2f} ms; "
          f"the step is {statistics.median(ms) / statistics.median(whole):.0%} of it")


if __name__ == "__main__":
    main()
