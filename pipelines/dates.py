"""Pick the publication date from the extracted candidates and normalise it.

Candidates arrive best source first (API timestamp, the page's date line, JSON-LD, meta tags,
URL or image path). The first one that parses to a plausible date wins; later sources that
name another day are recorded in `date_conflicts`, and every rejection is counted by reason.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.dates import local_day, parse_candidates

__all__ = ["NormaliseDatePipeline", "local_day", "normalise_date"]


def normalise_date(item: Any, stats: StatsCollector | None = None) -> Any:
    candidates: list[tuple[str, str]] = [tuple(c) for c in item.get("date_candidates") or []]
    parsed = parse_candidates(candidates, item["fetched_at"])
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
