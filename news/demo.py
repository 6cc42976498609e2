"""Generated Jekyll trees shaped like the old site's posts, for the demo site and benchmarks.

Every text here is made up from short fragments; nothing is copied from real articles.
"""
import datetime
import random
from pathlib import Path

SUBJECTS = [
    "央行", "证监会", "沪深两市", "北向资金", "创业板指", "人民币汇率", "国债期货", "原油价格",
    "黄金", "新能源汽车板块", "半导体板块", "银行股", "保险资金", "公募基金", "券商", "房地产市场",
    "港股", "美股三大指数", "锂电池产业链", "光伏企业", "碳排放权市场", "消费电子", "医药板块",
]
VERBS = [
    "震荡走高", "小幅回落", "放量上涨", "持续净流入", "创下年内新高", "迎来政策利好",
    "发布最新数据", "加快布局", "表现分化", "获机构增持", "回应市场关切", "启动新一轮改革",
]
DETAILS = [
    "业内人士认为，短期波动不改长期向好趋势。",
    "数据显示，前三季度相关行业营收同比增长百分之十二。",
    "分析师指出，流动性保持合理充裕，市场信心有所恢复。",
    "多家机构表示，将继续关注宏观经济指标的边际变化。",
    "公司公告称，本次募集资金将主要用于研发投入和产能扩张。",
    "市场人士提醒，投资者应理性看待短期涨跌，注意控制风险。",
    "相关负责人介绍，下一步将进一步完善信息披露制度。",
    "从成交量看，两市合计成交额连续多个交易日突破万亿元。",
    "据了解，该项目预计明年上半年建成投产，年产值可达数十亿元。",
    "专家建议，应加快构建多层次资本市场体系，提升直接融资比重。",
]
# 7×24 items as a finance reader meets them: (headline with its figures, subject tags). Figures are
# drawn anew for every post; the words are those a newcomer searches first (央行, 降准, 美元…).
HEADLINES = [
    ("央行今日开展{n}亿元7天期逆回购操作，中标利率持平于1.{d}%", ["央行", "货币政策"]),
    ("央行宣布下调存款准备金率0.{d}个百分点，释放长期资金约{n}亿元", ["央行", "降准"]),
    ("美元指数{move}至10{d}.{d2}，非美货币多数{counter}", ["美元", "外汇"]),
    ("在岸人民币对美元16:30收盘报7.1{d}{d2}，较上一交易日{move}{n2}个基点", ["人民币", "外汇"]),
    ("港股恒生指数收{pct_move}，恒生科技指数{pct_move2}", ["港股"]),
    ("沪指收{pct_move}，沪深两市成交额{n}亿元", ["A股"]),
    ("创业板指午间收{pct_move}，半导体板块领涨", ["A股", "半导体"]),
    ("国际油价{move}，布伦特原油期货报{oil}美元/桶", ["原油", "大宗商品"]),
    ("现货黄金{move}，报{gold}美元/盎司", ["黄金", "大宗商品"]),
    ("美股三大指数开盘{mixed}，纳指{pct_move}", ["美股"]),
    ("10年期国债收益率{move}至1.{d}{d2}%", ["债券"]),
    ("国家统计局：{month}月CPI同比上涨0.{d}%，PPI同比下降{d}.{d2}%", ["宏观数据", "通胀"]),
    ("证监会：进一步完善上市公司信息披露制度，加强中小投资者保护", ["证监会", "监管"]),
    ("北向资金今日净{inout}{n2}亿元，连续{d}日{inout}", ["北向资金", "A股"]),
    ("{month}月新能源汽车销量{n2}万辆，同比增长{d}{d2}%", ["新能源汽车"]),
]
MOVES = ["上涨", "下跌", "走高", "回落"]


def headline(rng):
    """A made-up 7×24 headline, with figures, and its subject tags."""
    template, tags = rng.choice(HEADLINES)
    pct = lambda: f"{rng.choice(['涨', '跌'])}{rng.randint(1, 250) / 100:.2f}%"  # noqa: E731
    values = {
        "n": rng.randint(20, 40) * 100, "n2": rng.randint(10, 99), "d": rng.randint(1, 9), "d2": rng.randint(0, 9),
        "move": rng.choice(MOVES), "pct_move": pct(),
        "pct_move2": pct(), "oil": f"{rng.randint(6000, 9000) / 100:.2f}", "gold": f"{rng.randint(19000, 27000) / 10:.1f}",
        "mixed": rng.choice(["涨跌不一", "集体高开", "集体低开"]), "month": rng.randint(1, 12),
        "inout": rng.choice(["买入", "卖出"]),
    }
    values["counter"] = "走弱" if values["move"] in ("上涨", "走高") else "走强"  # against the dollar
    return template.format(**values), tags


SOURCES = [
    ("emnews", "东财滚动新闻"), ("shanghaizhengquanbao", "上海证券报"), ("zhongguozhengquanbao", "中国证券报"),
    ("zhengquanshibao", "证券时报"), ("21caijing", "21世纪经济报道"), ("diyicaijing", "第一财经"),
    ("xinhuacaijing", "新华财经"), ("caixin", "财新"), ("jingjiguanchabao", "经济观察报"),
    ("meirijingjixinwen", "每日经济新闻"),
]
SYLLABLES = [
    "hua", "xin", "jin", "rong", "zheng", "quan", "cai", "jing", "tou", "zi", "guo", "ji",
    "shang", "hai", "bei", "nan", "dong", "xi", "tian", "di", "kai", "yuan", "hong", "li",
]
HAN = "华信金融证券财经投资国际上海北京南方东方天地开元宏利通达恒泰中安瑞丰嘉和"


def make_sources(count, rng):
    """``count`` (key, display name) pairs: the real-looking few first, then generated ones."""
    sources = list(SOURCES[:count])
    keys = {key for key, _ in sources}
    names = {name for _, name in sources}
    while len(sources) < count:
        key = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 5)))
        name = "".join(rng.choice(HAN) for _ in range(rng.randint(2, 5)))
        if key in keys or name in names:
            continue
        keys.add(key)
        names.add(name)
        sources.append((key, name))
    return sources


def make_body(rng, target_bytes, stock_links=True):
    paragraphs = []
    size = 0
    while size < target_bytes:
        # sentences of their own: a subject, what it did, a stock phrase and a figure
        text = "".join(f"{rng.choice(SUBJECTS)}{rng.choice(VERBS)}，{rng.choice(DETAILS)[:-1]}，"
                       f"较上期变动{rng.randint(1, 999) / 10:.1f}%。" for _ in range(rng.randint(2, 4)))
        if stock_links and rng.random() < 0.3:
            code = rng.randint(600000, 603999)
            text += (
                f'<span id="stock_1.{code}"><a href="http://quote.eastmoney.com/unify/r/1.{code}" '
                f'class="keytip" data-code="1,{code}">{rng.choice(HAN)}{rng.choice(HAN)}股份</a></span>'
                f"持续受到关注。"
            )
        paragraph = f" <p>{text}</p>"
        paragraphs.append(paragraph)
        size += len(paragraph.encode())
    return "\n".join(paragraphs)


LEAD_INS = ["财联社{month}月{day}日电，", "金十数据{month}月{day}日讯，", "据证券时报e公司消息，"]
FOOTERS = ["（来源：新浪财经）", "责任编辑：王涛", "更多精彩内容，请下载APP"]


def repost(rng, title, body, moment):
    """Another source's copy of a post, with a reposting site's edits (a lead-in, 【快讯】, a footer)."""
    lead = rng.choice(LEAD_INS).format(month=moment.month, day=moment.day)
    body = body.replace("<p>", f"<p>{lead}", 1) if rng.random() < 0.6 else body
    title = f"【快讯】{title}" if rng.random() < 0.4 else title
    return title, body + (f"\n\n<p>{rng.choice(FOOTERS)}</p>" if rng.random() < 0.5 else "")


def write_site(root, *, posts=200, sources=20, body_bytes=5000, seed=7, end=None, reposts=0.0):
    """Write a Jekyll tree with ``posts`` posts across ``sources`` categories under ``root``: each
post tagged with its source's name (the old site's sections are its tags) and its subjects. A
share ``reposts`` of them are other sources' copies of a post of the minutes before (one story).

    Returns the list of (key, name) sources; ``root/categories.tsv`` names them too.
    """
    rng = random.Random(seed)
    root = Path(root)
    posts_dir = root / "_posts"
    posts_dir.mkdir(parents=True, exist_ok=True)
    table = make_sources(sources, rng)
    end = end or datetime.datetime.now().replace(microsecond=0)
    span_seconds = max(posts, 1) * 97
    written = []
    for number in range(posts):
        key, name = table[0] if number % 3 == 0 else rng.choice(table)
        moment = end - datetime.timedelta(seconds=rng.randint(0, span_seconds))
        ident = f"{moment:%Y%m%d}{number:010d}"
        offset = " +0800" if number % 2 else ""
        summary = ""
        if key == "emnews":
            summary = f"> {rng.choice(DETAILS)}{rng.choice(DETAILS)}\n\n"
        tag = name if name.endswith("新闻") else f"{name}新闻"
        if written and rng.random() < reposts:
            first_moment, title, subjects, body = rng.choice(written[-10:])
            moment = min(first_moment + datetime.timedelta(minutes=rng.randint(1, 30)), end)
            ident = f"{moment:%Y%m%d}{number:010d}"
            title, body = repost(rng, title, body, moment)
        else:
            title, subjects = headline(rng)
            # the post's own figures first: made-up news of one template are still different news
            body = (f" <p>{rng.choice(SUBJECTS)}{rng.choice(VERBS)}，截至发稿报{rng.randint(100, 99999) / 100:.2f}，"
                    f"涉及{rng.randint(2, 999)}家公司。</p>\n{make_body(rng, body_bytes)}")
            written.append((moment, title, subjects, body))
        text = (
            "---\nlayout: post\n"
            f'title: "{title}"\n'
            f"date: {moment:%Y-%m-%d %H:%M:%S}{offset}\n"
            f"categories: {key}\n"
            f"tags: [{', '.join([tag, *subjects])}]\n"
            "---\n"
            f"{summary}{body}\n\n"
            f"<http://finance.example.com/news/{ident}.html>\n\n"
            f"[返回{name}](//finews.withounder.com/{key}/)｜[返回首页](//finews.withounder.com/)"
        )
        (posts_dir / f"{moment:%Y-%m-%d}-{ident}.md").write_text(text, encoding="utf-8")
    with open(root / "categories.tsv", "w", encoding="utf-8") as handle:
        for key, name in table:
            handle.write(f"{key}\t{name if name.endswith('新闻') else name + '新闻'}\n")
    return table
