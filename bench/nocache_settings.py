"""finews's settings with a cache that keeps nothing: every request builds its page (the
"uncached" column of bench/wall_bench.py)."""
from finews.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
