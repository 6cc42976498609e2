import datetime

import pytest
import yaml

from news.jekyll import PostError
from news.jekyll.dates import SITE_TZ, resolve_date

FILE_DATE = datetime.date(2022, 2, 17)


def from_yaml(text):
    return yaml.safe_load(f"date: {text}")["date"]


def resolve(text):
    return resolve_date(from_yaml(text), filename_date=FILE_DATE, has_key=True)


def beijing(*args):
    return datetime.datetime(*args, tzinfo=SITE_TZ)


def test_no_date_key_is_file_date_at_site_midnight():
    moment, day = resolve_date(None, filename_date=FILE_DATE, has_key=False)
    assert moment == beijing(2022, 2, 17) and day == FILE_DATE


def test_offset_string_as_the_scraper_wrote_it():
    moment, day = resolve("2022-02-17 17:38:20 +0800")
    assert moment == beijing(2022, 2, 17, 17, 38, 20) and day == FILE_DATE


def test_unquoted_time_without_offset_is_beijing_but_url_keeps_jekylls_day():
    # Jekyll read 16:00 as UTC (= 00:00 next day in Beijing); finews shows the intended time.
    moment, day = resolve("2022-02-17 16:00:00")
    assert moment == beijing(2022, 2, 17, 16, 0, 0)
    assert day == datetime.date(2022, 2, 18)
    moment, day = resolve("2022-02-17 15:59:59")
    assert day == FILE_DATE


def test_explicit_offsets_and_utc():
    assert resolve("2022-02-17 20:00:00 +08:00")[0] == beijing(2022, 2, 17, 20)
    moment, day = resolve("2022-02-17T20:00:00Z")
    assert moment == beijing(2022, 2, 18, 4) and day == datetime.date(2022, 2, 18)


def test_quoted_and_second_less_dates_are_site_time():
    assert resolve('"2022-02-17 20:00:00"')[0] == beijing(2022, 2, 17, 20)
    assert resolve("2022-02-17 20:00")[0] == beijing(2022, 2, 17, 20)


def test_date_only():
    assert resolve("2022-03-01") == (beijing(2022, 3, 1), datetime.date(2022, 3, 1))


def test_cst_is_us_central_as_in_ruby():
    moment, day = resolve("2022-02-17 20:00:00 CST")
    assert moment.astimezone(SITE_TZ) == beijing(2022, 2, 18, 10)
    assert day == datetime.date(2022, 2, 18)


def test_fraction_is_kept():
    assert resolve("2022-02-17 10:00:00.75 +08:00")[0].microsecond == 750000


@pytest.mark.parametrize("text", ["", " +0800", '" +0800"', "yesterday", '"2022-02-30 10:00"'])
def test_empty_or_unparsable_dates_are_rejected(text):
    with pytest.raises(PostError):
        resolve(text)
