"""Normalise the date strings of Vietnamese portals and magazines to ISO 8601 at +07:00.

Why not plain ``dateparser``: on these sites it swaps day and month unless told ``DMY``, gives
nothing for a label ("Cập nhật: 14:30, 05/12/2022") or a year-less "Chiều 13/4", invents the
missing year, month or time, and costs ~1 ms a call (~100 ms for the first call of a process).
So the shapes these sites really print go through a regex *search* (a few µs, noise around the
date is skipped), and only what it does not know goes to a cached, tuned ``DateDataParser``.

Rules (decisions, not accidents):

- Every site time is local Asia/Ho_Chi_Minh, which has been UTC+07:00 without DST since 1975,
  so a fixed offset is exact for every date we accept (>= 1995) and needs no tz database.
  Values with an explicit zone ("Z", "+00:00", "GMT", "+0700", "GMT+7") are *converted* to it.
- Numeric dates are day first, always: "12/25/2020" is rejected as "invalid", never swapped.
- Precision is what the string gives: "day" -> ``YYYY-MM-DD`` (no invented midnight); a clock
  time -> "minute", or "second" when seconds are written.
- Rejected (``value=None``): empty input ("empty"); no complete day-month-year ("unparseable"):
  a month alone ("tháng 1/2023"), a weekday alone ("Thứ năm"), a time alone ("10:30"), months
  or years ago ("15 tháng trước"), a duration without "trước"/"cách đây" ("2 giờ", "còn 12
  ngày"), a year-less date without ``default_year``; impossible values
  ("invalid": 31/02/2022, 25:61); a year before 1995 ("too_old"); a local day after the fetch
  day ("future": a later hour of the fetch day is accepted, as clock skew).
- A relative phrase that points forward ("2 ngày nữa", "3 ngày tới", "sau 2 ngày", "2 giờ
  nữa") names an event to come, never a publication time: "future".
- The first date found in the string wins; a string holding several dates is not arbitrated.
- Untrusted text, bounded work: only the first ``MAX_INPUT`` characters are read, whitespace is
  collapsed first, and every regex is linear (bounded repetitions, no nested quantifiers), so a
  hostile date line of any length costs a few milliseconds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

__all__ = ["MAX_INPUT", "MIN_YEAR", "VN_TZ", "ParsedDate", "parse_date", "warm_up"]

VN_TZ = timezone(timedelta(hours=7), "ICT")
MIN_YEAR = 1995
# dateparser on long strings is slow and, ignoring surrounding text, finds dates in prose.
_DATEPARSER_MAX_LEN = 120
# How far (characters) a clock time may sit from the date it belongs to.
_WINDOW = 48
# Characters of a date string read at all: a date line is a few dozen; the rest is noise.
MAX_INPUT = 1_000
# Number-unit pairs in one relative phrase ("1 giờ 30 phút trước" has two).
_REL_MAX_PARTS = 4


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """The outcome of one parse: a value with its precision, or ``None`` with a reason."""

    value: str | None
    precision: str | None
    raw: str
    error: str | None
    method: str | None


class _Invalid(ValueError):
    """An impossible calendar or clock value (31/02, 25:61): reported, never repaired."""


# --- regexes (the input is NFC and lower-cased first) ------------------------------------------

_EN_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_EN_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}

# One alternation, so a single left-to-right search finds the first complete date of any shape.
_DATE_RE = re.compile(
    # ISO (and year-first) dates, optionally with a time: local unless a zone follows.
    r"(?<!\d)(?P<iy>\d{4})(?P<isep>[-/.])(?P<im>\d{1,2})(?P=isep)(?P<id>\d{1,2})(?!\d)"
    r"(?:[t\s](?P<ih>\d{1,2}):(?P<imi>\d{2})(?::(?P<is>\d{2})(?:[.,]\d{1,9})?)?(?!\d))?"
    # dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy: day first.
    r"|(?<!\d)(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\d)"
    # 23 tháng 1 năm 2023, 23 tháng 01, 2023, 9 Tháng 1 2015, 21 thg 09 năm 2025.
    r"|(?<!\d)(?P<vd>\d{1,2})\s*(?:tháng|thg)\.?\s*(?P<vm>\d{1,2})"
    r"(?:\s*(?:,|năm|/|-)\s*|\s+)(?P<vy>\d{4})(?!\d)"
    # RSS / English: 05 Dec 2022, December 5, 2022.
    rf"|(?<!\d)(?P<ed>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<em>{_EN_MONTH})\.?,?\s+(?P<ey>\d{{4}})(?!\d)"
    rf"|\b(?P<fm>{_EN_MONTH})\.?\s+(?P<fd>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<fy>\d{{4}})(?!\d)"
)

# 14:30, 07:12:45, 07h12, 15h, 10 giờ 30 (phút), 3 giờ chiều; then AM/PM or a part of the day.
# A bare "15h" must be a real hour, so that "24h" (a site name) is not a time.
_TIME_RE = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2})"
    r"(?:(?::|h)(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d{1,9})?)?"
    r"|\s*giờ(?:\s*(?P<mi2>\d{1,2})(?![\d/.\-])(?:\s*phút)?)?"
    r"|(?<=[01]\d|2[0-3])h(?!\w)|(?<=(?<!\d)\d)h(?!\w))(?!\d)"
    r"(?:\s*(?P<ap>a\.?m\.?|p\.?m\.?|sa|ch|sáng|chiều|tối|trưa|đêm)(?!\w))?"
    r"(?!\s*(?:trước|nữa)(?!\w))"  # "2 giờ trước" is a duration, not 02:00
)

# What may stand between a date and its time: no digits but a weekday's ("thứ 2", "T2").
_GAP_RE = re.compile(rf"(?:[^\d]|(?<=t)[2-7]|(?<=thứ)[2-7]|(?<=thứ )[2-7]){{0,{_WINDOW // 2}}}")

_ZONE_NAMES = {
    "z": 0, "ut": 0, "utc": 0, "gmt": 0, "ict": 420,
    "est": -300, "edt": -240, "cst": -360, "cdt": -300,
    "mst": -420, "mdt": -360, "pst": -480, "pdt": -420,
}  # fmt: skip
_ZONE_RE = re.compile(  # whitespace is collapsed first: bounded runs keep it linear anywhere
    r"\s?[(\[]?\s?(?:"
    r"(?P<name>gmt|utc|ut|z|ict|[ecmp][sd]t)"
    r"(?:\s*(?P<sg>[+\-−])\s*(?P<zh>\d{1,2})(?::?(?P<zm>\d{2}))?)?"
    r"|(?P<sg2>[+\-−])(?P<zh2>\d{2}):?(?P<zm2>\d{2}))(?!\w)"
)

_REL_UNITS = r"giây|phút|giờ|tiếng|ngày|tuần|tháng|năm"
# At most _REL_MAX_PARTS number-unit pairs: an unbounded repetition made "1 giờ 1 giờ ..."
# (no "trước" after it) cost quadratic time, every start retrying the whole run.
_REL_SPAN = rf"(?:\d{{1,4}} ?(?:{_REL_UNITS}) ?){{1,{_REL_MAX_PARTS}}}"
_REL_RE = re.compile(
    rf"(?:(?<!\w)cách ?đây ?(?P<ago>{_REL_SPAN})"
    rf"|(?<!\d)(?P<before>{_REL_SPAN})trước)(?!\w)"
)
# Forward: "2 ngày nữa", "3 ngày tới", "sau 2 ngày", "trong 3 ngày tới".
_FUTURE_RE = re.compile(
    rf"(?<!\d)(?P<span>{_REL_SPAN})(?:nữa|tới)(?!\w)|(?<!\w)sau ?(?P<after>{_REL_SPAN})"
)
_REL_PART_RE = re.compile(rf"(\d{{1,4}})\s*({_REL_UNITS})")
_REL_STEP: dict[str, tuple[str, int, str]] = {
    # unit -> (relativedelta field, multiplier, precision)
    "giây": ("seconds", 1, "second"),
    "phút": ("minutes", 1, "minute"),
    "giờ": ("hours", 1, "minute"),
    "tiếng": ("hours", 1, "minute"),
    "ngày": ("days", 1, "day"),
    "tuần": ("days", 7, "day"),
    "tháng": ("months", 1, "month"),
    "năm": ("years", 1, "year"),
}
_PRECISION_RANK = {"second": 0, "minute": 1, "day": 2, "month": 3, "year": 4}

_DAYWORD_RE = re.compile(r"(?<!\w)(?:hôm\s*(?P<rel>nay|qua|kia)|(?P<tmr>ngày\s*mai)|vừa\s*xong)")
_DAYWORD_OFFSET = {"nay": 0, "qua": 1, "kia": 2}

_MONTH_ONLY_RE = re.compile(r"(?:tháng|thg)\.?\s*\d{1,2}\s*(?:[/.,\-]|năm)?\s*\d{4}(?!\d)")
_YEARLESS_RE = re.compile(
    r"(?<![\d/.\-:])(?P<d>\d{1,2})/(?P<m>\d{1,2})(?![\d]|[/.\-:]\d)"
    r"|(?<!\d)(?P<vd>\d{1,2})\s*(?:tháng|thg)\.?\s*(?P<vm>\d{1,2})(?!\d)"
    r"(?!\s*(?:năm|[,/.\-])\s*\d)"
)

# Before dateparser: a string whose only date-like words are a weekday or a clock time names
# no day, and dateparser would make one up (the last Thursday, today).
_WEEKDAY_RE = re.compile(
    r"thứ\s*(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s*nhật|(?<!\w)(?:cn|t[2-7])(?!\w)"
    r"|(?<!\w)(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?(?!\w)"
)
_DATEWORD_RE = re.compile(
    rf"\d|tháng|thg|tuần|trước|nữa|tới|(?<!\w)(?:{_EN_MONTH}|ago|today|yesterday|tomorrow)(?!\w)"
)
# Zones and "12 AM": numbers that are no part of a day.
_NOT_A_DAY_RE = re.compile(
    r"(?:gmt|utc)\s*(?:[+\-−]\s*\d{1,2}(?::?\d{2})?)?|[+\-−]\d{2}:?\d{2}"
    r"|(?<!\d)\d{1,2}\s*[ap]\.?m\.?(?!\w)"
)
# Only these make dateparser read a relative date: a bare duration ("12 ngày", "còn 12 ngày",
# "2 giờ") may be a count, a countdown or a clock time, and is not read as a time ago.
_REL_MARKER_RE = re.compile(
    r"trước|nữa|(?<!\w)(?:sau|tới|ago|yesterday|today|tomorrow|last|next)(?!\w)|cách\s*đây"
)
_SECONDS_RE = re.compile(r"\d:\d{2}:\d{2}")
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


# --- public API ------------------------------------------------------------------------------


def parse_date(
    raw: str | None, *, fetched_at: datetime, default_year: int | None = None
) -> ParsedDate:
    """Find and normalise the date in ``raw``; relative dates resolve against ``fetched_at``.

    ``fetched_at`` must be timezone-aware (it is the fetch time, injected so results are
    reproducible). ``default_year`` is the article's year, used only for year-less strings.
    Never raises for any string: a failure is a ``ParsedDate`` with ``value=None`` and ``error``.
    """
    if fetched_at.tzinfo is None or fetched_at.utcoffset() is None:
        raise ValueError("fetched_at must be timezone-aware")
    if raw is None:
        return ParsedDate(None, None, "", "empty", None)
    text = _normalise(raw)
    if not text:
        return ParsedDate(None, None, raw, "empty", None)
    now = fetched_at.astimezone(VN_TZ)
    method = "fast"
    try:
        found = _fast(text, now, default_year)
        if found is None:
            method = "dateparser"
            found = _with_dateparser(raw, text, now, default_year)
        if isinstance(found, str):
            return ParsedDate(None, None, raw, found, method)
        return _check(raw, found, now, method)
    except (ValueError, OverflowError):  # _Invalid, or a date beyond datetime's range
        return ParsedDate(None, None, raw, "invalid", method)


def warm_up() -> None:
    """Pay dateparser's one-off loading cost (~100 ms) now rather than on the first odd date."""
    _parser_for(datetime(2000, 1, 1)).get_date_data("1 tháng 1 năm 2000")


# --- internals -------------------------------------------------------------------------------

# A result before the range checks: (value, precision), value being a date or an aware datetime.
_Found = tuple[date | datetime, str]


def _normalise(raw: str) -> str:
    """The first MAX_INPUT characters, NFC (pages may send decomposed Vietnamese), no invisible
    characters, whitespace collapsed to single spaces, lower case."""
    raw = raw[:MAX_INPUT]
    if not raw.isascii():
        if not unicodedata.is_normalized("NFC", raw):
            raw = unicodedata.normalize("NFC", raw)
        if _INVISIBLE_RE.search(raw):
            raw = _INVISIBLE_RE.sub("", raw)
    return " ".join(raw.split()).lower()


def _check(raw: str, found: _Found, now: datetime, method: str) -> ParsedDate:
    """Apply the range rules and format the value."""
    value, precision = found
    day = value.date() if isinstance(value, datetime) else value
    if day.year < MIN_YEAR:
        return ParsedDate(None, None, raw, "too_old", method)
    if day > now.date():
        return ParsedDate(None, None, raw, "future", method)
    if isinstance(value, datetime):
        value = value.replace(microsecond=0)
        if precision == "minute":
            value = value.replace(second=0)
    return ParsedDate(value.isoformat(), precision, raw, None, method)


def _fast(text: str, now: datetime, default_year: int | None) -> _Found | str | None:
    """The regex path: a result, an error code, or ``None`` to hand the string to dateparser."""
    m = _DATE_RE.search(text)
    if m is not None:
        return _from_date_match(text, m)
    m = _REL_RE.search(text)
    if m is not None:
        return _from_relative(m["ago"] or m["before"], now)
    m = _FUTURE_RE.search(text)
    if m is not None:
        return "future"  # an event to come, not when the page was published
    m = _DAYWORD_RE.search(text)
    if m is not None:
        return _from_dayword(text, m, now)
    if _MONTH_ONLY_RE.search(text):
        return "unparseable"
    m = _YEARLESS_RE.search(text)
    if m is not None:
        if default_year is None:
            return "unparseable"
        day_s, month_s = (m["d"], m["m"]) if m["d"] else (m["vd"], m["vm"])
        return _assemble(text, int(default_year), int(month_s), int(day_s), m.start(), m.end())
    if len(text) > _DATEPARSER_MAX_LEN:
        return "unparseable"
    rest = _NOT_A_DAY_RE.sub(" ", _WEEKDAY_RE.sub(" ", _TIME_RE.sub(" ", text)))
    if not _DATEWORD_RE.search(rest):
        return "unparseable"  # only a weekday, a time or a zone: no day to report
    return None


def _from_date_match(text: str, m: re.Match[str]) -> _Found:
    """Turn a ``_DATE_RE`` match, plus the clock time and zone around it, into a value."""
    if m["iy"]:
        year, month, day = int(m["iy"]), int(m["im"]), int(m["id"])
        if m["ih"]:
            clock = _clock(int(m["ih"]), int(m["imi"]), m["is"], None)
            return _combine(date(year, month, day), clock, _zone_at(text, m.end()))
    elif m["y"]:
        year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
    elif m["vy"]:
        year, month, day = int(m["vy"]), int(m["vm"]), int(m["vd"])
    elif m["ey"]:
        year, month, day = int(m["ey"]), _EN_MONTHS[m["em"][:3]], int(m["ed"])
    else:
        year, month, day = int(m["fy"]), _EN_MONTHS[m["fm"][:3]], int(m["fd"])
    return _assemble(text, year, month, day, m.start(), m.end())


def _assemble(text: str, year: int, month: int, day: int, start: int, end: int) -> _Found:
    """A calendar day plus the clock time written next to it, if any, and its zone."""
    try:
        the_day = date(year, month, day)
    except ValueError as exc:
        raise _Invalid(str(exc)) from exc
    t = _adjacent_time(text, start, end)
    if t is None:
        return the_day, "day"
    clock = _clock_from_match(t)
    return _combine(the_day, clock, _zone_at(text, max(end, t.end())))


def _adjacent_time(text: str, start: int, end: int) -> re.Match[str] | None:
    """The clock time right after the date, else right before it (only a short gap between)."""
    after = _TIME_RE.search(text, end, end + _WINDOW)
    if after is not None and _GAP_RE.fullmatch(text, end, after.start()):
        return after
    befores = list(_TIME_RE.finditer(text, max(0, start - _WINDOW), start))
    if befores and _GAP_RE.fullmatch(text, befores[-1].end(), start):
        return befores[-1]
    return None


def _clock_from_match(t: re.Match[str]) -> tuple[int, int, int | None]:
    minute = t["mi"] or t["mi2"] or "0"
    return _clock(int(t["h"]), int(minute), t["s"], t["ap"])


def _clock(
    hour: int, minute: int, second: str | None, ampm: str | None
) -> tuple[int, int, int | None]:
    """Validate a clock time, applying AM/PM or a Vietnamese part of the day."""
    if ampm:
        ampm = ampm.replace(".", "")
        if ampm in ("am", "sa"):
            if hour > 12:
                raise _Invalid(f"{hour} AM")
            hour %= 12
        elif ampm in ("pm", "ch", "chiều", "tối"):
            if 1 <= hour < 12:
                hour += 12
        elif ampm == "trưa":  # noon: "1 giờ trưa" is 13:00, "11 giờ trưa" is 11:00
            if 1 <= hour < 11:
                hour += 12
        elif ampm == "đêm":  # night: "10 giờ đêm" is 22:00, "12 giờ đêm" midnight, "2 giờ đêm" 2:00
            if hour == 12:
                hour = 0
            elif 7 <= hour < 12:
                hour += 12
    sec = int(second) if second is not None else None
    if hour > 23 or minute > 59 or (sec is not None and sec > 59):
        raise _Invalid(f"{hour}:{minute}:{sec}")
    return hour, minute, sec


def _zone_at(text: str, pos: int) -> timezone | None:
    """An explicit zone written at ``pos`` (after the time or date), or ``None`` for local."""
    z = _ZONE_RE.match(text, pos)
    if z is None:
        return None
    if z["name"]:
        minutes = _ZONE_NAMES[z["name"]]
        if z["sg"]:
            minutes = int(z["zh"]) * 60 + int(z["zm"] or 0)
            if z["sg"] != "+":
                minutes = -minutes
    else:
        minutes = int(z["zh2"]) * 60 + int(z["zm2"])
        if z["sg2"] != "+":
            minutes = -minutes
    if abs(minutes) > 14 * 60:
        raise _Invalid(f"offset {minutes} min")
    return timezone(timedelta(minutes=minutes))


def _combine(the_day: date, clock: tuple[int, int, int | None], zone: timezone | None) -> _Found:
    hour, minute, second = clock
    written = datetime.combine(the_day, time(hour, minute, second or 0), tzinfo=zone or VN_TZ)
    value = written.astimezone(VN_TZ)
    return value, "minute" if second is None else "second"


def _from_relative(spec: str, now: datetime) -> _Found | str:
    """Resolve "1 giờ 30 phút trước" etc.: the precision is that of the finest unit written."""
    delta: dict[str, int] = {}
    precision = "year"
    for number, unit in _REL_PART_RE.findall(spec):
        field, mult, prec = _REL_STEP[unit]
        delta[field] = delta.get(field, 0) + int(number) * mult
        if _PRECISION_RANK[prec] < _PRECISION_RANK[precision]:
            precision = prec
    if precision in ("month", "year"):
        return "unparseable"  # "15 tháng trước" names no day: do not make one up
    value = now - relativedelta(**delta)  # type: ignore[arg-type]
    return (value.date(), "day") if precision == "day" else (value, precision)


def _from_dayword(text: str, m: re.Match[str], now: datetime) -> _Found:
    """Resolve "hôm nay 08:30", "Hôm qua", "hôm kia", "vừa xong" ("ngày mai" is future)."""
    if m["rel"]:
        the_day = now.date() - timedelta(days=_DAYWORD_OFFSET[m["rel"]])
    elif m["tmr"]:
        the_day = now.date() + timedelta(days=1)
    else:  # "vừa xong": just now
        return now, "minute"
    t = _adjacent_time(text, m.start(), m.end())
    if t is None:
        return the_day, "day"
    return _combine(the_day, _clock_from_match(t), _zone_at(text, max(m.end(), t.end())))


# --- dateparser fallback ---------------------------------------------------------------------

_DATEPARSER_SETTINGS: dict[str, Any] = {
    "DATE_ORDER": "DMY",
    "STRICT_DATE_ORDER": "all",  # never swap day and month to make a date fit
    "TIMEZONE": "Asia/Ho_Chi_Minh",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "PREFER_DATES_FROM": "past",
    "RETURN_TIME_AS_PERIOD": True,  # tells a written time from a filled-in midnight
    "IGNORE_SURROUNDING_TEXT": True,  # labels such as "Cập nhật:"
}


@lru_cache(maxsize=32)
def _parser_for(base: datetime, relative: bool = False) -> DateDataParser:
    """One parser per relative base and kind (the crawl reuses a fetch time for a whole page).

    dateparser reads RELATIVE_BASE from the parser's settings, so a parser is tied to a base.
    Its expensive part (locale data, ~100 ms) is loaded once per process and shared by all
    parsers; building one more costs ~20 µs. Absolute and relative readings are separate
    parsers so that a relative reading is only tried where a relative marker is written.
    """
    from dateparser.date import DateDataParser  # imported lazily: it is slow to import

    settings = {
        **_DATEPARSER_SETTINGS,
        "RELATIVE_BASE": base,
        "PARSERS": ["relative-time"] if relative else ["absolute-time"],
    }
    return DateDataParser(languages=["vi", "en"], settings=settings)


def _with_dateparser(raw: str, text: str, now: datetime, default_year: int | None) -> _Found | str:
    """The slow path for the shapes the regexes do not know ("Tháng Mười Hai 29, 2013")."""
    source = " ".join(_INVISIBLE_RE.sub("", unicodedata.normalize("NFC", raw[:MAX_INPUT])).split())
    base = now.replace(tzinfo=None)
    kinds = (True, False) if _REL_MARKER_RE.search(text) else (False,)
    try:
        for relative in kinds:  # no "timestamp" parser: a 10-digit id is not a date
            data = _parser_for(base, relative).get_date_data(source)
            if data.date_obj is not None:
                break
    except Exception:  # a third-party parser must not crash the crawl
        return "unparseable"
    value = data.date_obj
    if value is None:
        return "unparseable"
    value = value.astimezone(VN_TZ) if value.tzinfo else value.replace(tzinfo=VN_TZ)
    parts = set(data.parts or ())
    if value.date() > now.date():
        return "future"
    if data.period not in ("day", "time", "part_of_day") or not {"day", "month"} <= parts:
        return "unparseable"  # a week, a month or a year is not a day
    if "year" not in parts:
        if default_year is None:
            return "unparseable"
        try:
            value = value.replace(year=default_year)
        except ValueError as exc:  # 29 February
            raise _Invalid(str(exc)) from exc
    if data.period == "time":
        return value, "second" if _SECONDS_RE.search(text) else "minute"
    return value.date(), "day"
