import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus" / "finews"
SEED_POST = SHARED / "corpus" / "seed-post.md"


def post_text(front_matter="", body="正文。", *, raw=None):
    """A post file's text: ``front_matter`` lines between ``---`` fences, then the body."""
    if raw is not None:
        return raw
    return f"---\n{textwrap.dedent(front_matter).strip()}\n---\n{body}"


class SiteBuilder:
    """Writes small Jekyll trees for tests: ``site.post("2022-02-17-x.md", title="…")``."""

    def __init__(self, root):
        self.root = Path(root)
        (self.root / "_posts").mkdir(parents=True, exist_ok=True)

    def post(self, name, front_matter=None, body="正文。", *, raw=None, folder="_posts", **fields):
        if front_matter is None:
            lines = {"layout": "post", **fields}
            front_matter = "\n".join(f"{k}: {v}" for k, v in lines.items())
        path = self.root / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        content = post_text(front_matter, body, raw=raw)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path


@pytest.fixture
def site(tmp_path):
    return SiteBuilder(tmp_path / "site")


@pytest.fixture
def corpus_dir():
    if not (CORPUS / "_posts").is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


def pytest_configure(config):
    """The suite's own page cache: without REDIS_URL the cache is files beside the database
    (finews/settings.py), which for this process would be the developer's own site's."""
    from django.conf import settings

    default = settings.CACHES["default"]
    if default["BACKEND"].endswith(("FileBasedCache", "SharedFileCache")):
        default["LOCATION"] = tempfile.mkdtemp(prefix="finews-test-cache-")
        config._finews_cache_dir = default["LOCATION"]


def pytest_unconfigure(config):
    folder = getattr(config, "_finews_cache_dir", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty page cache: a page cached by one test never answers another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
