"""Readers' labels for channels (tests/channels/): which channels a reader would look in for each
post, labelled by hand from the posts alone, without the rules. ``real-labels.tsv`` covers the
154 real posts of ../shared/corpus/finews."""
import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent / "channels"
CHANNELS = ("A股", "港股", "美股", "外汇", "商品", "央行", "宏观")


def labels(name="real-labels.tsv"):
    """``{file name: set of channel names}``."""
    with open(HERE / name, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {row["file"]: {part for part in row["channels"].split(",") if part} for row in rows}


def scores(expected, found):
    """Pairwise (post, channel) precision and recall, and the per-channel misses, of ``found``
    (``{key: set of channel names}``) against ``expected``."""
    pairs_expected = {(key, channel) for key, channels in expected.items() for channel in channels}
    pairs_found = {(key, channel) for key, channels in found.items() if key in expected for channel in channels}
    hits = pairs_expected & pairs_found
    precision = len(hits) / len(pairs_found) if pairs_found else 1.0
    recall = len(hits) / len(pairs_expected) if pairs_expected else 1.0
    return precision, recall, sorted(pairs_found - pairs_expected), sorted(pairs_expected - pairs_found)
