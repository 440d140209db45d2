"""The publication date, decided in extraction from the page's candidates and the fetch time.

Candidates arrive best source first (API timestamp, the profile's date line, JSON-LD, meta
tags, <time> markup, a generic date line, URL or image path). The first one that parses to a
plausible date wins (crawler.extraction.dates: a regex search, microseconds; dateparser set up
once for the rest); a later candidate of the same day with a finer precision gives the time; sources
naming another day are recorded in `date_conflicts`. Pure: the fetch time is an argument, and
dates after the fetch day are refused ("future").
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from crawler.extraction.dates import MAX_INPUT, VN_TZ, ParsedDate, parse_date
from crawler.text.normalise import strip_controls

YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# Sources that may be the portal's clock ("Thứ Hai, 23/11/2026" in the header) rather than the
# story's: a date-only value on the fetch day from them is refused.
LOW_TRUST = {"trafilatura", "dateline"}
PRECISION = {"day": 0, "minute": 1, "second": 2}


def local_day(moment: datetime) -> str:
    return moment.astimezone(VN_TZ).date().isoformat()


def _reject_clock(source: str, date: ParsedDate, fetched_at: datetime) -> ParsedDate:
    if (
        source in LOW_TRUST
        and date.value
        and date.precision == "day"
        and date.value[:10] == local_day(fetched_at)
    ):
        return replace(date, value=None, precision=None, error="site_clock")
    return date


def decide_date(candidates: list[tuple[str, str]], fetched_at: datetime) -> dict[str, Any]:
    """published_at (+07:00; a bare date at day precision), its precision, raw text, source,
    error (why there is none) and conflicts, from the candidates of one page."""
    # Untrusted text, bounded work: parse_date reads the first MAX_INPUT characters only.
    candidates = [(str(s), strip_controls(str(raw)[:MAX_INPUT])) for s, raw in candidates]
    years = [int(m.group()) for _, raw in candidates for m in [YEAR.search(raw)] if m]
    default_year = years[0] if years else None
    parsed = [
        (
            source,
            _reject_clock(
                source,
                parse_date(raw, fetched_at=fetched_at, default_year=default_year),
                fetched_at,
            ),
        )
        for source, raw in candidates
    ]
    best = next(((s, p) for s, p in parsed if p.value), None)
    if best is None:
        return {
            "published_at": None,
            "date_precision": None,
            "published_raw": candidates[0][1] if candidates else None,
            "date_error": parsed[0][1].error if parsed else "missing",
            "date_source": None,
            "date_conflicts": [],
        }
    source, date = best
    for other_source, other in parsed:  # the same day, told to the minute by another source
        if (
            other.value
            and other.value[:10] == date.value[:10]
            and PRECISION.get(other.precision or "", 0) > PRECISION.get(date.precision or "", 0)
        ):
            source, date = other_source, other
            break
    conflicts = [
        {"source": s, "value": p.value}
        for s, p in parsed
        if p.value and p.value[:10] != date.value[:10]
    ]
    return {
        "published_at": date.value,
        "date_precision": date.precision,
        "published_raw": date.raw,
        "date_error": None,
        "date_source": source,
        "date_conflicts": conflicts,
    }


def apply_date(item: dict[str, Any], fetched_at: str | datetime) -> dict[str, Any]:
    """Decide the item's date from its `date_candidates` and write the date fields into it."""
    moment = datetime.fromisoformat(fetched_at) if isinstance(fetched_at, str) else fetched_at
    decided = decide_date(item.get("date_candidates") or [], moment)
    source = decided.pop("date_source")
    item.update(decided)
    if source:
        item.setdefault("methods", {})["published_at"] = source
    elif decided["date_error"]:
        item.setdefault("rejections", []).append(f"date:{decided['date_error']}")
    return item
