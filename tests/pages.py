"""Reading the reader pages' lists in tests: the wall items of news/reader/wall.py."""
import re

ITEM = (r'<li data-id="(?P<id>\d+)"(?: class="imp")?><time [^>]+>[^<]+</time> '
        r'(?:<a class="src" href="(?P<source_url>[^"]+)">(?P<source>[^<]*)</a> )?(?:<strong class="mark">重要</strong> )?'
        r'<a href="(?P<url>[^"]+)"(?P<attrs>[^>]*)>(?P<title>[^<]*)</a>')


def wall_links(html):
    """The post addresses of a page's wall items, in order."""
    return [m["url"] for m in re.finditer(ITEM, html)]


def wall_titles(html):
    return [m["title"] for m in re.finditer(ITEM, html)]


def wall_items(html):
    return list(re.finditer(ITEM, html))


def day_links(html):
    """Every post a day page links to, in order: a 同题 item's links to each of its posts."""
    found = []
    for item in re.findall(r'<li data-id="\d+".*?</li>', html):
        same = re.search(r'<span class="same-title">.*?</span>', item)
        found += re.findall(r'<a href="([^"]+)"', same[0]) if same else [re.search(ITEM, item)["url"]]
    return found
