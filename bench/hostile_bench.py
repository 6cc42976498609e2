"""Hostile inputs: time and peak memory of parsing each, here and (optionally) in another checkout.

    .venv/bin/python bench/hostile_bench.py [--other PATH_TO_OLD_CHECKOUT]

Each case is parsed in a fresh process (``parse_post`` on the file's bytes), which prints its own
wall time and peak resident memory, so one case cannot inflate another's figure. With
``--other``, the same cases run against that checkout's parser in the same run, for a ratio.
Figures go to docs/benchmarks.md by hand.
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = 224 * 1024


def alias_bomb(levels):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "---\ntitle: 炸弹\n" + "\n".join(lines) + "\n---\n正文"


CASES = {
    "good post (5 KB)": lambda: "---\ntitle: 正常\ndate: 2022-02-17 17:38:20 +0800\n---\n" + "<p>正文。</p>\n" * 300,
    "YAML aliases, 6 levels (531,441 leaves)": lambda: alias_bomb(6),
    "YAML aliases, 8 levels (43 million leaves)": lambda: alias_bomb(8),
    "224 KB: --- then blank lines, no closing": lambda: "---" + "\n" * SIZE + "x",
    "224 KB: <script> openings, no closing": lambda: "---\ntitle: x\n---\n" + "<script>" * (SIZE // 8),
    "224 KB: nested [ x 5,000": lambda: "---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n",
}
# The old parser expands aliases without bound: 8 levels took 29 s and 5.7 GB there.
SKIP_ON_OTHER = {"YAML aliases, 8 levels (43 million leaves)"}

PROBE = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from news.jekyll import parse_post
data = open(sys.argv[2], "rb").read()
started = time.perf_counter()
try:
    post = parse_post("_posts/2022-02-17-case.md", data)
    outcome = "imported, extra of %d chars" % len(json.dumps(post.extra, ensure_ascii=False))
except Exception as exc:
    outcome = "%s: %s" % (type(exc).__name__, str(exc)[:60])
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "outcome": outcome}))
"""


def measure(checkout, path, timeout=120):
    try:
        result = subprocess.run([sys.executable, "-c", PROBE, str(checkout), str(path)], capture_output=True,
                                text=True, timeout=timeout)
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, IndexError, json.JSONDecodeError):
        return {"seconds": float("inf"), "peak_mb": 0, "outcome": "did not finish"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, help="another checkout to compare against (e.g. a worktree of the old main)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="finews-hostile-"))
    print("| case | here: time | here: peak memory | here: outcome | other: time | other: peak memory |")
    print("|---|---|---|---|---|---|")
    for number, (name, make) in enumerate(CASES.items()):
        path = folder / f"case{number}.md"
        path.write_text(make(), encoding="utf-8")
        here = measure(ROOT, path)
        other = measure(args.other, path) if args.other and name not in SKIP_ON_OTHER else None
        cells = [name, f"{here['seconds'] * 1000:.1f} ms", f"{here['peak_mb']:.0f} MB", here["outcome"]]
        if other and other["seconds"] == float("inf"):
            cells += ["not done after 120 s", "–"]
        else:
            cells += [f"{other['seconds'] * 1000:.1f} ms", f"{other['peak_mb']:.0f} MB"] if other else ["–", "–"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
