"""Reading the reader pages' lists in tests: the wall items of news/wall.py."""
import re

ITEM = (r'<li data-id="(?P<id>\d+)"(?: class="imp")?><time [^>]+>[^<]+</time> (?:<strong class="mark">重要</strong> )?'
        r'<a href="(?P<url>[^"]+)"(?P<attrs>[^>]*)>(?P<title>[^<]*)</a>')


def wall_links(html):
    """The post addresses of a page's wall items, in order."""
    return [m["url"] for m in re.finditer(ITEM, html)]


def wall_titles(html):
    return [m["title"] for m in re.finditer(ITEM, html)]


def wall_items(html):
    return list(re.finditer(ITEM, html))
