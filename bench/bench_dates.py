"""Speed and accuracy of crawler.extraction.dates.parse_date against plain dateparser.

Run from the repository root: ``python -m bench.bench_dates`` (about 10-20 s).

The strings are a mix as these sites print them, weighted to the common shapes (MasterCMS
"HH:MM | dd/mm/yyyy", portal "dd/mm/yyyy HH:MM", ISO from the SharePoint API), with a few rare
ones and rejections. Expected values follow our rules (day first, +07:00, day precision for a
day). dateparser is scored generously: its datetime is compared at the expected precision
(only the day for a day, a naive result is taken as local time), and ``None`` is right where
we expect a rejection.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import dateparser

from crawler.extraction.dates import parse_date, warm_up

FETCHED = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 15:00 local, Monday
VN = timezone(timedelta(hours=7))
BASE = FETCHED.astimezone(VN).replace(tzinfo=None)

# (raw, default_year, expected value or None)
MIX: list[tuple[str, int | None, str | None]] = [
    # MasterCMS magazines: the most common shape
    ("08:00 | 05/12/2022", None, "2022-12-05T08:00:00+07:00"),
    ("10:15 | 23/01/2023 GMT+7", None, "2023-01-23T10:15:00+07:00"),
    ("16:42 | 14/11/2026", None, "2026-11-14T16:42:00+07:00"),
    ("07:05 | 01/03/2024 GMT+7", None, "2024-03-01T07:05:00+07:00"),
    ("21:30 | 30/06/2025", None, "2025-06-30T21:30:00+07:00"),
    ("09:12 | 02/11/2026 GMT+7", None, "2026-11-02T09:12:00+07:00"),
    ("13:00 | 12/01/2023", None, "2023-01-12T13:00:00+07:00"),
    ("11:45 | 08/08/2024 GMT+7", None, "2024-08-08T11:45:00+07:00"),
    ("Minh Anh 23/01/2023 07:12 | Hữu nghị", None, "2023-01-23T07:12:00+07:00"),
    ("Thu Trang 05/12/2022 16:40 | Thời sự", None, "2022-12-05T16:40:00+07:00"),
    ("Hà Phương 11/10/2025 08:05 | Ngoại giao", None, "2025-10-11T08:05:00+07:00"),
    # provincial portals
    ("05/12/2022 10:00", None, "2022-12-05T10:00:00+07:00"),
    ("13/04/2021 08:30", None, "2021-04-13T08:30:00+07:00"),
    ("02/07/2025 14:20", None, "2025-07-02T14:20:00+07:00"),
    ("19/11/2026 09:00", None, "2026-11-19T09:00:00+07:00"),
    ("01/02/2024 07:45", None, "2024-02-01T07:45:00+07:00"),
    ("05/12/2022", None, "2022-12-05"),
    ("13/04/2021", None, "2021-04-13"),
    ("02/07/2025", None, "2025-07-02"),
    ("11/06/2024", None, "2024-06-11"),
    ("14:30 05/12/2022", None, "2022-12-05T14:30:00+07:00"),
    ("07h12 23/01/2023", None, "2023-01-23T07:12:00+07:00"),
    # ISO: the SharePoint API, meta tags
    ("2021-04-13T08:30:00", None, "2021-04-13T08:30:00+07:00"),
    ("2025-06-30T17:02:11", None, "2025-06-30T17:02:11+07:00"),
    ("2024-01-05T09:00:00", None, "2024-01-05T09:00:00+07:00"),
    ("2022-12-05T03:00:00Z", None, "2022-12-05T10:00:00+07:00"),
    ("2023-01-23T07:12:00+07:00", None, "2023-01-23T07:12:00+07:00"),
    ("2021-04-13", None, "2021-04-13"),
    # weekdays, labels, Vietnamese words
    ("Thứ Hai, 23/01/2023 - 07:12", None, "2023-01-23T07:12:00+07:00"),
    ("Thứ Sáu, 14/11/2026 - 20:15", None, "2026-11-14T20:15:00+07:00"),
    ("Chủ nhật, 04/12/2022", None, "2022-12-04"),
    ("Cập nhật: 14:30, 05/12/2022", None, "2022-12-05T14:30:00+07:00"),
    ("Ngày đăng: 05/12/2022", None, "2022-12-05"),
    ("Ngày: 05/12/2022 | Lượt xem: 1234", None, "2022-12-05"),
    ("ngày 23 tháng 1 năm 2023", None, "2023-01-23"),
    ("23 tháng 01, 2023", None, "2023-01-23"),
    # RSS
    ("Mon, 05 Dec 2022 03:00:00 GMT", None, "2022-12-05T10:00:00+07:00"),
    ("Fri, 14 Nov 2026 01:15:00 +0000", None, "2026-11-14T08:15:00+07:00"),
    ("Sat, 15 Nov 2026 09:00:00 +0700", None, "2026-11-15T09:00:00+07:00"),
    # relative
    ("2 giờ trước", None, "2026-11-23T13:00:00+07:00"),
    ("5 phút trước", None, "2026-11-23T14:55:00+07:00"),
    ("hôm qua", None, "2026-11-22"),
    ("Hôm nay 08:30", None, "2026-11-23T08:30:00+07:00"),
    ("3 ngày trước", None, "2026-11-20"),
    # rare, for the slow path, and running text
    ("Tháng Mười Hai 29, 2013, 14:14", None, "2013-12-29T14:14:00+07:00"),
    ("05/12/22", None, "2022-12-05"),
    ("Chiều 13/4", 2023, "2023-04-13"),
    # rejections
    ("31/02/2022", None, None),
    ("Xin chờ trong giây lát...", None, None),
    ("24/12/2026", None, None),
]

TUNED = {
    "DATE_ORDER": "DMY",
    "TIMEZONE": "Asia/Ho_Chi_Minh",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "PREFER_DATES_FROM": "past",
    "RELATIVE_BASE": BASE,
}


def ours(raw: str, year: int | None) -> str | None:
    return parse_date(raw, fetched_at=FETCHED, default_year=year).value


def dp_tuned(raw: str, year: int | None) -> datetime | None:
    return dateparser.parse(raw, languages=["vi"], settings=TUNED)


def dp_defaults(raw: str, year: int | None) -> datetime | None:
    # Defaults, plus the fetch time as RELATIVE_BASE so that relative strings can be scored.
    return dateparser.parse(raw, settings={"RELATIVE_BASE": BASE})


def as_ours(got: datetime | None, expected: str | None) -> str | None:
    """Render a dateparser datetime at the precision of the expected value."""
    if got is None or expected is None:
        return None if got is None else got.isoformat()
    local = got.astimezone(VN) if got.tzinfo else got.replace(tzinfo=VN)
    if "T" not in expected:
        return local.date().isoformat()
    return local.replace(microsecond=0).isoformat()


def score(fn: Callable[[str, int | None], object]) -> tuple[int, list[str]]:
    misses = []
    for raw, year, expected in MIX:
        got = fn(raw, year)
        rendered = got if isinstance(got, str) or got is None else None
        if isinstance(got, datetime):
            rendered = as_ours(got, expected)
        if rendered != expected:
            misses.append(f"{raw!r} -> {rendered!r} (expected {expected!r})")
    return len(MIX) - len(misses), misses


Case = tuple[str, int | None, str | None]


def rate(fn: Callable[[str, int | None], object], cases: list[Case], min_seconds: float) -> float:
    """Dates per second over whole passes of ``cases``, after one warm-up pass."""
    for raw, year, _ in cases:
        fn(raw, year)
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < min_seconds:
        for raw, year, _ in cases:
            fn(raw, year)
        done += len(cases)
    return done / elapsed


def main() -> None:
    t0 = time.perf_counter()
    warm_up()
    print(f"{len(MIX)} date strings; fetched_at {FETCHED.isoformat()} (15:00 local)")
    slow = [
        c for c in MIX if parse_date(c[0], fetched_at=FETCHED, default_year=c[1]).method != "fast"
    ]
    print(
        f"parse_date: {len(MIX) - len(slow)} strings on the regex path, {len(slow)} via dateparser"
    )

    ours_rate = rate(ours, MIX, 2.0)
    fast_rate = rate(ours, [c for c in MIX if c not in slow], 1.0)
    tuned_rate = rate(dp_tuned, MIX, 4.0)
    print(f"parse_date, whole mix             : {ours_rate:9,.0f} dates/s")
    print(f"parse_date, regex-path strings    : {fast_rate:9,.0f} dates/s")
    print(f"dateparser.parse (vi, DMY, tuned) : {tuned_rate:9,.0f} dates/s")
    print(f"speed-up on the mix               : {ours_rate / tuned_rate:9,.1f}x")

    rows = [
        ("parse_date", ours),
        ("dateparser.parse tuned", dp_tuned),
        ("dateparser.parse defaults", dp_defaults),
    ]
    for name, fn in rows:
        right, misses = score(fn)
        print(f"accuracy {name:26}: {right}/{len(MIX)} ({right / len(MIX):.0%})")
        for miss in misses:
            print(f"    miss: {miss}")
    print(f"(bench took {time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
