"""A labelled test set for stories (issue 27): real posts of one day and source (the corpus), their
reposts by other sources with the edits reposting sites make, look-alikes whose figures differ,
and hand-written pairs of the kind that must stay apart.

``cases()`` gives ``Case`` objects; ``group`` names the story a case belongs to (equal groups:
the same news). Pure data: the tests write the cases through the write path and read the
stories back from the article pages."""
import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from news.jekyll.dates import SITE_TZ

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "finews" / "_posts"

# Posts of the corpus that are themselves one news item sent twice (read and labelled by hand).
CORPUS_SAME = {
    "2021-12-08-202112082206749391": "2021-12-08-202112082206748961",  # 在岸人民币…现报6.3565, 12 s apart
    "2021-12-08-202112082206761079": "2021-12-08-202112082206757673",  # 北向资金净流入超40亿元
    "2021-12-08-202112082206781916": "2021-12-08-202112082206672930",  # 离岸人民币…升至6.3512, the same body
    "2021-12-08-202112082206936037": "2021-12-08-202112082206896571",  # 美国半导体法案或拖延, the same body
    # MANIFEST.md: the two NW… posts are the same articles as the emnews posts with their ids
    "2022-02-17-NW202202172280203741": "2022-02-17-202202172280203741",
    "2022-05-26-NW202205262391921712": "2022-05-26-202205262391921712",
}

REPOSTERS = [  # (category key, how it edits a post it reposts)
    ("cls", "lead_in"), ("stcn", "drop_last"), ("jin10", "prefix"), ("sina", "footer"), ("cnstock", "rewrite_title"),
]


@dataclass
class Case:
    group: str
    source: str
    title: str
    body: str
    when: datetime.datetime


def _front(text):
    match = re.match(r"---\n(.*?)\n---\n(.*)", text, re.S)
    if match is None:  # the corpus's odd files (MANIFEST.md): not what this set is about
        return None, None, None
    meta, body = match.group(1), match.group(2)
    title = re.search(r'^title:\s*"?(.*?)"?\s*$', meta, re.M)
    title = title.group(1) if title else None
    date = re.search(r"^date:\s*(.+)$", meta, re.M)
    return title, body, date.group(1).strip() if date else ""


def _plain(body):
    """The corpus body without its source line and 返回 footer (a reposting site has its own)."""
    lines = [line for line in body.splitlines() if line.strip() and not line.startswith(("<http", "[返回"))]
    return "\n\n".join(lines)


def _sourced(body, source, n):
    """A body as a source sends it: the text, the address of the original, the source's own links."""
    return f"{body}\n\n<http://{source}.example.com/news/{20211208000000 + n * 7919}.html>\n\n[返回{source}](//{source}.example.com/)"


def _sentences(text):
    return [part for part in re.split(r"(?<=[。！？])", text) if part]


def edit(kind, title, body, n):
    """A repost of ``title``/``body`` as a site of ``kind`` makes it."""
    day = f"{(n % 28) + 1}月{(n % 11) + 7}日"
    if kind == "lead_in":
        return title, f"财联社{day}电，{body}"
    if kind == "drop_last":
        parts = _sentences(body)
        shorter = "".join(parts[:-1]) if len(parts) > 2 else body
        return title, f"{shorter}\n\n责任编辑：王{n % 7}"
    if kind == "prefix":
        return f"【快讯】{title}", f"金十数据{day}讯，{body}"
    if kind == "footer":
        return title, f"{body}\n\n（来源：新浪财经）\n\n更多精彩内容，请下载新浪财经APP"
    # rewrite_title: the first sentence as the title, the original title dropped
    first = _sentences(body)[0].rstrip("。") if body else title
    return (first[:40] if len(first) > 8 else title), body


def other_figure(title, body):
    """``(title, body)`` with the first figure of the body (not a date) changed everywhere to a
    number the post does not state: a look-alike that is another story; None without one."""
    for match in re.finditer(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.]|年|月|日)", body):
        number = match.group(0)
        if body.rfind("<", 0, match.start()) > body.rfind(">", 0, match.start()):
            continue  # inside a tag: no reader sees it
        start, end = match.start(), match.end()
        while start and 32 < ord(body[start - 1]) < 127:
            start -= 1
        while end < len(body) and 32 < ord(body[end]) < 127:
            end += 1
        if any(mark in body[start:end] for mark in ("/", "=", "http")):
            continue  # in an address
        changed = str(int(float(number)) * 3 + 7) if "." not in number else f"{float(number) + 1.37:.2f}"
        if changed in title + body:
            continue
        swap = re.compile(rf"(?<![\d.]){re.escape(number)}(?![\d.])")
        return swap.sub(changed, title), swap.sub(changed, body)
    return None


HAND_WRITTEN = [
    # (group, source, title, body, minutes after 09:00)
    ("rr1000", "pbc", "央行开展1000亿元逆回购操作", "中国人民银行今日以利率招标方式开展了1000亿元7天期逆回购操作，中标利率1.8%。", 20),
    ("rr1000", "cls", "【快讯】央行开展1000亿元逆回购", "财联社12月7日电，中国人民银行今日以利率招标方式开展了1000亿元7天期逆回购操作，中标利率1.8%。", 23),
    ("rr2000", "pbc", "央行开展2000亿元逆回购操作", "中国人民银行今日以利率招标方式开展了2000亿元7天期逆回购操作，中标利率1.8%。", 1460),
    ("rr2000", "sina", "央行开展2000亿元逆回购操作", "中国人民银行今日以利率招标方式开展了2000亿元7天期逆回购操作，中标利率1.8%。\n\n（来源：新浪财经）", 1475),
    ("cny1", "cfets", "人民币兑美元中间价报6.3441", "人民币兑美元中间价报6.3441，上调60个基点，上一交易日中间价6.3501。", 15),
    ("cny2", "cfets", "人民币兑美元中间价报6.3589", "人民币兑美元中间价报6.3589，下调148个基点，上一交易日中间价6.3441。", 1455),
    ("cny1", "jin10", "【快讯】人民币兑美元中间价报6.3441", "金十数据12月7日讯，人民币兑美元中间价报6.3441，上调60个基点，上一交易日中间价6.3501。", 16),
    ("close1", "cls", "沪指收涨0.52% 两市成交额8521亿元", "沪指收涨0.52%，深成指涨0.81%，创业板指涨1.02%，两市成交额8521亿元，北向资金净买入35.2亿元。", 420),
    ("close2", "cls", "沪指收跌0.31% 两市成交额7893亿元", "沪指收跌0.31%，深成指跌0.45%，创业板指跌0.67%，两市成交额7893亿元，北向资金净卖出12.6亿元。", 1860),
    ("close1", "stcn", "沪指收涨0.52%，两市成交额8521亿元", "沪指收涨0.52%，深成指涨0.81%，创业板指涨1.02%，两市成交额8521亿元。", 425),
    ("halt_a", "cninfo", "甲公司：公司股票将于明日复牌", "甲公司公告，公司股票将于明日开市起复牌。", 600),
    ("halt_b", "cninfo", "乙公司：公司股票将于明日复牌", "乙公司公告，公司股票将于明日开市起复牌。", 610),
]


def cases(limit=60):
    """The set: up to ``limit`` corpus posts with reposts and look-alikes, the rest of the corpus
    alone, and the hand-written cases."""
    found = []
    start = datetime.datetime(2021, 12, 8, 0, 0, tzinfo=SITE_TZ)
    for n, path in enumerate(sorted(CORPUS.glob("*.md"))):
        title, raw, _ = _front(path.read_text(encoding="utf-8"))
        body = _plain(raw or "")
        if not title or not body:
            continue
        when = start + datetime.timedelta(minutes=7 * n)
        group = CORPUS_SAME.get(path.stem, path.stem)
        found.append(Case(group, "emnews", title, raw, when))  # the corpus post as it is
        if n >= limit:
            continue
        for offset, (source, kind) in enumerate(REPOSTERS[: 1 + n % len(REPOSTERS)]):
            new_title, new_body = edit(kind, title, body, n)
            found.append(Case(group, source, new_title, _sourced(new_body, source, n + offset),
                              when + datetime.timedelta(minutes=3 + 11 * offset)))
        changed = other_figure(title, body)
        if changed and n % 2 == 0:
            found.append(Case(f"{group}-other", "emnews", changed[0], _sourced(changed[1], "emnews", n + 99),
                              when + datetime.timedelta(hours=5)))
    day = datetime.datetime(2022, 12, 6, 9, 0, tzinfo=SITE_TZ)
    for group, source, title, body, minutes in HAND_WRITTEN:
        found.append(Case(group, source, title, body, day + datetime.timedelta(minutes=minutes)))
    return found


def pairwise(truth, predicted):
    """``(precision, recall)`` of ``predicted`` story labels against ``truth`` over every pair of cases."""
    same_true = same_pred = both = 0
    n = len(truth)
    for i in range(n):
        for j in range(i + 1, n):
            t, p = truth[i] == truth[j], predicted[i] == predicted[j]
            same_true += t
            same_pred += p
            both += t and p
    return (both / same_pred if same_pred else 1.0), (both / same_true if same_true else 1.0)
