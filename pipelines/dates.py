"""Pick the publication date from the extracted candidates and normalise it.

Candidates arrive best source first (API timestamp, the page's date line, JSON-LD, meta tags,
URL or image path). The first one that parses to a plausible date wins; later sources that
name another day are recorded in `date_conflicts`, and every rejection is counted by reason.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.dates import MAX_INPUT, VN_TZ, ParsedDate, parse_date
from crawler.textnorm import strip_controls

YEAR = re.compile(r"\b(?:19|20)\d\d\b")
LOW_TRUST = {"trafilatura"}


def _reject_clock(source: str, date: ParsedDate, fetched_at: datetime) -> ParsedDate:
    """A guessed date (trafilatura's) on the fetch day is the portal's clock, not the story's."""
    if source in LOW_TRUST and date.value and date.value[:10] == local_day(fetched_at):
        return replace(date, value=None, precision=None, error="site_clock")
    return date


def local_day(moment: datetime) -> str:
    return moment.astimezone(VN_TZ).date().isoformat()


def normalise_date(item: Any, stats: StatsCollector | None = None) -> Any:
    fetched_at = datetime.fromisoformat(item["fetched_at"])
    candidates: list[tuple[str, str]] = [tuple(c) for c in item.get("date_candidates") or []]
    long = sum(len(str(raw)) > MAX_INPUT for _, raw in candidates)
    if long and stats:  # parse_date reads the first MAX_INPUT characters only
        stats.inc_value("dates/long_input", long)
    candidates = [(source, strip_controls(str(raw)[:MAX_INPUT])) for source, raw in candidates]
    years = [int(m.group()) for _, raw in candidates for m in [YEAR.search(raw)] if m]
    default_year = years[0] if years else None
    parsed: list[tuple[str, ParsedDate]] = [
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
    item["date_conflicts"] = []
    if best is None:
        item["published_at"] = None
        item["date_precision"] = None
        item["published_raw"] = candidates[0][1] if candidates else None
        item["date_error"] = parsed[0][1].error if parsed else "missing"
        if stats:
            stats.inc_value(f"dates/rejected/{item['date_error']}")
        return item
    source, date = best
    item["published_at"] = date.value
    item["date_precision"] = date.precision
    item["published_raw"] = date.raw
    item["date_error"] = None
    item.setdefault("methods", {})["published_at"] = source
    for other_source, other in parsed:
        if other.value and other.value[:10] != date.value[:10]:
            item["date_conflicts"].append({"source": other_source, "value": other.value})
    if stats:
        stats.inc_value(f"dates/source/{source}")
        if item["date_conflicts"]:
            stats.inc_value("dates/conflicts")
    return item


class NormaliseDatePipeline:
    def __init__(self, stats: StatsCollector):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormaliseDatePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        return normalise_date(item, self.stats)
