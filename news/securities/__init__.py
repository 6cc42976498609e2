"""Securities: the stocks and sectors a post names, found in its links and its text (pure logic;
the tables are news/models/securities.py, the hook the after-write step).

A security is its market and its code — ``SH`` / ``SZ`` / ``BJ`` (A shares and funds of Shanghai,
Shenzhen, Beijing: six digits), ``HK`` (five digits), ``US`` (a ticker), ``BK`` (an Eastmoney
sector, ``BK0473``) — with the name the source gives it.

Links (of the sanitised body: what finews stores) of the common quote sites:

- Eastmoney ``quote.eastmoney.com/unify/r/<market>.<code>`` (its ``data-code="<market>,<code>"``
  is the same pair; the sanitiser keeps the address), ``quote.eastmoney.com/sh600036.html``
  (``sz``, ``bj``), ``quote.eastmoney.com/hk/00700.html``, ``quote.eastmoney.com/us/AAPL.html``;
- Sina ``finance.sina.com.cn/realstock/company/sz000858/…``, ``…/hkstock/quotes/00700.html``,
  ``…/usstock/quotes/aapl.html``;
- 10jqka ``stockpage.10jqka.com.cn/600519/`` (``HK0700`` for Hong Kong).

Text, a code standing in brackets right after a name or after 股票代码/证券代码:
``比亚迪（002594）``, ``中国平安(601318.SH)``, ``腾讯控股(00700.HK)``, ``腾讯控股（0700.HK）``,
``蔚来(NIO.US)``, ``股票代码：600900``. A number anywhere else is not a code (``成交额600519万元``,
``编号300750-1``, a phone number, a date, an index level).
"""
import re
import unicodedata
from dataclasses import dataclass

from news.text import TextMemo, text_of_html


@dataclass(frozen=True)
class Security:
    market: str
    code: str
    name: str = ""

    @property
    def key(self):
        return self.market, self.code


# Eastmoney's market numbers: 0 Shenzhen (and Beijing's codes), 1 Shanghai, 90 its sectors,
# 116/128 Hong Kong, 105/106/107 the US exchanges. Others (indices abroad, futures, forex) are not
# securities finews follows.
_EASTMONEY_MARKETS = {"0": "SZ", "1": "SH", "90": "BK", "116": "HK", "128": "HK", "105": "US", "106": "US",
                      "107": "US"}
# The prefixes exchanges list under: Shanghai 60x/68x shares, 900 B shares, 5xx funds, 11x bonds;
# Shenzhen 00x/30x shares, 200 B shares, 12x bonds, 15x/16x/18x funds; Beijing 83x/87x/88x, 43x, 920.
# (Beijing's 899xxx are its indices; 40x/42x the old 三板.)
_A_SHARE = re.compile(r"(?:60[0135]|68[89]|900|5[01568]\d|11\d|00[0-3]|30[01]|200|1[2568]\d|8[378]\d|43\d|920)\d{3}",
                      re.ASCII)
_TICKER = re.compile(r"[A-Z][A-Z.]{0,5}", re.ASCII)


def a_share_market(code):
    """``SH``, ``SZ`` or ``BJ`` for a six-digit code an exchange lists under, else ``""``."""
    if len(code) != 6 or not _A_SHARE.fullmatch(code):
        return ""
    if code[0] in "659":
        return "SH" if code[:2] != "92" else "BJ"
    if code[0] in "84":
        return "BJ"
    if code[0] == "1":
        return "SH" if code[:2] == "11" else "SZ"
    return "SZ"


def _hk(code):
    return code.zfill(5) if code.isascii() and code.isdigit() and 1 <= len(code) <= 5 and int(code) else ""


def _security(market, code, name=""):
    """A ``Security`` if ``market`` and ``code`` make one, else None (``name`` as read)."""
    code = code.strip()
    if market in {"SH", "SZ", "BJ"}:
        found = a_share_market(code)
        market = found if found and (found == market or market == "SZ" and found == "BJ") else ""
    elif market == "HK":
        code = _hk(code)
    elif market == "US":
        code = code.upper()
        market = market if _TICKER.fullmatch(code) else ""
    elif market == "BK":
        code = code.upper()
        market = market if re.fullmatch(r"BK\d{4}", code) else ""
    else:
        market = ""
    return Security(market, code, name) if market and code else None


_LINK = re.compile(r"<a\b[^>]*\bhref=\"([^\"]*)\"[^>]*>(.*?)</a>", re.I | re.S)
_LINK_FORMS = (
    (re.compile(r"quote\.eastmoney\.com/unify/r/(\d+)\.([A-Za-z0-9.]+?)/?(?:[?#]|$)", re.I),
     lambda m: (_EASTMONEY_MARKETS.get(m[1], ""), m[2])),
    (re.compile(r"quote\.eastmoney\.com/(?:concept/|)(sh|sz|bj)(\d{6})\.html", re.I), lambda m: (m[1].upper(), m[2])),
    (re.compile(r"quote\.eastmoney\.com/(?:kcb|bj)/(\d{6})\.html", re.I), lambda m: (a_share_market(m[1]), m[1])),
    (re.compile(r"xueqiu\.com/S/(SH|SZ|BJ)(\d{6})(?:[/?#]|$)", re.I), lambda m: (m[1].upper(), m[2])),
    (re.compile(r"xueqiu\.com/S/(\d{5})(?:[/?#]|$)", re.I), lambda m: ("HK", m[1])),
    (re.compile(r"quote\.eastmoney\.com/hk/(\d{1,5})\.html", re.I), lambda m: ("HK", m[1])),
    (re.compile(r"quote\.eastmoney\.com/us/([A-Za-z.]{1,6})\.html", re.I), lambda m: ("US", m[1])),
    (re.compile(r"finance\.sina\.com\.cn/realstock/company/(sh|sz|bj)(\d{6})(?:/|$)", re.I),
     lambda m: (m[1].upper(), m[2])),
    (re.compile(r"finance\.sina\.com\.cn/hkstock/quotes/(\d{1,5})\.html", re.I), lambda m: ("HK", m[1])),
    (re.compile(r"finance\.sina\.com\.cn/usstock/quotes/([A-Za-z.]{1,6})\.html", re.I), lambda m: ("US", m[1])),
    (re.compile(r"stockpage\.10jqka\.com\.cn/(?:HK(\d{4,5})|(\d{6}))/?(?:[?#]|$)", re.I),
     lambda m: ("HK", m[1]) if m[1] else (a_share_market(m[2]), m[2])),
)

_NAME_CHARS = r"\u3400-\u9fffA-Za-z*\-"  # a name's characters: no punctuation, no space
# One code as text writes it: 600519, 601318.SH, SH600519, 00700.HK, 0700.HK, HK.00700, NIO.US...
_CODE = (r"(?:(SH|SZ|BJ)\s?)?(\d{6})(?:\.(SH|SZ|BJ|SS))?|(HK\.?)?(\d{4,5})(\.HK)?"
         r"|([A-Z][A-Z.]{0,5})\.(?:US|O|N|OQ)")
_ONE_CODE = re.compile(_CODE, re.I | re.ASCII)
# ...and codes in brackets (found first: the brackets are rare, a name's characters everywhere): one,
# or a company's listings one after another — 比亚迪（002594.SZ，01211.HK） 中国平安(601318.SH/02318.HK)
_PLAIN_CODE = re.sub(r"\((?!\?)", "(?:", _CODE)
_BRACKETED_CODE = re.compile(
    rf"[（(]\s*((?:{_PLAIN_CODE})(?:\s*[,，、/;；]\s*(?:{_PLAIN_CODE}))*)\s*[)）]", re.I | re.ASCII)
_BOARDS = {"SH": "A", "SZ": "A", "BJ": "A"}  # a company lists once in mainland China, once in HK, once in the US
_CODE_SEPARATOR = re.compile(r"\s*[,，、/;；]\s*")
# ...right after a name: 比亚迪（002594） 中国平安(601318.SH) 腾讯控股(00700.HK) 蔚来(NIO.US)
_NAME_BEFORE = re.compile(rf"([{_NAME_CHARS}]{{2,12}})\s?$")
_LABELLED_CODE = re.compile(r"(?:股票|证券|A股|港股|H股)代码\s*[:：为是]\s*(\d{6}|\d{5})(?:\.(?:SH|SZ|BJ|SS|HK))?(?![\d.])",
                            re.I | re.ASCII)
_SUFFIX_MARKETS = {"SH": "SH", "SS": "SH", "SZ": "SZ", "BJ": "BJ"}
# What stands before a name in a sentence (``控股股东贵州茅台（600519）``), never part of one.
_LEADING_WORDS = re.compile(
    r"^.*(?:公司|股东|旗下|包括|其中|以及|关注|持有|买入|卖出|减持|增持|收购|入股|参股|投资|记者从|维持|上调|下调|首予|给予|"
    r"予以|评级|目标价|[及与为从列予]|(?<=.)龙头(?=.{3}))(?=[^及与为从列予]{2,}$)")
# What a bracketed number after these is: an index, a fund, a phone or post code, an amount.
_NOT_NAMES = re.compile(
    r"指数|基金|混合|债券|理财|邮编|邮政编码|电话|热线|传真|客服|编号|营收|收入|同比|环比|收报|报价|金额|万元|亿元")
_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")  # ０-９ Ａ-Ｚ ａ-ｚ


def _name(text):
    """The name a source gives a security in text: the words before a bracketed code, without the
    sentence's words before them, as far as they can be told."""
    return _LEADING_WORDS.sub("", text)[-12:]


def _link_name(label):
    """The name a link gives: its text, unless that is the code itself."""
    name = re.sub(r"\s+", "", text_of_html(label or ""))
    return "" if re.fullmatch(r"[\dA-Za-z.]*\d[\dA-Za-z.]*", name) else name[:50]


def from_links(body_html):
    found = []
    for address, label in _LINK.findall(body_html or ""):
        for form, read in _LINK_FORMS:
            match = form.search(address)
            if match:
                market, code = read(match)
                security = _security(market, code, _link_name(label))
                if security:
                    found.append(security)
                break
    return found


def _bracketed(match, name):
    prefix, a_code, suffix, hk_prefix, hk_code, hk_suffix, ticker = match.groups()
    if a_code:
        return _security(_SUFFIX_MARKETS.get((prefix or suffix or "").upper()) or a_share_market(a_code), a_code, name)
    if ticker:
        return _security("US", ticker, name)
    # Hong Kong's codes are written 00700 / 0700.HK / HK.00700; a bare 16725 or 2022 is not one
    marked = hk_prefix or hk_suffix
    return _security("HK", hk_code, name) if marked or len(hk_code) == 5 and hk_code[0] == "0" else None


def from_text(text):
    text = text or ""
    if _FULL_WIDTH.search(text):  # １２３ and Ｈ read as 123 and H (and （） as ())
        text = unicodedata.normalize("NFKC", text)
    found = []
    for match in _BRACKETED_CODE.finditer(text):
        before = _NAME_BEFORE.search(text, max(match.start() - 13, 0), match.start())
        if before is None or _NOT_NAMES.search(before[1]):
            continue
        name = _name(before[1])
        codes = _CODE_SEPARATOR.split(match[1])
        named = [security for code in codes if (security := _bracketed(_ONE_CODE.fullmatch(code), name))]
        if len(codes) > 1 and len({_BOARDS.get(security.market, security.market) for security in named}) < len(codes):
            continue  # not one company's listings (two of one market): a list of companies, or of numbers
        found += named
    for match in _LABELLED_CODE.finditer(text):
        code = match[1]
        security = _security(a_share_market(code), code) if len(code) == 6 else _security("HK", code)
        if security:
            found.append(security)
    return found


_memo = TextMemo()


def named(title, body_html):
    """``extract()``'s answer for this text: as a parse worker found it (``remember``), else found here."""
    found = _memo.take(title, body_html)
    return found if found is not None else extract(title, body_html)


def remember(title, body_html, found):
    """Keep what another process (an import's parse worker) found in this text for its write here."""
    _memo.put(title, body_html, found)


def extract(title, body_html):
    """The securities a post names, each once, in the order first named; a name from a link wins
    over one read from the text."""
    found = {}
    for security in from_links(body_html) + from_text(f"{title or ''}\n{text_of_html(body_html or '')}"):
        known = found.get(security.key)
        if known is None or not known.name and security.name:
            found[security.key] = security if known is None else Security(*security.key, security.name)
    return list(found.values())
