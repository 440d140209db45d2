"""The crawl's stats collector (crawler.extensions.stats) keeps Scrapy's results."""

from __future__ import annotations

from scrapy import Spider
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.misc import load_object
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from crawler.extensions.stats import DirectStatsCollector


def _exercise(stats: MemoryStatsCollector, spider: Spider) -> dict:
    stats.open_spider()
    stats.inc_value("pages")
    stats.inc_value("pages", 2)
    stats.inc_value("from_ten", start=10)
    stats.max_value("peak", 3)
    stats.max_value("peak", 1)
    stats.min_value("low", 3)
    stats.min_value("low", 1)
    stats.set_value("reason", "finished")
    seen = {
        "pages": stats.get_value("pages"),
        "missing": stats.get_value("missing", "default"),
        "all": dict(stats.get_stats()),
    }
    stats.close_spider(reason="finished")
    seen["kept"] = dict(stats.spider_stats.get(spider.name, {}))
    return seen


def test_the_project_counts_with_the_direct_collector():
    settings = get_project_settings()
    assert load_object(settings["STATS_CLASS"]) is DirectStatsCollector


def test_the_direct_collector_gives_scrapy_s_results():
    results = []
    for cls in (MemoryStatsCollector, DirectStatsCollector):
        crawler = get_crawler(Spider, {"STATS_CLASS": f"{cls.__module__}.{cls.__qualname__}"})
        crawler.spider = Spider("site")
        assert type(crawler.stats) is cls
        results.append(_exercise(crawler.stats, crawler.spider))
    assert results[0] == results[1]
    assert results[1]["all"] == {
        "pages": 3, "from_ten": 11, "peak": 3, "low": 1, "reason": "finished"
    }
