"""Stories: the same news from many sources, recognised from the text alone (pure logic; the
tables and the lookups are news/models/stories.py, the hook the after-write step).

A post's text — title and body — is normalised (the reposting site's lead-in, its 【快讯】 prefix,
its footer and all punctuation removed) and cut into character shingles. Two posts say the same
thing when one's shingles are nearly all in the other's (a copy that dropped its last sentence
is contained in the full one) and the two overlap enough on the whole, and their figures agree:
financial news differs in its numbers, so two texts whose numbers disagree are two stories
however alike their words.

Candidates are found by MinHash LSH (datasketch's ``affine64`` MinHash over the shingles of the
first ``SIGNED_CHARS`` characters, computed with numpy over all of a post's shingles at once):
``band_keys()`` are the signature's bands, each mixed into one 64-bit key; posts sharing a key are
candidates, checked exactly with ``same_story()``.
"""
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from news.text import TextMemo, text_of_html

SHINGLE = 3
NUM_PERM = 32
BANDS, ROWS = 16, 2  # 16 bands of 2 values: a pair at Jaccard 0.4 shares a band with p 0.94
SIGNED_CHARS = 400  # the signature reads this much of the text: a copy keeps its head
COMPARED_CHARS = 2000  # the exact check reads this much...
READ_CHARS = 3000  # ...of the first this many characters of a body (its figures too)
MIN_CONTAINED = 0.8  # of the shorter text's shingles, found in the longer
MIN_JACCARD = 0.35  # of both texts' shingles together
MIN_CHARS = 12  # shorter texts join only when equal and stating a figure

_LEAD_INS = re.compile("|".join((
    r"^\s*[【\[［][^】\]］]{0,30}[】\]］]",  # 【快讯】, [重磅]
    r"^\s*(?:[^，。,：:\s]{1,16}?)?\d{1,2}月\d{1,2}日(?:[^，。,：:]{0,8}?)?(?:电|讯|消息|晚间|早间|午间|盘中|盘后)[，,：:丨|\s]",
    r"^\s*[^，。,：:\s]{1,16}?(?:获悉|讯|消息|报道|援引[^，。]{0,10}报道)[，,：:丨|\s]",
    r"^\s*[(（](?:记者|通讯员)[^)）]{0,30}[)）]",
    r"^\s*(?:快讯|消息|突发|重磅|最新)[：:丨|]",
)))
_FOOTER = re.compile(
    r"(?:\n\s*\[?返回|责任编辑|免责声明|风险提示|文章来源|本文来源|原标题|校对[：:]|编辑[：:]|审核[：:]|[(（]来源|来源[：:]|"
    r"返回(?:搜狐|首页|查看更多)|查看更多|更多精彩|下载[^。]{0,12}(?:APP|App|客户端)|点击(?:进入|查看|下载))")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_ADDRESSES = re.compile(r"(?:[a-z][a-z0-9+.-]*:)?//[^\s<>\"'，。）)】]+|www\.[^\s<>\"'，。）)】]+", re.I)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_THOUSANDS = re.compile(r"[,，](?<=\d[,，])(?=\d{3}(?!\d))")  # the separator first: found faster
_NOT_WORD = re.compile(r"[\W_]+")
_NOT_WORD_KEEP_POINT = re.compile(r"[^\w.|]+|_")


@dataclass(frozen=True)
class Text:
    """What the comparison needs of one post: its normalised characters and its figures."""

    chars: str
    figures: frozenset  # the numbers stated
    placed: tuple = ()  # (where, number): the two characters before a number and the one after
    subject: str = ""  # who the title is about: what stands before its colon (``公司名：…``)

    @property
    def shingles(self):
        return shingles(self.chars[:COMPARED_CHARS])


def _without_addresses(text):
    return _ADDRESSES.sub(" ", text) if "//" in text or "www." in text.lower() else text


def _strip_lead_ins(text):
    for _ in range(4):  # 【快讯】财联社12月7日电，… holds two
        stripped = _LEAD_INS.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return text


def _strip_footer(text):
    """The text up to a footer marker found after its first sentence, or in its last 40 %."""
    sentence = _SENTENCE_END.search(text, 10)
    start = min(int(len(text) * 0.6), sentence.end() if sentence else len(text))
    found = _FOOTER.search(text, start)
    return text[: found.start()] if found else text


def _spelled(number):
    if number[0] != "0" and "." not in number:
        return number
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return number.lstrip("0") or "0"


def _figure_text(text):
    """``text`` without thousands separators and punctuation but decimal points. Dates stay: a
    notice of 12月7日 and the same notice of 12月8日 are two days' news."""
    return _NOT_WORD_KEEP_POINT.sub("", _THOUSANDS.sub("", text))


def _figures_in(cleaned):
    placed = set()
    add = placed.add
    for match in _NUMBER.finditer(cleaned):
        number = match.group()
        if number[0] == "0" or "." in number:
            number = _spelled(number)
        start, end = match.span()
        add((cleaned[start - 2 if start > 1 else 0:start] + "_" + cleaned[end:end + 1], number))
    return frozenset(number for _, number in placed), tuple(sorted(placed))


def figures(text):
    """``(numbers, placed)``: the numbers a text states (dates aside), spelled one way (``1,000`` is
    ``1000``, ``6.30`` is ``6.3``), and each with where it stands (the two characters before it and
    the one after, punctuation aside)."""
    return _figures_in(_figure_text(text))


def normalise(title, body):
    """A post's text as ``Text``: title and body (plain text) without lead-ins, footer, dates and
    punctuation; its figures; its subject."""
    title = unicodedata.normalize("NFKC", title or "")
    body = unicodedata.normalize("NFKC", (body or "")[:READ_CHARS])
    title, body = _strip_lead_ins(title), _strip_footer(_strip_lead_ins(_without_addresses(body).strip()))
    cleaned = _figure_text(f"{title}\n{body}").lower()
    head, colon, _ = title.partition(":")
    subject = _NOT_WORD.sub("", head).lower() if colon and len(head) <= 16 else ""
    return Text(cleaned.replace(".", ""), *_figures_in(cleaned), subject)


def shingles(chars):
    if len(chars) <= SHINGLE:
        return {chars} if chars else set()
    return {chars[i:i + SHINGLE] for i in range(len(chars) - SHINGLE + 1)}


def figures_of(text):
    """A text's figures as stored beside its story (JSON-able): checked before its text is read."""
    return {"n": sorted(text.figures), "p": [list(pair) for pair in text.placed]}


def stored(figures):
    """``Text`` holding only the stored figures (what ``figures_agree`` reads)."""
    return Text("", frozenset(figures.get("n", ())), tuple(tuple(pair) for pair in figures.get("p", ())))


def figures_agree(a, b):
    """Two posts' figures agree when one's are all among the other's (a copy may drop a sentence,
    and a number with it) and no place holds different numbers in the two (开展1000亿元 and
    开展2000亿元, whatever else either says)."""
    if not (a.figures <= b.figures or b.figures <= a.figures):
        return False
    where_a, where_b = {}, {}
    for where, number in a.placed:
        where_a.setdefault(where, set()).add(number)
    for where, number in b.placed:
        where_b.setdefault(where, set()).add(number)
    for where in where_a.keys() & where_b.keys():
        left, right = where_a[where], where_b[where]
        if not (left <= right or right <= left):
            return False
    return True


def likeness(a, b):
    """``(contained, jaccard)``: the share of the smaller shingle set found in the other, and the
    Jaccard index of the two."""
    left, right = a.shingles, b.shingles
    if not left or not right:
        return 0.0, 0.0
    common = len(left & right)
    return common / min(len(left), len(right)), common / (len(left) + len(right) - common)


def same_story(a, b):
    """Whether two normalised posts report the same news."""
    if not a.chars or not b.chars:
        return False
    if min(len(a.chars), len(b.chars)) < MIN_CHARS and not (a.chars == b.chars and a.figures):
        return False  # 「重要公告」 twice is two notices; 「沪指收涨0.52%」 twice is one close
    if a.chars == b.chars:
        return True
    if a.subject and b.subject and a.subject not in b.chars and b.subject not in a.chars:
        return False  # 甲公司：… and 乙公司：… with the same template are two companies' news
    if not figures_agree(a, b):
        return False
    contained, jaccard = likeness(a, b)
    return contained >= MIN_CONTAINED and jaccard >= MIN_JACCARD


_SEED = 1
_FMIX64 = (33, 0xFF51AFD7ED558CCD, 33, 0xC4CEB9FE1A85EC53, 33)  # MurmurHash3's 64-bit finaliser


@lru_cache(maxsize=1)
def _permutations():
    """datasketch's ``affine64`` permutations for ``_SEED``: ``NUM_PERM`` odd multipliers and
    offsets drawn as ``MinHash(num_perm=NUM_PERM, seed=_SEED, scheme="affine64")`` draws them
    (tests/test_stories.py checks the keys against datasketch's own MinHash)."""
    import numpy as np

    draw = np.random.RandomState(_SEED)
    odd = draw.randint(0, 1 << 63, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    return odd, draw.randint(0, 1 << 64, NUM_PERM, dtype=np.uint64)


def minhash(grams):
    """The ``affine64`` MinHash signature of integer shingles: each pre-mixed by MurmurHash3's
    finaliser, then ``min(a·h + b mod 2^64)`` per permutation — datasketch's scheme, over the whole
    array at once (its MinHash object hashes each value through a Python call, and importing
    datasketch imports scipy: 0.5 s in each of an import's parse workers)."""
    import numpy as np

    shift1, mul1, shift2, mul2, shift3 = _FMIX64
    hashed = grams ^ (grams >> np.uint64(shift1))
    hashed = hashed * np.uint64(mul1)
    hashed ^= hashed >> np.uint64(shift2)
    hashed = hashed * np.uint64(mul2)
    hashed ^= hashed >> np.uint64(shift3)
    multipliers, offsets = _permutations()
    return (hashed[:, None] * multipliers + offsets).min(axis=0)


_MIX = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9)  # odd 64-bit constants


def band_keys(text):
    """The LSH keys of a normalised post: one signed 64-bit integer per band of its MinHash
    signature (empty for a post with no text). Each 3-character shingle is its three code points
    packed in one integer (no hashing in Python: the signature's pre-mix makes it a hash), the
    permutations come from a fixed seed, so the keys are equal on every server."""
    import numpy as np

    codes = np.frombuffer(text.chars[:SIGNED_CHARS].encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) == 0:
        return []
    if len(codes) < SHINGLE:
        grams = np.array([sum(int(code) << (21 * n) for n, code in enumerate(codes))], dtype=np.uint64)
    else:
        # repeated shingles stay: a minimum is the same over a set and over a list with repeats
        grams = (codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:]
    values = minhash(grams).reshape(BANDS, ROWS)
    mixed = np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(_MIX[0])
    for row in range(ROWS):
        mixed ^= values[:, row] * np.uint64(_MIX[1 + row % 2]) + np.uint64(row)
        mixed = (mixed ^ (mixed >> np.uint64(29))) * np.uint64(_MIX[0])
    return mixed.view(np.int64).tolist()


@dataclass(frozen=True)
class Signature:
    """What the story step needs of a post: its normalised text, its LSH keys and its figures as
    stored (``figures_of`` as JSON)."""

    text: Text
    keys: tuple
    figures: str = "{}"


_memo = TextMemo()


def signature(title, body_html):
    """The ``Signature`` of a post's title and sanitised body: from the memo when a parse worker
    made it already (``remember``), else made here."""
    found = _memo.take(title, body_html)
    if found is not None:
        return found
    text = normalise(title, text_of_html(body_html or ""))
    return Signature(text, tuple(band_keys(text)), json.dumps(figures_of(text), ensure_ascii=False))


def remember(title, body_html, made):
    """Keep a ``Signature`` another process made (the importer's parse workers, in parallel) for
    the write of that text in this one."""
    _memo.put(title, body_html, made)
