"""One INFO line per interval that an operator can follow, and a summary when a site ends."""

from __future__ import annotations

import logging

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.health import WATCHED_FIELDS, field_counts

logger = logging.getLogger("crawler.progress")


def _line(stats: dict) -> str:
    errors = stats.get("fetch/errors", 0) + stats.get("extract/errors", 0)
    dropped = sum(v for k, v in stats.items() if k.startswith("dropped/"))
    return (
        f"pages {stats.get('response_received_count', 0)}, "
        f"new articles {stats.get('store/new', 0)}, "
        f"updated {stats.get('store/updated', 0)}, "
        f"duplicates {stats.get('store/duplicate', 0)}, "
        f"known skipped {stats.get('discovery/known_articles', 0)}, "
        f"dropped {dropped}, errors {errors}"
    )


def _fields(stats: dict) -> str:
    """How many articles took each field from the profile, and the rejections by reason."""
    shares = []
    for field in WATCHED_FIELDS:
        counts = field_counts(stats, field)
        share = f"{field} {counts['profile']}/{sum(counts.values())}"
        if repeated := stats.get(f"extract/repeated/{field}"):
            share += f" ({repeated} the same)"
        shares.append(share)
    rejected = sorted(
        (k.removeprefix("extract/rejected/"), v)
        for k, v in stats.items()
        if k.startswith("extract/rejected/")
    )
    line = f"from profile: {', '.join(shares)}"
    if rejected:
        line += "; rejected " + ", ".join(f"{reason} {n}" for reason, n in rejected)
    return line


class Progress:
    def __init__(self, crawler: Crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 60.0)
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def spider_opened(self, spider: Spider) -> None:
        self.loop = task.LoopingCall(self.log, spider)
        self.loop.start(self.interval, now=False)

    def log(self, spider: Spider) -> None:
        logger.info("%s progress: %s", spider.name, _line(self.crawler.stats.get_stats()))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        stats = self.crawler.stats.get_stats()
        logger.info("%s summary (%s): %s; %s", spider.name, reason, _line(stats), _fields(stats))
