"""Dead links noted in the store (`gone_urls`) and skipped until their backoff ends
(crawler.discovery.gone says what a dead link is)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.discovery.gone import GoneBackoff, is_gone
from crawler.discovery.urls import clean_url
from crawler.extensions import distributed
from crawler.store import Store, StoreError

logger = logging.getLogger(__name__)


class GoneLinksMiddleware:
    """Downloader middleware: skip links in backoff, note the ones that answer 404/410.

    Only requests marked `meta["article"]` (article links) are concerned: a listing or entry
    point that answers 404 is a registry problem and stays an error.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.path = crawler.settings.get("SQLITE_PATH")
        if not self.path or not crawler.settings.getbool("RECORD_RUNS"):
            raise NotConfigured  # parse, check, shell: not a crawl
        if distributed.enabled(crawler.settings):
            raise NotConfigured  # distributed workers write no SQLite (dead links: plain 404s)
        self.base_days = crawler.settings.getfloat("GONE_BACKOFF_DAYS", 7.0)
        self.backoff: set[str] = set()
        self.gone: dict[str, int] = {}
        self.back: set[str] = set()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GoneLinksMiddleware:
        return cls(crawler)

    def now(self) -> datetime:
        fixed = self.crawler.settings.get("FETCH_TIME")
        return datetime.fromisoformat(fixed).astimezone(UTC) if fixed else datetime.now(UTC)

    def spider_opened(self, spider: Spider) -> None:
        try:
            with Store(self.path) as store:
                self.backoff = store.gone_urls(spider.name, self.now().isoformat())
        except StoreError as exc:
            logger.error("%s", exc)

    def process_request(self, request: Request) -> None:
        if request.meta.get("article") and clean_url(request.url) in self.backoff:
            self.crawler.stats.inc_value("fetch/gone_skipped")
            raise GoneBackoff(f"{request.url} answered 404/410 before; its backoff has not ended")

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("article"):
            if is_gone(response.status):
                self.gone[clean_url(request.url)] = response.status
            elif response.status == 200:
                self.back.add(clean_url(request.url))
        return response

    def spider_closed(self, spider: Spider) -> None:
        if not self.gone and not self.back:
            return
        try:
            with Store(self.path) as store:
                store.record_gone(spider.name, self.gone, self.back, self.now(), self.base_days)
        except StoreError as exc:
            logger.error("%s", exc)
