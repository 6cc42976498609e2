"""Import speed against a Jekyll build of the same tree (issue 18's and 33's targets), in one run.

    .venv/bin/python bench/import_vs_jekyll.py [--shape generated|old-site|both] [--posts N]
        [--sources N] [--body-bytes N] [--layouts] [--rounds 5] [--vs OTHER_CHECKOUT] [--engines nh3]

Shapes: ``generated`` is bench/import_bench.py's tree (5,000 posts over 2,000 sources, ~5 KB
bodies, no layouts: every post in a source of its own, which Jekyll handles slowly); ``old-site``
is shaped like the old site (5,000 posts of ~2.5 KB over 2,000 sources, a third of them in one
rolling-news source, built with the layouts, home, /emnews/ and category pages finews's export
writes). ``--posts``, ``--sources``, ``--body-bytes`` and ``--layouts`` override a shape.

The tree gets ``_plugins/`` with the Jekyll speed patch (../shared/jekyll/fast_each_site_file.rb:
Jekyll 4.4's linear write step on Debian's 4.3.1). Jekyll is timed twice a round: a first build
(no ``.jekyll-cache``), as an import is a first read of the tree, and a second one that reuses the
Markdown the first converted (its disk cache); ratios are given against both. One SQLite database is migrated per checkout;
then, ``--rounds`` times: ``import_posts`` of the tree into a fresh copy of it with each sanitiser
engine and then again (a re-import: nothing changed), the same with ``--vs`` (e.g. a worktree of
the previous main), and ``jekyll build``. Each is a whole process timed from outside; it prints the
median wall time of each and the median of the per-round ratios (rounds alternate, so a machine
that drifts moves both sides of a ratio).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATCH = ROOT.parent / "shared" / "jekyll" / "fast_each_site_file.rb"
ENV = {"DEBUG": "0", "SECRET_KEY": "benchmark-only-secret-key-not-for-production-use-0123456789"}
SHAPES = {
    "generated": {"posts": 5000, "sources": 2000, "body_bytes": 5000, "layouts": False},
    "old-site": {"posts": 5000, "sources": 2000, "body_bytes": 2500, "layouts": True},
}


def timed(command, **kwargs):
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)
    return time.perf_counter() - started


def make_tree(folder, shape):
    """The tree of ``shape``: posts (news/demo.py's generator) and, with ``layouts``, the pages and
    layouts finews's export writes, so Jekyll builds the old site's listings."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finews.settings")
    os.environ.update(ENV)
    import django

    django.setup()
    from django.conf import settings

    from news.demo import write_site
    from news.jekyll import writer

    table = write_site(folder, posts=shape["posts"], sources=shape["sources"], body_bytes=shape["body_bytes"], seed=11)
    if shape["layouts"]:
        files = writer.site_files(settings.FINEWS_SITE_TITLE, settings.FINEWS_EMNEWS_TAG,
                                  settings.FINEWS_HOME_POSTS_PER_TAG, settings.FINEWS_EMNEWS_POSTS)
        files.update(page for key, name in table if (page := writer.category_page(key, name)))
        for path, data in files.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(data)
    (folder / "_plugins").mkdir()
    shutil.copy(PATCH, folder / "_plugins")
    size = sum(p.stat().st_size for p in (folder / "_posts").iterdir())
    return f"{shape['posts']} posts of {size / shape['posts'] / 1024:.1f} KiB over {shape['sources']} sources, " + (
        "with the old site's layouts and pages" if shape["layouts"] else "no layouts")


def run_shape(name, shape, rounds, vs, engines):
    work = Path(tempfile.mkdtemp(prefix="finews-vs-jekyll-"))
    tree = work / "site"
    described = make_tree(tree, shape)
    checkouts = {"this": ROOT, **({"vs": Path(vs).resolve()} if vs else {})}
    for label, checkout in checkouts.items():
        env = {**os.environ, **ENV, "DATABASE_URL": f"sqlite:///{work / label}.sqlite3"}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=checkout, env=env, check=True)

    def finews(label, engine):
        db = work / f"run-{label}.sqlite3"
        shutil.copy(work / f"{label}.sqlite3", db)
        env = {**os.environ, **ENV, "DATABASE_URL": f"sqlite:///{db}", "FINEWS_SANITIZER": engine}
        command = [sys.executable, "manage.py", "import_posts", str(tree), "--quiet",
                   "--category-names", str(tree / "categories.tsv")]
        try:
            return timed(command, cwd=checkouts[label], env=env), timed(command, cwd=checkouts[label], env=env)
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)

    def jekyll():
        out = work / "_site"
        try:
            return timed(["jekyll", "build", "--source", str(tree), "--destination", str(out), "--quiet"])
        finally:
            shutil.rmtree(out, ignore_errors=True)

    runs = {"jekyll": [], "jekyll, cached": []}
    for _ in range(rounds):
        shutil.rmtree(tree / ".jekyll-cache", ignore_errors=True)
        runs["jekyll"].append(jekyll())  # a first build, as an import is a first read
        runs["jekyll, cached"].append(jekyll())  # again, with the Markdown its first build cached
        for label in checkouts:
            for engine in engines:
                first, again = finews(label, engine)
                runs.setdefault(f"{label} {engine}", []).append(first)
                runs.setdefault(f"{label} {engine} re-import", []).append(again)
        print(f"[{name}] " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in runs.items()), flush=True)
    print(f"\n{name}: {described}; median wall time and median of per-round ratios:")
    for label, times in runs.items():
        ratios = [statistics.median(t / j for t, j in zip(times, runs[base], strict=True))
                  for base in ("jekyll", "jekyll, cached")]
        line = f"{label:24} {statistics.median(times):7.2f} s   {ratios[0]:.3f}x Jekyll   {ratios[1]:.3f}x cached"
        if vs and label.startswith("this"):
            other = runs[label.replace("this", "vs")]
            line += f"   {statistics.median(t / o for t, o in zip(times, other, strict=True)):.2f}x --vs"
        print(line, flush=True)
    shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=[*SHAPES, "both"], default="both")
    parser.add_argument("--posts", type=int)
    parser.add_argument("--sources", type=int)
    parser.add_argument("--body-bytes", type=int)
    parser.add_argument("--layouts", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--vs", metavar="CHECKOUT", help="another finews checkout to time the same way")
    parser.add_argument("--engines", default="nh3,bleach", help="sanitiser engines to time, comma-separated")
    args = parser.parse_args()
    for name in SHAPES if args.shape == "both" else [args.shape]:
        shape = {**SHAPES[name], **{key: value for key in ("posts", "sources", "body_bytes", "layouts")
                                    if (value := getattr(args, key)) is not None}}
        run_shape(name, shape, args.rounds, args.vs, args.engines.split(","))


if __name__ == "__main__":
    main()
