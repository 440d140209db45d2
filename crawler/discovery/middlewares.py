"""Downloader middlewares that keep the crawl on the site's hosts and report where it is sent."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import IgnoreRequest

from crawler.discovery.safety import redirect_target

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}


class OffsiteRedirect(IgnoreRequest):
    """A redirect out of the site's hosts (another host, a subdomain the registry does not
    list, another port, another scheme): refused, counted, reported."""


def redirect_refusal(location: str, hosts: tuple[str, ...], port: int | None = None) -> str | None:
    """Why a redirect to `location` leaves the site ("host", "port", "scheme"), None if not.

    Only the registry's hosts, exactly (not their subdomains: `internal.baoquocte.vn` is not
    baoquocte.vn), on the scheme's default port (or the port the site's root names)."""
    parts = urlsplit(location)
    if parts.scheme not in DEFAULT_PORTS:
        return "scheme"
    if (parts.hostname or "").lower().rstrip(".") not in hosts:
        return "host"
    try:
        target_port = parts.port
    except ValueError:
        return "port"
    if target_port not in (None, DEFAULT_PORTS[parts.scheme], port):
        return "port"
    return None


class HostWatchMiddleware:
    """Refuse and report redirects that leave the site's hosts (vinhphuc.gov.vn → phutho.gov.vn,
    baoquocte.vn → baoquocte.vn:6379 or internal.baoquocte.vn).

    Sits before RedirectMiddleware, so it sees the raw 3xx, and raises OffsiteRedirect before
    it is followed (Scrapy's offsite filter lets subdomains and other ports through). Stats:
    `fetch/redirect_refused/<host|port|scheme>`, `site/redirect_offsite/<netloc>`.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.logged: set[str] = set()
        self.enabled = crawler.settings.getbool("REDIRECT_ENABLED")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostWatchMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        site = getattr(self.crawler.spider, "site", None)
        location = redirect_target(request, response)
        if site is None or not self.enabled or location is None:
            return response
        why = redirect_refusal(location, site.hosts, site.root_port)
        if why is None:
            return response
        netloc = urlsplit(location).netloc.lower() or location[:60]
        self.stats.inc_value("fetch/redirect_refused")
        self.stats.inc_value(f"fetch/redirect_refused/{why}")
        self.stats.inc_value("site/redirect_offsite")
        self.stats.inc_value(f"site/redirect_offsite/{netloc}")
        if netloc not in self.logged:
            self.logged.add(netloc)
            logger.warning(
                "%s redirects to another host: %s -> %s (%s: not followed)",
                self.crawler.spider.name,
                request.url,
                location,
                why,
            )
        raise OffsiteRedirect(f"redirect off the site's hosts ({why}): {location}")


class HostBoundsMiddleware:
    """Refuse any request off the site's hosts and default ports before it is sent (a meta
    refresh to `baoquocte.vn:6379`, a sitemap entry on another host): the same bounds as
    redirects. First among the downloader middlewares, so that not even robots.txt is asked
    of such a host. Stat `fetch/offsite_refused/<host|port|scheme>`."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostBoundsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        site = getattr(self.crawler.spider, "site", None)
        if site is None:
            return
        why = redirect_refusal(request.url, site.hosts, site.root_port)
        if why is None:
            return
        netloc = urlsplit(request.url).netloc.lower()
        self.stats.inc_value("fetch/offsite_refused")
        self.stats.inc_value(f"fetch/offsite_refused/{why}")
        if netloc not in self.logged:
            self.logged.add(netloc)
            logger.warning("request off the site's hosts (%s), not sent: %s", why, request.url)
        raise OffsiteRedirect(f"request off the site's hosts ({why}): {request.url}")


# Scrapy reads a refresh in the first 4,096 characters: at most 4 bytes a character in UTF-8.
REFRESH_HEAD_BYTES = 4 * 4096


class CheapMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware, without decoding pages that cannot hold a refresh: it
    decodes every HTML response in the crawl process to look for one, where the article pages
    are otherwise decoded only by their extraction worker. A head of bytes without the word
    (in an ASCII-compatible encoding: a NUL byte, UTF-16 or 32, goes to Scrapy) has none."""

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        head = response.body[:REFRESH_HEAD_BYTES]
        if b"\x00" not in head and b"refresh" not in head.lower():  # ASCII case, as Scrapy's
            return response
        return super().process_response(request, response)

