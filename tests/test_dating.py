"""The publication date decided in extraction, against the injected fetch time."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.extraction.dating import decide_date

FETCHED = datetime(2026, 11, 23, 8, tzinfo=UTC)  # 15:00 in Hà Nội


def test_the_same_day_told_to_the_minute_by_another_source_gives_the_time():
    got = decide_date(
        [("rule", "Ngày đăng: 08/11/2023"), ("html", "2023-11-08T15:20:00+07:00")], FETCHED
    )
    assert got["published_at"] == "2023-11-08T15:20:00+07:00"
    assert got["date_source"] == "html" and got["date_conflicts"] == []


def test_another_day_is_a_conflict_not_a_replacement():
    got = decide_date([("rule", "12/03/2024"), ("meta", "2024-03-10T09:00:00+07:00")], FETCHED)
    assert got["published_at"] == "2024-03-12"
    assert got["date_conflicts"] == [{"source": "meta", "value": "2024-03-10T09:00:00+07:00"}]


def test_a_date_after_the_fetch_day_is_refused():
    got = decide_date([("rule", "25/11/2026 10:00")], FETCHED)
    assert got["published_at"] is None and got["date_error"] == "future"


def test_the_portal_clock_is_no_publication_date():
    """A generic date line that is the fetch day without a time: the header's clock."""
    got = decide_date([("dateline", "Thứ Hai, 23/11/2026")], FETCHED)
    assert got["published_at"] is None and got["date_error"] == "site_clock"
    timed = decide_date([("dateline", "23/11/2026 09:15")], FETCHED)
    assert timed["published_at"] == "2026-11-23T09:15:00+07:00"
