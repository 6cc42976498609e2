"""Home page weight at 2,000 sources: bytes of HTML, plain and as sent to a gzip client, and the
cached request time of each.

    .venv/bin/python bench/home_bytes.py [--posts 10000] [--sources 2000] [--db /tmp/finews-home.sqlite3]

Fills the database once (bench/fill.py), then asks for ``/`` through Django's test client.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fill import parse_args, timed


def main():
    sys.argv += [] if "--posts" in sys.argv else ["--posts", "10000"]
    sys.argv += [] if "--db" in sys.argv else ["--db", "/tmp/finews-home.sqlite3"]
    args = parse_args(__doc__, repeat=50)

    from django.test import Client

    from news.models import Category

    client = Client()
    plain = client.get("/")
    packed = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    print(f"{Category.objects.count()} sources; home: {len(plain.content):,} bytes of HTML, "
          f"{len(packed.content):,} bytes gzip-compressed ({packed.get('Content-Encoding')})")
    for label, headers in (("plain", {}), ("gzip", {"HTTP_ACCEPT_ENCODING": "gzip"})):
        median, p95 = timed(lambda headers=headers: client.get("/", **headers), args.repeat)
        print(f"cached, {label}: median {median:.2f} ms, p95 {p95:.2f} ms")


if __name__ == "__main__":
    main()
