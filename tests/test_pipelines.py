"""The normalising pipelines on items as extraction makes them (no network, no store)."""

from __future__ import annotations

import unicodedata

from pipelines.chain import normalise
from pipelines.dates import normalise_date
from pipelines.validate import rejection_reason

FETCHED = "2026-11-23T08:00:00+00:00"  # 15:00 in Hà Nội


def item(**fields):
    base = {"url": "https://baoquocte.vn/a-1.html", "title": "T", "text": "x" * 300}
    return {**base, "fetched_at": FETCHED, **fields}


def test_best_source_wins_and_disagreement_is_recorded():
    got = normalise_date(
        item(
            date_candidates=[
                ("api", "2021-04-13T17:45:00"),
                ("rule", "13/04/2021"),
                ("meta", "2021-04-14T01:00:00Z"),  # 08:00 on the 14th in Hà Nội
            ]
        )
    )
    assert got["published_at"] == "2021-04-13T17:45:00+07:00"
    assert got["date_precision"] == "second"
    assert got["methods"]["published_at"] == "api"
    assert got["date_conflicts"] == [{"source": "meta", "value": "2021-04-14T08:00:00+07:00"}]


def test_day_only_stays_a_day_and_the_raw_string_is_kept():
    got = normalise_date(item(date_candidates=[("rule", "Ngày đăng: 13/04/2021")]))
    assert (got["published_at"], got["date_precision"]) == ("2021-04-13", "day")
    assert got["published_raw"] == "Ngày đăng: 13/04/2021"


def test_impossible_dates_give_null_and_a_reason():
    for raw, reason in [
        ("31/02/2022", "invalid"),
        ("05/12/1990", "too_old"),
        ("24/11/2026 10:00", "future"),
        ("không rõ", "unparseable"),
    ]:
        got = normalise_date(item(date_candidates=[("rule", raw)]))
        assert got["published_at"] is None and got["date_error"] == reason, raw
        assert got["published_raw"] == raw


def test_no_candidate_is_missing():
    got = normalise_date(item(date_candidates=[]))
    assert got["published_at"] is None and got["date_error"] == "missing"


def test_a_guessed_date_on_the_fetch_day_is_the_site_clock():
    got = normalise_date(item(date_candidates=[("trafilatura", "2026-11-23")]))
    assert got["published_at"] is None and got["date_error"] == "site_clock"
    # ... but the page's own date line on the fetch day is believed.
    got = normalise_date(item(date_candidates=[("rule", "08:30 | 23/11/2026")]))
    assert got["published_at"] == "2026-11-23T08:30:00+07:00"


def test_text_is_nfc_whitespace_collapsed_and_paragraphs_kept():
    decomposed = unicodedata.normalize("NFD", "Đối ngoại  nhân\u00a0dân")
    got = normalise(
        item(title=decomposed, text=f"{decomposed}\n\n\n  Đoạn hai\u200b.  \n", date_candidates=[])
    )
    assert got["title"] == "Đối ngoại nhân dân"
    assert unicodedata.is_normalized("NFC", got["text"])
    assert got["text"] == "Đối ngoại nhân dân\n\nĐoạn hai."
    assert got["rejected"] == "text_too_short"


def test_validation_reasons():
    assert rejection_reason(item(title="  ")) == "no_title"
    assert rejection_reason(item(text="")) == "no_text"
    assert rejection_reason(item(text="ngắn")) == "text_too_short"
    assert rejection_reason(item()) is None
