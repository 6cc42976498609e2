"""Finding things at size: reader search (a common two-character word and a rare word), admin
search, the source and tag directories, a day archive and a deep listing page, uncached.

    .venv/bin/python bench/find_bench.py [--posts 100000] [--db /tmp/finews-bench.sqlite3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/find_bench.py --posts 1000000

Fills the database once (bench/fill.py; an older fill gets the search index by ``migrate``),
adds three posts carrying a rare word through the write path, then times each page through
Django's test client with the page cache cleared before every request.
"""
import datetime
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fill import parse_args, timed, uncached_get

RARE = "稀有词汇甲乙丙"


def main():
    args = parse_args(__doc__, repeat=20)

    from django.contrib.auth.models import User
    from django.test import Client

    from news.jekyll.dates import SITE_TZ
    from news.models import Category, Post, PostCategory

    if not Post.objects.filter(title__startswith=RARE).exists():
        for n in range(3):
            Post(title=f"{RARE}{n}", slug=f"rare{n}", body_markdown=f"正文里也有{RARE}。",
                 published_at=datetime.datetime(2026, 5, 1, 9, n, tzinfo=SITE_TZ)).save()
    reader, editor = Client(), Client()
    user = User.objects.filter(username="bench").first() or User.objects.create_superuser("bench", "b@example.com", "x")
    editor.force_login(user)
    big = Category.objects.get(key="emnews")
    links = PostCategory.objects.filter(category=big).newest_first()
    deep = links.values_list("pk", flat=True)[links.count() // 2]
    middle = Post.objects.published().newest_first().values_list("published_at", flat=True)[Post.objects.count() // 2]
    day = middle.astimezone(SITE_TZ)
    pages = {
        "reader search, 央行 (common)": (reader, "/search/?q=央行"),
        "reader search, 央行 relevance": (reader, "/search/?q=央行&order=relevance"),
        f"reader search, {RARE} (3 posts)": (reader, f"/search/?q={RARE}"),
        "admin search, 央行": (editor, "/admin/news/post/?q=央行"),
        "admin search, original URL": (editor, "/admin/news/post/?q=http://finance.example.com/x.html"),
        "admin post list": (editor, "/admin/news/post/"),
        "admin category list": (editor, "/admin/news/category/"),
        "/category/ directory": (reader, "/category/"),
        "/tag/ directory": (reader, "/tag/"),
        f"day archive {day:%Y-%m-%d}": (reader, f"/{day:%Y/%m/%d}/"),
        "deep listing, ?older= half-way": (reader, f"{big.get_absolute_url()}?older={deep}"),
        "listing page 20 (offset)": (reader, f"{big.get_absolute_url()}?page=20"),
    }
    print(f"{Post.objects.count()} posts")
    print(f"{'page':36} {'median':>9} {'p95':>9}")
    for label, (client, url) in pages.items():
        median, p95 = timed(lambda client=client, url=url: uncached_get(client, url), args.repeat)
        print(f"{label:36} {median:6.1f} ms {p95:6.1f} ms")


if __name__ == "__main__":
    main()
