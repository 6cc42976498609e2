"""Post dates (section 3), with finews's fix: offset-less times are Beijing time.

Each post gets two things: the instant it was published (what readers see and what orders
listings) and the calendar day Jekyll put in its URL (which old links depend on). They differ
only for unquoted YAML times without an offset, which Jekyll read as UTC.
"""
import datetime
import re
from zoneinfo import ZoneInfo

from .errors import PostError

SITE_TZ = ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC

DATE_STRING_RE = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T\t]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d+))?)?)?"
    r"\s*(?P<tz>Z|[A-Za-z]{2,4}|[+-]\d{2}(?::?\d{2})?)?$"
)
# Ruby's Time.parse knows these abbreviations (CST is US Central there, not China).
ZONE_ABBREVIATIONS = {
    "Z": 0, "UTC": 0, "UT": 0, "GMT": 0,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}


EARLIEST = datetime.datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime.datetime(9999, 12, 30, tzinfo=UTC)


def resolve_date(value, *, filename_date, has_key):
    """Return ``(published_at, url_date)`` for a front-matter ``date`` value.

    ``published_at`` is an aware datetime; ``url_date`` the day Jekyll used in the URL. Dates
    are refused unless both databases can store them and read them back in any time zone
    (years 1 to 9999, a day's margin at either end).
    """
    try:
        moment, url_date = _resolve(value, filename_date=filename_date, has_key=has_key)
        in_range = EARLIEST <= moment <= LATEST
    except PostError:
        raise
    except (OverflowError, ValueError):
        in_range = False
    if not in_range:
        raise PostError(f"date 超出可以保存的范围（公元 1 年到 9999 年）：{value!s}")
    # The instant is kept, the offset is not: PostgreSQL refuses offsets past ±15:59 that YAML
    # and Jekyll accept (-23:59), and the site shows Beijing time anyway.
    return moment.astimezone(SITE_TZ), url_date


def _resolve(value, *, filename_date, has_key):
    if not has_key:
        moment = datetime.datetime.combine(filename_date, datetime.time(), SITE_TZ)
        return moment, filename_date
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            # An unquoted YAML timestamp without offset: Jekyll read it as UTC; the scraper meant
            # Beijing time. Show Beijing time, keep Jekyll's day in the URL.
            shown = value.replace(tzinfo=SITE_TZ)
            url_date = value.replace(tzinfo=UTC).astimezone(SITE_TZ).date()
            return shown, url_date
        return value, value.astimezone(SITE_TZ).date()
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(), SITE_TZ), value
    if value is None:
        raise PostError("date 为空")
    if isinstance(value, str):
        moment = parse_date_string(value)
        return moment, moment.astimezone(SITE_TZ).date()
    raise PostError(f"无法识别的 date：{value!r}")


def parse_date_string(text):
    """Parse a quoted or non-timestamp date string; times without an offset are Beijing time."""
    match = DATE_STRING_RE.match(text.strip())
    if not match:
        raise PostError(f"无法识别的 date：{text.strip()!r}")
    parts = match.groupdict()
    tz = _zone(parts["tz"], text)
    fraction = (parts["f"] or "0")[:6].ljust(6, "0")
    try:
        return datetime.datetime(
            int(parts["y"]), int(parts["m"]), int(parts["d"]),
            int(parts["H"] or 0), int(parts["M"] or 0), int(parts["S"] or 0), int(fraction),
            tzinfo=tz,
        )
    except ValueError:
        raise PostError(f"date 不是有效的日期：{text.strip()!r}") from None


def _zone(token, text):
    if token is None:
        return SITE_TZ
    if token[0] in "+-":
        digits = token[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        offset = datetime.timedelta(hours=hours, minutes=minutes)
        if offset >= datetime.timedelta(hours=24):
            raise PostError(f"date 的时区偏移超过 24 小时：{text.strip()!r}")
        return datetime.timezone(-offset if token[0] == "-" else offset)
    hours = ZONE_ABBREVIATIONS.get(token.upper())
    if hours is None:
        raise PostError(f"date 中的时区无法识别：{text.strip()!r}")
    return datetime.timezone(datetime.timedelta(hours=hours))
