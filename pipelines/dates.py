"""Count the publication date that extraction decided (crawler.extraction.dating).

The decision (candidates, fetch-time sanity checks, conflicts) is pure and lives in extraction;
this pipeline only counts it by source and by reason in the crawl stats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: the commands' workers import this module without Scrapy
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

from crawler.extraction.dates import MAX_INPUT
from crawler.extraction.dating import apply_date


def normalise_date(item: Any, stats: StatsCollector | None = None) -> Any:
    """Count the date extraction decided (decide it for items made before it did)."""
    if "date_error" not in item:
        apply_date(item, item["fetched_at"])
    long = sum(len(str(raw)) > MAX_INPUT for _, raw in item.get("date_candidates") or [])
    if long and stats:  # decided on their first MAX_INPUT characters only
        stats.inc_value("dates/long_input", long)
    if stats:
        if item.get("published_at"):
            stats.inc_value(f"dates/source/{item.get('methods', {}).get('published_at')}")
            if item.get("date_conflicts"):
                stats.inc_value("dates/conflicts")
        else:
            stats.inc_value(f"dates/rejected/{item.get('date_error')}")
    return item


class NormaliseDatePipeline:
    def __init__(self, stats: StatsCollector):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormaliseDatePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        return normalise_date(item, self.stats)
