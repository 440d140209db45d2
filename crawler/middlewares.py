"""Downloader middlewares that make a site's odd behaviour visible in stats and logs."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class HostWatchMiddleware:
    """Report redirects that leave the site's hosts (vinhphuc.gov.vn → phutho.gov.vn).

    Sits before RedirectMiddleware, so it sees the raw 3xx. The redirect itself is left to
    Scrapy (the offsite filter drops it when the target host is not the site's).
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostWatchMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        spider = self.crawler.spider
        if response.status in (301, 302, 303, 307, 308) and b"Location" in response.headers:
            location = urljoin(request.url, response.headers["Location"].decode("latin-1"))
            target = (urlsplit(location).hostname or "").lower()
            site = getattr(spider, "site", None)
            if site is not None and target and target not in site.hosts:
                self.stats.inc_value("site/redirect_offsite")
                self.stats.inc_value(f"site/redirect_offsite/{target}")
                if target not in self.logged:
                    self.logged.add(target)
                    logger.warning(
                        "%s redirects to another host: %s -> %s", spider.name, request.url, location
                    )
        return response
