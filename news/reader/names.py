"""Pinyin keys for source names, so a reader finds 东财滚动新闻 by typing ``dcgd`` or ``dongcai``."""
from functools import lru_cache


@lru_cache(maxsize=20_000)
def pinyin_keys(name):
    """``(full, initials)``, lower case: 中国证券 → ``("zhongguozhengquan", "zgzq")``.

    Characters that are not Chinese are kept one by one (``CCER`` stays ``ccer`` in both). A name
    costs ~0.1 ms, so the home page's ~2,000 are remembered per process.
    """
    from pypinyin import lazy_pinyin  # here: its dictionaries take 0.4 s to load, and only pages need them

    syllables = [syllable for syllable in lazy_pinyin(name, errors=list) if syllable.strip()]
    return "".join(syllables).lower(), "".join(syllable[0] for syllable in syllables).lower()
