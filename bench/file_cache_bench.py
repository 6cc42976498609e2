"""What a write costs Django's file cache and finews's (news/cache/files.py) as the folder fills.

    .venv/bin/python bench/file_cache_bench.py [--writes 400]

Fills a temporary folder with cache files (written directly, fast) to 200, 5,000 and 19,000 files
(MAX_ENTRIES is 20,000), then times ``set()`` of small values into each backend in turn, and a
``get()``. No Django project database is touched.
"""
import argparse
import os
import pickle
import shutil
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finews.settings")
os.environ.setdefault("DEBUG", "1")


def plant(folder, count):
    have = len(list(folder.glob("*.djcache")))
    body = pickle.dumps(time.time() + 3600) + zlib.compress(pickle.dumps(b"x" * 200))
    for n in range(have, count):
        (folder / f"{n:032x}.djcache").write_bytes(body)


def per_write_ms(cache, writes, tag):
    started = time.perf_counter()
    for n in range(writes):
        cache.set(f"{tag}-{n}", b"y" * 200, 3600)
    return (time.perf_counter() - started) / writes * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=400)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.cache.backends.filebased import FileBasedCache

    from news.cache.files import SharedFileCache

    folder = Path(tempfile.mkdtemp(prefix="finews-file-cache-bench-"))
    params = {"OPTIONS": {"MAX_ENTRIES": 20_000}}
    try:
        print(f"{'files':>7} {'Django set':>12} {'finews set':>12} {'ratio':>7} {'get':>9}")
        for count in (200, 5_000, 19_000):
            plant(folder, count)
            django_ms, finews_ms = [], []
            for round_ in range(3):  # alternating, so a drifting machine moves both
                django_ms.append(per_write_ms(FileBasedCache(str(folder), params), args.writes, f"d{round_}"))
                finews_ms.append(per_write_ms(SharedFileCache(str(folder), params), args.writes, f"f{round_}"))
            cache = SharedFileCache(str(folder), params)
            started = time.perf_counter()
            for n in range(args.writes):
                cache.get(f"f0-{n}")
            get_ms = (time.perf_counter() - started) / args.writes * 1000
            d, f = statistics.median(django_ms), statistics.median(finews_ms)
            print(f"{count:7,} {d:9.2f} ms {f:9.2f} ms {f / d:6.3f}x {get_ms:6.3f} ms")
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
