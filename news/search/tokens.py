"""How finews cuts text into search tokens: pure functions, no database.

Chinese has no spaces, so every run of Chinese characters is cut into overlapping two-character
tokens (CJK bigrams: 央行降息 → 央行 行降 降息); a run of one character is kept as it is. Runs of
letters and digits (``CCER``, ``600519``) are whole tokens, lower-cased. Text is NFKC-normalised
first, so full-width ``ＣＣＥＲ`` is ``ccer``. A query term becomes the same tokens and is matched
as a phrase (its tokens adjacent and in order): a two-character word is exactly one token, and a
longer one matches exactly where its characters stand together in the text.

Bigrams rather than a word segmenter: a segmenter cuts the same characters differently in
different sentences (and in a two-character query), so a post can contain a word without being
found by it; bigrams find every occurrence, cost no dictionary, and tokenise the same in the
database-independent Python that fills both the SQLite and the PostgreSQL index.
"""
import operator
import re
import unicodedata

from news.text import text_of_html

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")

MAX_QUERY_CHARS = 100
MAX_TERMS = 8
MAX_WORD = MAX_QUERY_CHARS  # a longer run of letters is kept as its first characters (PostgreSQL
# refuses a word over 2,047 bytes, and no query could ask for more than its first 100 anyway)


def tokens(text):
    """The tokens of ``text``, in order (repeats kept: positions matter for phrases)."""
    found = []
    for chinese, word in _TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower()):
        if word:
            found.append(word[:MAX_WORD])
        elif len(chinese) == 1:
            found.append(chinese)
        else:
            found.extend(map(operator.add, chinese, chinese[1:]))  # the pairs, made in C
    return found


def document_tokens(title, summary, body_html):
    return tokens(title) + tokens(summary) + tokens(text_of_html(body_html))


def document_text(title, summary, body_html):
    """The document's tokens joined by spaces: what the index stores, and a long body's million
    tokens as one string rather than a million objects."""
    return " ".join(document_tokens(title, summary, body_html))


class QueryError(ValueError):
    """A query finews cannot search for; the message says why, in Chinese."""


def is_literal(term):
    """Whether a query term holds symbols the tokens drop (``5%``, ``0.12%``, ``美元。``): such a
    term must stand in the text as typed, not just its words."""
    normal = unicodedata.normalize("NFKC", term).lower()
    return bool(tokens(normal)) and _TOKEN_RE.sub("", normal) != ""


def literal_tokens(term):
    """``[(token, prefix)]`` that every text containing the literal ``term`` holds — what the index
    can narrow by before the text is compared. A letter or digit run at the start of the term may
    be the end of a longer run in the text (``5%`` in ``15%``), which the index cannot look up, so
    it is left to the comparison; one at the end may be the start of a longer run (a prefix)."""
    normal = unicodedata.normalize("NFKC", term).lower()
    found = []
    for match in _TOKEN_RE.finditer(normal):
        chinese, word = match.groups()
        at_start, at_end = match.start() == 0, match.end() == len(normal)
        if chinese and len(chinese) > 1:
            found += [(chinese[i : i + 2], False) for i in range(len(chinese) - 1)]
        elif not at_start:  # a word, or one Chinese character, that starts a run in the text too
            found.append((word or chinese, at_end))
    return found


def query_terms(query):
    """``([[(token, prefix), …], …], [literal, …])``: one phrase per whitespace-separated term of
    ``query`` for the index, and the terms with symbols (lower-cased) that must also stand in the
    text as typed (a literal term adds its index tokens, each on its own, where it has any).

    A single Chinese character closing a longer term (``A股``) is a prefix: in the text it starts
    a bigram (``A股市`` → ``a 股市``) or stands alone. A term that is only one Chinese character
    cannot be found exactly with bigrams and is refused with a message."""
    query = (query or "").strip()
    if not query:
        raise QueryError("请输入要搜索的词。")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"搜索词太长了：最多 {MAX_QUERY_CHARS} 个字。")
    words = [term for term in query.split() if tokens(term)]
    if not words:
        raise QueryError("搜索词里没有可以搜索的文字或数字。")
    if len(words) > MAX_TERMS:
        raise QueryError(f"搜索词太多了：最多 {MAX_TERMS} 个。")
    terms, literals = [], []
    for word in words:
        if is_literal(word):
            literals.append(word.lower())
            terms += [[found] for found in literal_tokens(word)]
            continue
        term = [(token, False) for token in tokens(word)]
        last = term[-1][0]
        if len(last) == 1 and _TOKEN_RE.fullmatch(last).group(1):
            if len(term) == 1:
                raise QueryError("单个汉字太常见，请至少输入两个字，例如“央行”。")
            term[-1] = (last, True)
        terms.append(term)
    return terms, literals


def highlight_terms(query):
    """The words of ``query`` to mark in snippets (as typed, normalised)."""
    return [unicodedata.normalize("NFKC", term).lower() for term in (query or "").split() if tokens(term)]
