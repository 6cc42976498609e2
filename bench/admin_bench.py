"""Admin benchmark: post list, its search and the change page with a large table.

    .venv/bin/python bench/admin_bench.py [--posts 100000] [--sources 2000] [--db /tmp/finews-bench.sqlite3]

Uses the same generated database as bench/page_bench.py, logs a superuser in through Django's
test client and times each admin page (whole request, no network).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fill import parse_args, timed


def main():
    args = parse_args(__doc__, repeat=20)

    from django.contrib.auth.models import User
    from django.test import Client

    from news.models import Category, Post

    user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
        "bench", password="bench-password-123")
    client = Client()
    client.force_login(user)
    post = Post.objects.order_by("-published_at")[20000]
    small = Category.objects.exclude(key="emnews").first()
    pages = {
        "post list": "/admin/news/post/",
        "post list, page 200": "/admin/news/post/?p=200",
        "search (title)": "/admin/news/post/?q=%E5%A4%AE%E8%A1%8C",
        "search (source URL)": f"/admin/news/post/?q={post.source_url}",
        "filter: category": f"/admin/news/post/?category={small.key}",
        "filter: draft": "/admin/news/post/?status__exact=draft",
        "change page": f"/admin/news/post/{post.pk}/change/",
        "category list": "/admin/news/category/",
    }
    print(f"{Post.objects.count()} posts, {Category.objects.count()} categories")
    print(f"{'page':24} {'median':>10} {'p95':>9}")
    for label, url in pages.items():
        def get(url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        median, p95 = timed(get, args.repeat)
        print(f"{label:24} {median:7.1f} ms {p95:6.1f} ms")


if __name__ == "__main__":
    main()
