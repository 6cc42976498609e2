"""Listings paged without counting: Django's Paginator, for lists too long to COUNT(*).

A source may hold hundreds of thousands of posts. A page is read as its rows plus one (that one
says whether a next page exists); deep pages skip rows on the link table's index alone and join
only the page's rows; listings that can (``keyset``) turn from ``?page=N`` to ``?older=<link id>``
after ``OFFSET_PAGES`` pages, where a deep page costs one index seek.
"""
from django.core.paginator import EmptyPage, InvalidPage, PageNotAnInteger, Paginator

MAX_PAGE = 1_000_000
OFFSET_PAGES = 20


class ListingPage:
    """One page of a listing, known without COUNT(*): one row past the page says a next one exists.

    ``next_page``/``next_older`` and ``previous_page`` are the query values that lead on. Listings that can
    (``keyset``) turn from page numbers to ``?older=<link id>`` after ``OFFSET_PAGES`` pages: a
    deep page then costs one index seek instead of skipping every row before it."""

    def __init__(self, rows, number, size, *, keyset=False, anchor=None):
        self.object_list = rows[:size]
        self.number = number
        self.has_next = len(rows) > size
        self.anchor = anchor  # the link this keyset page continues after
        self.has_previous = number > 1 or anchor is not None
        self.start_index = (number - 1) * size + 1
        # For {% querystring %}: a None removes the parameter.
        if keyset and (anchor is not None or number >= OFFSET_PAGES) and self.object_list:
            self.next_page, self.next_older = None, self.object_list[-1].pk
        else:
            self.next_page, self.next_older = number + 1, None
        self.previous_page = None if anchor else number - 1


class ListingPaginator(Paginator):
    """``page(n)`` and ``page_after(link id)`` without COUNT(*): ``count`` and ``num_pages`` are
    not known (and not asked for by the listings' templates)."""

    def __init__(self, object_list, per_page, *, keyset=False):
        super().__init__(object_list, per_page)
        self.keyset = keyset

    def validate_number(self, number):
        text = str(number)
        if not text.isascii() or not text.isdigit():
            raise PageNotAnInteger("没有这一页")
        if not 1 <= int(text) <= MAX_PAGE:
            raise EmptyPage("没有这一页")
        return int(text)

    def page(self, number):
        number = self.validate_number(number)
        offset = (number - 1) * self.per_page
        # Skip rows on the link table's index alone, then join only the page's rows: a deep
        # page would otherwise join every skipped row.
        window = self.object_list.values("pk")[offset : offset + self.per_page + 1]
        rows = list(self.object_list.filter(pk__in=window))
        if number > 1 and not rows:
            raise EmptyPage("没有这一页")
        return ListingPage(rows, number, self.per_page, keyset=self.keyset)

    def page_after(self, older):
        """``?older=<link id>``: the page after that link of this listing, by index seek."""
        if not older.isascii() or not older.isdigit() or len(older) > 18:
            raise PageNotAnInteger("没有这一页")
        anchor = self.object_list.filter(pk=int(older)).first()
        if anchor is None:
            raise InvalidPage("没有这一页")
        rows = list(self.object_list.before(anchor)[: self.per_page + 1])
        return ListingPage(rows, 0, self.per_page, keyset=True, anchor=anchor)
