"""Search at scale: the reader's search (newest first and relevance order) and the admin's post
search, for common and rare words and a term with symbols.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/finews_bench_1m \\
        .venv/bin/python bench/search_bench.py --posts 1000000

Uses bench/fill.py's generated site; search is never cached, so each request does the whole work
(Django's test client, no network). Prints each query's median and p95.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fill import parse_args, timed

WORDS = ["央行", "市场", "公告", "5%", "央行 市场"]


def main():
    args = parse_args(__doc__, repeat=15)

    from django.contrib.auth.models import User
    from django.test import Client

    from news import search
    from news.models import Post

    user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
        "bench", password="bench-password-123")
    reader, editor = Client(), Client()
    editor.force_login(user)
    print(f"{Post.objects.count()} posts")
    print(f"{'query':16} {'matches':>9} {'newest':>16} {'relevance':>16} {'admin':>16}")
    for word in WORDS:
        matches = search.search(Post.objects.published(), word).order_by()[:100_000].count()
        row = []
        for client, url, params in ((reader, "/search/", {"q": word}),
                                    (reader, "/search/", {"q": word, "order": "relevance"}),
                                    (editor, "/admin/news/post/", {"q": word})):
            def get(client=client, url=url, params=params):
                response = client.get(url, params)
                assert response.status_code == 200, (url, response.status_code)

            median, p95 = timed(get, args.repeat)
            row.append(f"{median:6.1f}/{p95:6.1f} ms")
        print(f"{word:16} {matches:>9,} " + " ".join(f"{cell:>16}" for cell in row))


if __name__ == "__main__":
    main()
