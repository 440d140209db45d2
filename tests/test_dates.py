"""Table-driven tests of crawler.extraction.dates.parse_date.

Every case runs against one fixed fetch time, so nothing depends on the wall clock:
FETCHED = 2026-11-23T08:00:00Z = Monday 23 November 2026, 15:00 in Asia/Ho_Chi_Minh.
Cases marked "dateparser:" are the Vietnamese strings of dateparser's own test suite
(tests/test_languages.py, test_date_parser.py, test_freshness_date_parser.py, test_search.py),
with expectations adapted to our rules: day first, +07:00, day precision, no guessed parts.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.extraction.dates import ParsedDate, parse_date

FETCHED = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

M, S, D = "minute", "second", "day"


def ok(value: str, precision: str) -> tuple[str, str, None]:
    return value, precision, None


def err(code: str) -> tuple[None, None, str]:
    return None, None, code


# (raw, default_year, (value, precision, error))
CASES: list[tuple[str | None, int | None, tuple[str | None, str | None, str | None]]] = [
    # --- MasterCMS magazines (thoidai.com.vn, baoquocte.vn) ---------------------------------
    ("08:00 | 05/12/2022", None, ok("2022-12-05T08:00:00+07:00", M)),
    ("10:15 | 23/01/2023 GMT+7", None, ok("2023-01-23T10:15:00+07:00", M)),
    ("10:15 | 23/01/2023 (GMT+7)", None, ok("2023-01-23T10:15:00+07:00", M)),
    ("  10:15  |  23/01/2023  \n GMT+7 ", None, ok("2023-01-23T10:15:00+07:00", M)),
    ("Minh Anh 23/01/2023 07:12 | Hữu nghị", None, ok("2023-01-23T07:12:00+07:00", M)),
    ("Thu Trang 05/12/2022 16:40 | Thời sự", None, ok("2022-12-05T16:40:00+07:00", M)),
    ("Hà Phương/TGVN 05/12/2022 09:00 | Ngoại giao", None, ok("2022-12-05T09:00:00+07:00", M)),
    # --- provincial portals ------------------------------------------------------------------
    ("05/12/2022 10:00", None, ok("2022-12-05T10:00:00+07:00", M)),
    ("05/12/2022 10:00:45", None, ok("2022-12-05T10:00:45+07:00", S)),
    ("05/12/2022", None, ok("2022-12-05", D)),
    ("5/1/2023", None, ok("2023-01-05", D)),
    ("05-12-2022", None, ok("2022-12-05", D)),
    ("05.12.2022", None, ok("2022-12-05", D)),
    ("05.12.2022 08:30", None, ok("2022-12-05T08:30:00+07:00", M)),
    ("14:30 05/12/2022", None, ok("2022-12-05T14:30:00+07:00", M)),
    ("14:30, 05/12/2022", None, ok("2022-12-05T14:30:00+07:00", M)),
    ("07h12 23/01/2023", None, ok("2023-01-23T07:12:00+07:00", M)),
    ("23/01/2023 07h12", None, ok("2023-01-23T07:12:00+07:00", M)),
    ("12/01/2023", None, ok("2023-01-12", D)),  # day first, never 1 December
    ("01/12/2023", None, ok("2023-12-01", D)),
    ("29/02/2024", None, ok("2024-02-29", D)),
    ("Các tin đã đưa ngày: 13/04/2021", None, ok("2021-04-13", D)),
    # --- ISO (SharePoint CreatedDate, meta tags, JSON-LD) ----------------------------------
    ("2021-04-13", None, ok("2021-04-13", D)),
    ("2021-04-13T08:30:00", None, ok("2021-04-13T08:30:00+07:00", S)),
    ("2021-04-13T08:30", None, ok("2021-04-13T08:30:00+07:00", M)),
    ("2021-04-13 08:30:15", None, ok("2021-04-13T08:30:15+07:00", S)),
    ("2021-04-13T08:30:15.123", None, ok("2021-04-13T08:30:15+07:00", S)),
    ("2022-12-05T03:00:00Z", None, ok("2022-12-05T10:00:00+07:00", S)),
    ("2022-12-05T03:00:00.000Z", None, ok("2022-12-05T10:00:00+07:00", S)),
    ("2022-12-05T03:00:00+00:00", None, ok("2022-12-05T10:00:00+07:00", S)),
    ("2022-12-05T10:00:00+07:00", None, ok("2022-12-05T10:00:00+07:00", S)),
    ("2022-12-05T10:00:00+0700", None, ok("2022-12-05T10:00:00+07:00", S)),
    ("2022-12-05T20:00:00Z", None, ok("2022-12-06T03:00:00+07:00", S)),  # next local day
    ("2022-12-05T01:00:00-05:00", None, ok("2022-12-05T13:00:00+07:00", S)),
    ("2022/12/05", None, ok("2022-12-05", D)),
    ('<meta content="2023-01-23T07:12:00+07:00">', None, ok("2023-01-23T07:12:00+07:00", S)),
    # --- RSS (RFC 822) -----------------------------------------------------------------------
    ("Mon, 05 Dec 2022 03:00:00 GMT", None, ok("2022-12-05T10:00:00+07:00", S)),
    ("Mon, 05 Dec 2022 03:00:00 +0000", None, ok("2022-12-05T10:00:00+07:00", S)),
    ("Mon, 05 Dec 2022 10:00:00 +0700", None, ok("2022-12-05T10:00:00+07:00", S)),
    ("Mon, 5 Dec 2022 17:30:00 GMT", None, ok("2022-12-06T00:30:00+07:00", S)),
    ("Mon, 05 Dec 2022 03:00 UT", None, ok("2022-12-05T10:00:00+07:00", M)),
    ("Sun, 04 Dec 2022 22:00:00 EST", None, ok("2022-12-05T10:00:00+07:00", S)),
    ("5 December 2022", None, ok("2022-12-05", D)),
    ("December 5, 2022 10:00 AM", None, ok("2022-12-05T10:00:00+07:00", M)),
    ("Dec 5, 2022, 3:30 PM", None, ok("2022-12-05T15:30:00+07:00", M)),
    # --- labels and noise --------------------------------------------------------------------
    ("Cập nhật: 14:30, 05/12/2022", None, ok("2022-12-05T14:30:00+07:00", M)),
    ("Ngày đăng: 05/12/2022", None, ok("2022-12-05", D)),
    ("Đăng lúc 09:15 ngày 05/12/2022", None, ok("2022-12-05T09:15:00+07:00", M)),
    ("15h ngày 5/12/2022", None, ok("2022-12-05T15:00:00+07:00", M)),
    ("Tin 24h | 05/12/2022", None, ok("2022-12-05", D)),  # "24h" is no hour
    ("Ngày: 05/12/2022 | Lượt xem: 1234", None, ok("2022-12-05", D)),
    ("Thời gian: 10:00 - 05/12/2022", None, ok("2022-12-05T10:00:00+07:00", M)),
    ("Thứ Hai, 23/01/2023 - 07:12", None, ok("2023-01-23T07:12:00+07:00", M)),
    ("Thứ hai, 23/01/2023, 07:12 (GMT+7)", None, ok("2023-01-23T07:12:00+07:00", M)),
    ("Chủ nhật, 04/12/2022 20:05", None, ok("2022-12-04T20:05:00+07:00", M)),
    ("Chủ Nhật, 04/12/2022", None, ok("2022-12-04", D)),
    ("T2, 05/12/2022", None, ok("2022-12-05", D)),
    ("09:00 T2, 05/12/2022", None, ok("2022-12-05T09:00:00+07:00", M)),
    ("Thứ 2, 05/12/2022 - 09:00", None, ok("2022-12-05T09:00:00+07:00", M)),
    ("[05/12/2022 09:00]", None, ok("2022-12-05T09:00:00+07:00", M)),
    ("(05/12/2022)", None, ok("2022-12-05", D)),
    ("05/12/2022\xa0\xa010:00", None, ok("2022-12-05T10:00:00+07:00", M)),
    ("05/12/2022 – 10:00", None, ok("2022-12-05T10:00:00+07:00", M)),
    ("Cập nhật lúc 10 giờ 30 phút ngày 05/12/2022", None, ok("2022-12-05T10:30:00+07:00", M)),
    ("3 giờ chiều 05/12/2022", None, ok("2022-12-05T15:00:00+07:00", M)),
    ("08:30 PM 05/12/2022", None, ok("2022-12-05T20:30:00+07:00", M)),
    ("12:10 AM 05/12/2022", None, ok("2022-12-05T00:10:00+07:00", M)),
    ("05/12/2022 | 1 bình luận", None, ok("2022-12-05", D)),
    (unicodedata.normalize("NFD", "Cập nhật: ngày 23 tháng 1 năm 2023"), None, ok("2023-01-23", D)),
    ("Cập\u200b nhật: 05/12/2022", None, ok("2022-12-05", D)),
    # --- Vietnamese words --------------------------------------------------------------------
    ("ngày 23 tháng 1 năm 2023", None, ok("2023-01-23", D)),
    ("23 tháng 01, 2023", None, ok("2023-01-23", D)),
    ("Ngày 5 tháng 12 năm 2022 lúc 8:05", None, ok("2022-12-05T08:05:00+07:00", M)),
    ("Hà Nội, ngày 05 tháng 12 năm 2022", None, ok("2022-12-05", D)),
    # dateparser: test_languages.py (TestBundledLanguages / TestVietnameseZeroPaddedMonths)
    ("Thứ Năm, ngày 8 tháng 1 năm 2015", None, ok("2015-01-08", D)),
    ("Thứ Tư, 07/01/2015 | 22:34", None, ok("2015-01-07T22:34:00+07:00", M)),
    ("9 Tháng 1 2015 lúc 15:08", None, ok("2015-01-09T15:08:00+07:00", M)),
    ("21 tháng 09 năm 2025", None, ok("2025-09-21", D)),
    ("21 thg 09 năm 2025", None, ok("2025-09-21", D)),
    ("21tháng 09 năm 2025", None, ok("2025-09-21", D)),
    ("ngày 05 tháng 01 năm 2024 lúc 10:30", None, ok("2024-01-05T10:30:00+07:00", M)),
    ("ngày 05 tháng 03 năm 2024 lúc 10:30", None, ok("2024-03-05T10:30:00+07:00", M)),
    ("5 Tháng 01 2020", None, ok("2020-01-05", D)),
    ("Tháng 03 2024", None, err("unparseable")),  # a month, not a day
    ("Sinh ngày 3 thg 09 năm 1990, mất ngày 12 tháng 07 năm 2020.", None, err("too_old")),
    # dateparser: test_date_parser.py
    ("Tháng Mười Hai 29, 2013, 14:14", None, ok("2013-12-29T14:14:00+07:00", M)),
    ("05 Tháng một 2015 - 03:54 AM", None, ok("2015-01-05T03:54:00+07:00", M)),
    ("Thứ năm", None, err("unparseable")),  # a weekday alone names no day
    ("Thứ sáu", None, err("unparseable")),
    # dateparser: test_search.py
    ("06:22 thứ sáu ngày 19/03/2021", None, ok("2021-03-19T06:22:00+07:00", M)),
    ("Đặt hàng 25/12/2020, giao hàng 02/01/2021, nhận hàng 05/01/2021.", None, ok("2020-12-25", D)),
    ("Đặt hàng 12/25/2020, giao hàng 01/02/2021.", None, err("invalid")),  # MDY: never swapped
    (
        "Ý theo gương Đức, đã tiến hành xâm lược Ethiopia năm 1935 và sát nhập Albania vào "
        "ngày 12 tháng 4 năm 1939.",
        None,
        err("too_old"),
    ),
    ("1/1/1940. Vào tháng 8 năm 1940, với lực lượng lớn của Pháp", None, err("too_old")),
    # --- relative, against 2026-11-23 15:00 local --------------------------------------------
    ("2 giờ trước", None, ok("2026-11-23T13:00:00+07:00", M)),
    ("5 phút trước", None, ok("2026-11-23T14:55:00+07:00", M)),
    ("30 giây trước", None, ok("2026-11-23T14:59:30+07:00", S)),
    ("1 giờ 30 phút trước", None, ok("2026-11-23T13:30:00+07:00", M)),
    ("khoảng 1 tiếng trước", None, ok("2026-11-23T14:00:00+07:00", M)),
    ("Cập nhật 16 giờ trước", None, ok("2026-11-22T23:00:00+07:00", M)),
    ("3 ngày trước", None, ok("2026-11-20", D)),
    ("2 tuần trước", None, ok("2026-11-09", D)),
    ("1 ngày 2 giờ trước", None, ok("2026-11-22T13:00:00+07:00", M)),
    ("05/12/2022 | 2 giờ trước", None, ok("2022-12-05", D)),  # the date wins; no 02:00
    ("tuần trước", None, err("unparseable")),  # a week, not a day
    ("hôm qua", None, ok("2026-11-22", D)),
    ("Hôm qua lúc 21:45", None, ok("2026-11-22T21:45:00+07:00", M)),
    ("hôm nay 08:30", None, ok("2026-11-23T08:30:00+07:00", M)),
    ("08:30 hôm nay", None, ok("2026-11-23T08:30:00+07:00", M)),
    ("hôm kia", None, ok("2026-11-21", D)),
    ("vừa xong", None, ok("2026-11-23T15:00:00+07:00", M)),
    # dateparser: test_languages.py / test_freshness_date_parser.py
    ("21 giờ trước", None, ok("2026-11-22T18:00:00+07:00", M)),
    ("Hôm qua 08:16", None, ok("2026-11-22T08:16:00+07:00", M)),
    ("Hôm nay 15:39", None, ok("2026-11-23T15:39:00+07:00", M)),  # later today: clock skew
    ("Hôm nay", None, ok("2026-11-23", D)),
    ("Hôm qua", None, ok("2026-11-22", D)),
    ("23 ngày trước", None, ok("2026-10-31", D)),
    ("2 tuần 3 ngày", None, err("unparseable")),  # a bare duration: not read as ago
    ("còn 12 ngày", None, err("unparseable")),  # a countdown
    ("2 tuần 3 ngày trước", None, ok("2026-11-06", D)),
    ("cách đây 3 ngày", None, ok("2026-11-20", D)),
    ("Thứ năm tuần trước", None, ok("2026-11-19", D)),
    ("yesterday 10:00", None, ok("2026-11-22T10:00:00+07:00", M)),
    ("2 giờ", None, err("unparseable")),  # "2 o'clock" or "2 hours ago": not guessed
    ("15 tháng trước", None, err("unparseable")),  # months ago name no day
    ("sau 22 giờ nữa", None, err("future")),
    # forward phrases name an event to come, never a publication time
    ("2 ngày nữa", None, err("future")),
    ("3 ngày tới", None, err("future")),
    ("sau 2 ngày", None, err("future")),
    ("trong 3 ngày tới", None, err("future")),
    ("Khai mạc sau 2 ngày", None, err("future")),
    ("2 giờ nữa", None, err("future")),  # later on the fetch day: still no publication time
    ("3 tuần nữa", None, err("future")),
    ("2 ngày trước", None, ok("2026-11-21", D)),  # the past phrase is still read
    ("tuần sau", None, err("future")),
    # --- year-less dates: the year comes from the article ------------------------------------
    ("Chiều 13/4", 2023, ok("2023-04-13", D)),
    ("Chiều 13/4", None, err("unparseable")),
    ("Sáng 5/12, tại Hà Nội", 2022, ok("2022-12-05", D)),
    ("15:30 ngày 13/4", 2023, ok("2023-04-13T15:30:00+07:00", M)),
    ("ngày 13 tháng 4", 2023, ok("2023-04-13", D)),
    ("13 tháng Tư", 2023, ok("2023-04-13", D)),
    ("29/2", 2023, err("invalid")),
    ("13/4", 2027, err("future")),
    # --- rejections --------------------------------------------------------------------------
    (None, None, err("empty")),
    ("", None, err("empty")),
    ("   \n\t", None, err("empty")),
    ("31/02/2022", None, err("invalid")),
    ("30/02/2023 10:00", None, err("invalid")),
    ("29/02/2023", None, err("invalid")),
    ("32/01/2023", None, err("invalid")),
    ("05/13/2022", None, err("invalid")),
    ("05/12/2022 25:61", None, err("invalid")),
    ("25:61 | 05/12/2022", None, err("invalid")),
    ("2022-02-30T10:00:00", None, err("invalid")),
    ("2022-12-05T24:30:00", None, err("invalid")),
    ("24/11/2026", None, err("future")),  # the day after the fetch day
    ("2026-11-24T00:30:00+07:00", None, err("future")),
    ("2026-11-23T18:00:00Z", None, err("future")),  # 01:00 on 24 November, local
    ("ngày mai", None, err("future")),
    ("01/01/2099", None, err("future")),
    ("23/11/2026 23:59", None, ok("2026-11-23T23:59:00+07:00", M)),  # still the fetch day
    ("31/12/1994", None, err("too_old")),
    ("01/01/1995", None, ok("1995-01-01", D)),
    ("1900-01-01", None, err("too_old")),
    ("tháng 1/2023", None, err("unparseable")),  # month only: rejected, by design
    ("tháng 1 năm 2023", None, err("unparseable")),
    ("10:30", None, err("unparseable")),  # a time alone names no day
    ("08:00 GMT+7", None, err("unparseable")),
    ("12 AM", None, err("unparseable")),
    ("Thứ Hai, ngày", None, err("unparseable")),
    ("3 giờ chiều", None, err("unparseable")),
    ("xyz abc", None, err("unparseable")),
    ("Xin chờ trong giây lát...", None, err("unparseable")),
    ("Lượt xem: 1234", None, err("unparseable")),
    ("Trang 2", None, err("unparseable")),
    ("1234567890", None, err("unparseable")),
    ("|", None, err("unparseable")),
    ("Nguồn: Báo Quốc tế " * 20, None, err("unparseable")),
]


def _id(case: tuple[object, ...]) -> str:
    raw, year = case[0], case[1]
    return f"{raw!r}" + (f"+{year}" if year else "")


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_parse_date(
    case: tuple[str | None, int | None, tuple[str | None, str | None, str | None]],
) -> None:
    raw, default_year, (value, precision, error) = case
    got = parse_date(raw, fetched_at=FETCHED, default_year=default_year)
    assert (got.value, got.precision, got.error) == (value, precision, error)
    assert got.raw == (raw or "")
    if error == "empty":
        assert got.method is None
    else:
        assert got.method in ("fast", "dateparser")


def test_enough_cases() -> None:
    assert len(CASES) >= 90


FAST_SHAPES = [
    "08:00 | 05/12/2022",
    "08:00 | 05/12/2022 GMT+7",
    "05/12/2022 08:00",
    "05/12/2022 08:00:59",
    "05/12/2022",
    "5/1/2023",
    "05-12-2022",
    "05.12.2022",
    "08:00 05/12/2022",
    "08:00, 05/12/2022",
    "07h12 23/01/2023",
    "2022-12-05",
    "2022-12-05T08:00",
    "2022-12-05T08:00:00.123Z",
    "2022-12-05T08:00:00+07:00",
    "ngày 23 tháng 1 năm 2023",
    "23 tháng 01, 2023",
    "tháng 1/2023",
    "Thứ Hai, 23/01/2023 - 07:12",
    "Mon, 05 Dec 2022 03:00:00 GMT",
    "2 giờ trước",
    "hôm qua",
    "hôm nay 08:30",
]


@pytest.mark.parametrize("raw", FAST_SHAPES)
def test_common_shapes_take_the_fast_path(raw: str) -> None:
    assert parse_date(raw, fetched_at=FETCHED).method == "fast"


def test_result_is_frozen_and_keeps_raw() -> None:
    got = parse_date("Cập nhật: 14:30, 05/12/2022", fetched_at=FETCHED)
    assert isinstance(got, ParsedDate)
    assert got.raw == "Cập nhật: 14:30, 05/12/2022"
    with pytest.raises(AttributeError):
        got.value = "x"  # type: ignore[misc]


def test_fetched_at_in_any_zone_is_the_same_instant() -> None:
    """Relative dates resolve in local time whatever zone the fetch time is given in."""
    local = FETCHED.astimezone(timezone(timedelta(hours=7)))
    west = FETCHED.astimezone(timezone(timedelta(hours=-10)))  # still 22 November there
    for raw in ("hôm qua", "2 giờ trước", "23/11/2026"):
        expected = parse_date(raw, fetched_at=FETCHED)
        assert parse_date(raw, fetched_at=local) == expected
        assert parse_date(raw, fetched_at=west) == expected


def test_relative_dates_follow_the_fetch_time() -> None:
    """Near midnight local time, "hôm qua" moves with the fetch day (not UTC's day)."""
    late = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)  # 00:30 on 24 Nov, local
    assert parse_date("hôm qua", fetched_at=late).value == "2026-11-23"
    assert parse_date("24/11/2026", fetched_at=late).error is None


def test_naive_fetched_at_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_date("05/12/2022", fetched_at=datetime(2026, 11, 23, 15, 0))


def test_same_input_same_output() -> None:
    """The dateparser path is cached per fetch time; caching must not leak between bases."""
    other = FETCHED - timedelta(days=10)
    first = parse_date("Thứ năm tuần trước", fetched_at=FETCHED)
    assert first.method == "dateparser"
    assert parse_date("Thứ năm tuần trước", fetched_at=other).value == "2026-11-12"
    assert parse_date("Thứ năm tuần trước", fetched_at=FETCHED) == first
