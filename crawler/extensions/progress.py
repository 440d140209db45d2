"""Progress lines an operator can follow: a first one within seconds, then one per interval.

Each line gives the counts, the rate since the last line (pages/min), what is queued in the
scheduler and in the downloader (what is left, as far as the crawl knows yet), and the dead
links met (404/410, crawler.discovery.gone). A summary line when a site ends.
"""

from __future__ import annotations

import logging
import time

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.extensions.health import WATCHED_FIELDS, field_counts

logger = logging.getLogger("crawler.extensions.progress")


def _line(stats: dict) -> str:
    errors = stats.get("fetch/errors", 0) + stats.get("extract/errors", 0)
    dropped = sum(v for k, v in stats.items() if k.startswith("dropped/"))
    return (
        f"pages {stats.get('response_received_count', 0)}, "
        f"new articles {stats.get('store/new', 0)}, "
        f"updated {stats.get('store/updated', 0)}, "
        f"duplicates {stats.get('store/duplicate', 0)}, "
        f"known skipped {stats.get('discovery/known_articles', 0)}, "
        f"dropped {dropped}, gone {stats.get('fetch/gone', 0)}, errors {errors}"
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
    def __init__(self, crawler: Crawler, interval: float, first: float):
        self.crawler = crawler
        self.interval = interval
        self.first = min(first, interval)
        self.loop: task.LoopingCall | None = None
        self.pending = None
        self.last = (time.monotonic(), 0)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 60.0)
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval, crawler.settings.getfloat("PROGRESS_FIRST", 5.0))

    def spider_opened(self, spider: Spider) -> None:
        from twisted.internet import reactor  # the one Scrapy installed

        self.last = (time.monotonic(), 0)
        self.loop = task.LoopingCall(self.log, spider)
        # the first line soon after the start, then one per interval
        self.pending = reactor.callLater(self.first, self.loop.start, self.interval, now=True)

    def _left(self) -> str:
        engine = self.crawler.engine
        queued = downloading = 0
        if engine is not None:
            scheduler = getattr(engine, "_slot", None) or getattr(engine, "slot", None)
            scheduler = getattr(scheduler, "scheduler", None)
            if scheduler is not None and hasattr(scheduler, "__len__"):
                queued = len(scheduler)
            downloading = len(getattr(engine.downloader, "active", ()))
        return f"left: {queued} queued, {downloading} downloading"

    def log(self, spider: Spider) -> None:
        stats = self.crawler.stats.get_stats()
        now, pages = time.monotonic(), stats.get("response_received_count", 0)
        minutes = max(now - self.last[0], 1e-6) / 60
        rate = (pages - self.last[1]) / minutes
        self.last = (now, pages)
        logger.info(
            "%s progress: %s; %.0f pages/min; %s", spider.name, _line(stats), rate, self._left()
        )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.pending is not None and self.pending.active():
            self.pending.cancel()
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        stats = self.crawler.stats.get_stats()
        logger.info("%s summary (%s): %s; %s", spider.name, reason, _line(stats), _fields(stats))
