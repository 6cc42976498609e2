"""What stories (issue 27) and securities (issue 28) cost an import, on text shaped like real news
(each: ≤ 1.10× the time before).

    .venv/bin/python bench/story_cost_bench.py --vs ../prev [--posts 5000] [--reposts 0.3] [--rounds 3]
        [--securities 0.3]

bench/import_bench.py's generated bodies are made of a few dozen stock phrases: two of its posts
share LSH keys 66 % of the time, two real posts of one day 0.5 % (tests/story_set.py's corpus day),
so every generated post looks like a candidate copy of every other — the story step's worst case,
not its usual one. This bench writes a tree whose text has real news's character statistics
instead: titles and bodies from a character bigram model of the corpus's posts (../shared), with
figures of their own, over ``--sources`` sources; ``--reposts`` of them are other sources' copies
of a post of the last minutes with a reposting site's edits (tests/story_set.py); ``--securities``
of them name one to three securities, as Eastmoney's quote links or as codes in brackets after a
name (tests/security_set.py's forms). Then it times
``import_posts`` of the tree into a fresh migrated SQLite database by this checkout and by the one
given with ``--vs``, alternately, whole processes, and prints medians and the ratio.
"""
import argparse
import datetime
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus" / "finews" / "_posts"


def bigram_model():
    """``{character: [following characters, as often as they follow it]}`` over the corpus's text."""
    model = {}
    for path in sorted(CORPUS.glob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace").split("\n---", 2)[-1]
        text = re.sub(r"<[^>]*>|\(http[^)]*\)|<http[^>]*>|\[返回[^\]]*\]|https?://\S+", "", text)
        text = re.sub(r"\s+", "", text)
        for a, b in zip(text, text[1:], strict=False):
            model.setdefault(a, []).append(b)
    return model


def babble(rng, model, length):
    """``length`` characters walking the model, with a figure now and then."""
    out, char = [], rng.choice(list(model))
    while len(out) < length:
        following = model.get(char)
        char = rng.choice(following) if following else rng.choice(list(model))
        out.append(char)
        if rng.random() < 0.02:
            out.append(f"{rng.randint(1, 99999) / 10:g}")
    return "".join(out)


NAMES = ["贵州茅台", "宁德时代", "比亚迪", "中国平安", "招商银行", "五粮液", "腾讯控股", "美团", "蔚来"]


def named(rng):
    """One to three securities, as a source names them: a quote link or a code after the name."""
    parts = []
    for _ in range(rng.randint(1, 3)):
        code = f"{rng.choice(['600', '601', '000', '002', '300'])}{rng.randrange(1000):03d}"
        name = rng.choice(NAMES)
        market = "1" if code[0] == "6" else "0"
        parts.append(f'<a href="http://quote.eastmoney.com/unify/r/{market}.{code}" class="keytip" '
                     f'data-code="{market},{code}">{name}</a>' if rng.random() < 0.5 else f"{name}（{code}）")
    return "，".join(parts) + "。"


def write_tree(folder, posts, sources, reposts, body_chars, seed=27, securities=0.0):
    from tests.story_set import REPOSTERS, edit

    rng, model = random.Random(seed), bigram_model()
    end = datetime.datetime(2026, 12, 7, 12, 0)
    written = []
    (folder / "_posts").mkdir(parents=True)
    for n in range(posts):
        when = end - datetime.timedelta(seconds=35 * (posts - n))
        source = f"s{rng.randrange(sources):04d}"
        if written and rng.random() < reposts:
            _, title, body = rng.choice(written[-20:])
            title, body = edit(rng.choice(REPOSTERS)[1], title, body, n)
        else:
            title, body = babble(rng, model, rng.randint(12, 30)), babble(rng, model, body_chars)
            if rng.random() < securities:
                body = named(rng) + body
            written.append((when, title, body))
        title = title.replace("'", "''")
        (folder / "_posts" / f"{when:%Y-%m-%d}-n{n:06d}.md").write_text(
            f"---\ntitle: '{title}'\ndate: {when:%Y-%m-%d %H:%M:%S} +0800\ncategories: {source}\n"
            f"tags: 来源{source}\n---\n\n{body}\n\n<http://{source}.example.com/news/{n}.html>\n", encoding="utf-8")


def timed_import(checkout, tree, work):
    database = work / f"{checkout.name}.sqlite3"
    shutil.copy(work / f"{checkout.name}-template.sqlite3", database)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "0", "ALLOWED_HOSTS": "localhost",
           "SECRET_KEY": "benchmark-only-secret-key-not-for-production-use-0123456789"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "import_posts", str(tree), "--quiet"], cwd=checkout, env=env,
                   check=True, capture_output=True)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vs", required=True, help="another finews checkout (the previous main)")
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--sources", type=int, default=2000)
    parser.add_argument("--reposts", type=float, default=0.3)
    parser.add_argument("--body-chars", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--securities", type=float, default=0.0, help="the share of posts naming securities")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="finews-story-cost-"))
    write_tree(work / "tree", args.posts, args.sources, args.reposts, args.body_chars, securities=args.securities)
    checkouts = [ROOT, Path(args.vs).resolve()]
    for checkout in checkouts:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{work / (checkout.name + '-template.sqlite3')}",
               "DEBUG": "0", "SECRET_KEY": "benchmark-only-secret-key-not-for-production-use-0123456789"}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=checkout, env=env, check=True)
    times = {checkout: [] for checkout in checkouts}
    ratios = []
    for _ in range(args.rounds):
        pair = {checkout: timed_import(checkout, work / "tree", work) for checkout in checkouts}
        for checkout, seconds in pair.items():
            times[checkout].append(seconds)
        ratios.append(pair[ROOT] / pair[checkouts[1]])
    print(f"{args.posts} posts ({args.reposts:.0%} reposts, {args.securities:.0%} naming securities, "
          f"~{args.body_chars}-character bodies), "
          f"{args.sources} sources, {args.rounds} rounds:")
    for checkout in checkouts:
        print(f"  {checkout}: median {statistics.median(times[checkout]):.2f} s  {[round(t, 2) for t in times[checkout]]}")
    print(f"  ratio (this / --vs), median of rounds: {statistics.median(ratios):.3f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
