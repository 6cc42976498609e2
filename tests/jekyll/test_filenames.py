import datetime

import pytest

from news.jekyll import PostError
from news.jekyll.filenames import (
    categories_from_path,
    is_readable_post_path,
    parse_post_name,
    split_posts_path,
)


@pytest.mark.parametrize("inner, date, slug, ext", [
    ("2022-02-17-202202172280203741.md", datetime.date(2022, 2, 17), "202202172280203741", ".md"),
    ("2017-2-5-i-dont-like-zeroes.md", datetime.date(2017, 2, 5), "i-dont-like-zeroes", ".md"),
    ("22-2-17-two-digit-year.md", datetime.date(2022, 2, 17), "two-digit-year", ".md"),
    ("2018-10-12-trailing-dots...markdown", datetime.date(2018, 10, 12), "trailing-dots", ".markdown"),
    ("sub/deeper/2022-02-17-nested.md", datetime.date(2022, 2, 17), "nested", ".md"),
    ("2022-02-17-NW202202172280203741.md", datetime.date(2022, 2, 17), "NW202202172280203741", ".md"),
    ("2011-04-12-text-extension.text", datetime.date(2011, 4, 12), "text-extension", ".text"),
])
def test_post_names(inner, date, slug, ext):
    name = parse_post_name(inner)
    assert (name.date, name.slug, name.extension) == (date, slug, ext)


@pytest.mark.parametrize("inner", [
    "12022-02-17-five.md", "2022-02-17.md", "-202205262391921712.md", "2022-02-17-noext",
    "2022-02-17-foo.", "2022-02-17-bar.md.", "2008-02-03-wrong-extension.yml",
])
def test_not_post_names(inner):
    assert parse_post_name(inner) is None


def test_impossible_filename_date_is_an_error():
    with pytest.raises(PostError, match="2022-13-45"):
        parse_post_name("2022-13-45-badmonth.md")


@pytest.mark.parametrize("inner, readable", [
    ("2022-02-17-x.md", True),
    (".2022-02-17-x.md", False),
    ("_2022-02-17-x.md", False),
    ("#2022-02-17-x.md", False),
    ("2022-02-17-x.md~", False),
    ("_hidden/2022-02-17-x.md", False),
    ("sub/.y/2022-02-17-x.md", False),
    ("sub/_x/2022-02-17-mid-underscore.md", True),
])
def test_filtered_entries(inner, readable):
    assert is_readable_post_path(inner) is readable


def test_posts_folder_prefix_gives_categories():
    assert split_posts_path("es/_posts/2008-11-21-outer.md") == ("es", "2008-11-21-outer.md")
    assert split_posts_path("_posts/es/x.md") == ("", "es/x.md")
    assert categories_from_path("es") == ["es"]
    assert categories_from_path("a/b") == ["a", "b"]
    assert categories_from_path("") == []
