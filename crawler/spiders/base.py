"""The one spider class behind every site: discovery driven by the site's registry entry.

Discovery starts from the site's root (home page), its section listings and their pagination,
feeds, sitemaps and JSON APIs, so the crawl keeps working when one deep URL moves. The spider
only discovers and fetches; `crawler.extraction` turns each article page into an item.
"""

from __future__ import annotations

import html
import itertools
import logging
import re
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import FormRequest, Request, Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from crawler.discovery.gone import GoneBackoff, is_gone
from crawler.discovery.known import KnownUrls
from crawler.discovery.middlewares import OffsiteRedirect
from crawler.discovery.safety import ForbiddenByRobots, count_decoding, xml_problem
from crawler.discovery.sharepoint_api import BadApiAnswer, api_records, api_text
from crawler.discovery.urls import clean_url
from crawler.extraction.pool import shared_pool
from crawler.items import ArticleItem
from crawler.registry import Site
from crawler.site_memory import CrawlMemory
from crawler.text.decoding import Decoded, response_headers

logger = logging.getLogger(__name__)

API_TEXT_FIELDS = ("Title", "DescriptionNews", "ContentNews", "CreatedDate")


class SpiderArgumentError(ValueError):
    """A `-a name=value` argument is wrong."""


def _positive_int(name: str, value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SpiderArgumentError(f"-a {name}={value!r}: expected a positive integer") from None
    if number < 1:
        raise SpiderArgumentError(f"-a {name}={value!r}: expected a positive integer")
    return number


class SiteSpider(scrapy.Spider):
    """Crawl one registry site. Arguments: `sections=a,b`, `max_pages=N`, `since`, `max_items`."""

    site: ClassVar[Site]
    ARGUMENTS: ClassVar[tuple[str, ...]] = ("sections", "max_pages", "since", "max_items")
    # passed by tools that run spiders, not by operators: Scrapyd's job id
    TOOL_ARGUMENTS: ClassVar[tuple[str, ...]] = ("_job",)

    @classmethod
    def check_arguments(cls, spargs: dict[str, Any]) -> None:
        """Raise SpiderArgumentError for an unknown `-a` name or a bad value (before a crawl)."""
        unknown = sorted(set(spargs) - set(cls.ARGUMENTS) - set(cls.TOOL_ARGUMENTS))
        if unknown:
            raise SpiderArgumentError(
                f"-a {unknown[0]}: unknown spider argument; known: {', '.join(cls.ARGUMENTS)}"
            )
        cls(**spargs)

    def __init__(
        self,
        sections: str | None = None,
        max_pages: str | int | None = None,
        since: str | None = None,
        max_items: str | int | None = None,
        **kwargs: Any,
    ):
        unknown = sorted(set(kwargs) - set(self.TOOL_ARGUMENTS) - {"name", "start_urls"})
        if unknown:
            raise SpiderArgumentError(
                f"-a {unknown[0]}: unknown spider argument; known: {', '.join(self.ARGUMENTS)}"
            )
        super().__init__(**kwargs)
        site = self.site
        self.sections: tuple[str, ...] = (
            tuple(s.strip().strip("/") for s in sections.split(",") if s.strip())
            if sections
            else site.sections
        )
        self.sections_given = sections is not None
        if sections is not None and not self.sections:
            raise SpiderArgumentError(f"-a sections={sections!r}: no section named")
        self.max_pages = _positive_int("max_pages", max_pages) if max_pages else site.max_pages
        self.allowed_domains = list(site.hosts)
        if site.download_delay is not None:
            self.download_delay = site.download_delay
        self.max_items = _positive_int("max_items", max_items) if max_items else None
        try:
            self.since: date | None = date.fromisoformat(since) if since else None
        except ValueError:
            raise SpiderArgumentError(f"-a since={since!r}: expected YYYY-MM-DD") from None
        self.passed_since: set[str] = set()  # sections whose listings reached `since`
        self.known: KnownUrls | None = None
        self.memory = CrawlMemory()
        self.revisit = timedelta(0)
        self.revisit_every = timedelta(0)
        self.stale_pages = 1
        self._warned: set[str] = set()
        self._items = 0
        self._in_flight = 0  # yielded and not yet dropped: counts towards max_items
        # Caps on what one discovery page may hand on (settings.py: DISCOVERY_MAX_*).
        self.max_links = 1000
        self.max_sitemap_locs = 50000
        self.listing_max_bytes = 2 << 20
        self.api_max_records = 1000

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if settings.getbool("INCREMENTAL", True):
            spider.known = KnownUrls(settings["SQLITE_PATH"])
        spider.revisit = timedelta(hours=settings.getfloat("REVISIT_HOURS", 48))
        spider.revisit_every = timedelta(hours=settings.getfloat("REVISIT_EVERY_HOURS", 6))
        spider.stale_pages = max(1, settings.getint("LISTING_STALE_PAGES", 1))
        spider.max_links = max(1, settings.getint("DISCOVERY_MAX_LINKS", spider.max_links))
        spider.max_sitemap_locs = max(
            1, settings.getint("DISCOVERY_MAX_SITEMAP_LOCS", spider.max_sitemap_locs)
        )
        spider.listing_max_bytes = max(
            1024, settings.getint("DISCOVERY_MAX_PAGE_BYTES", spider.listing_max_bytes)
        )
        spider.api_max_records = max(
            1, settings.getint("DISCOVERY_MAX_API_RECORDS", spider.api_max_records)
        )
        spider.extractor = shared_pool(settings)
        if settings.getbool("SITE_MEMORY", True):  # what the site repeats is chrome
            spider.memory = CrawlMemory.from_store(
                settings.get("SQLITE_PATH"), spider.site.name, publish=spider.extractor.share
            )
        crawler.signals.connect(spider._item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(spider._item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        return spider

    def _opened(self) -> None:
        """Name the profile and the fields it has rules for, for the crawl's verdict."""
        profile = self.site.profile
        rules = {"title": profile.title, "date": profile.date, "text": profile.body}
        rules["author"] = profile.author or (profile.author_in_date,)
        self.crawler.stats.set_value("extract/profile", f"{self.site.name} ({profile.name})")
        self.crawler.stats.set_value(
            "extract/profile_rules", ",".join(k for k, v in rules.items() if any(v))
        )

    def _item_dropped(self) -> None:
        self._in_flight -= 1

    def _item_scraped(self) -> None:
        self._items += 1
        if self.max_items and self._items == self.max_items:
            self.logger.info("max_items=%d reached: closing", self.max_items)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="max_items"))

    def _closed(self) -> None:
        if self.known is not None:
            self.known.close()

    def older_than_since(self, published: str | None, section: str | None) -> bool:
        """True (and the section stops paging) when a date is before `-a since`.

        Listings stop at their next page, the API at its next batch: articles arrive in
        publication order, newest first.
        """
        if not self.since or not published:
            return False
        try:
            day = date.fromisoformat(str(published)[:10])
        except ValueError:
            return False
        if day >= self.since:
            return False
        if section:
            self.passed_since.add(section)
        return True

    # -- helpers ------------------------------------------------------------------------------

    def warn_once(self, key: str, message: str, *args: Any) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.logger.warning(message, *args)

    def count(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(key, n)

    def fetch_time(self) -> datetime:
        fixed = self.crawler.settings.get("FETCH_TIME")
        if fixed:
            return datetime.fromisoformat(fixed).astimezone(UTC)
        return datetime.now(UTC)

    def request(self, url: str, callback: Any, **kwargs: Any) -> Request:
        return Request(url, callback=callback, errback=self.on_error, **kwargs)

    def on_error(self, failure: Failure) -> None:
        # the site's own rule (robotstxt/forbidden), a dead link in its backoff (fetch/gone),
        # a redirect refused (fetch/redirect_refused)
        if failure.check(ForbiddenByRobots, GoneBackoff, OffsiteRedirect):
            return
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(HttpError) and request.meta.get("article"):
            status = failure.value.response.status
            # the site's dead link, not a fetch failure (crawler.discovery.gone)
            if is_gone(status):
                self.count("fetch/gone")
                self.count(f"fetch/gone/{status}")
                self.logger.info("gone (%d): %s", status, request.url)
                return
        reason = failure.type.__name__ if failure.type else "Error"
        self.count("fetch/errors")
        self.count(f"fetch/errors/{reason}")
        host = request.url.split("/")[2] if "//" in request.url else request.url
        self.warn_once(
            f"error:{host}:{reason}",
            "fetch failed (%s) for %s: %s",
            reason,
            request.url,
            failure.getErrorMessage(),
        )

    def _area(self, response: TextResponse) -> tuple[str, ...]:
        for css in self.site.link_area:
            if response.css(css):
                return (css,)
        return ()

    def links(self, response: TextResponse) -> list[str]:
        """The page's links, at most DISCOVERY_MAX_LINKS of them, read from at most its first
        DISCOVERY_MAX_PAGE_BYTES (a listing of 100k links would otherwise cost a tree and a
        request per link: hundreds of MB). What is cut is counted."""
        response = self.head_of(response)
        extractor = LinkExtractor(
            allow_domains=self.site.hosts, restrict_css=self._area(response), unique=True
        )
        return self.capped([link.url for link in extractor.extract_links(response)], response.url)

    def head_of(self, response: Response) -> Response:
        """The response cut to its first DISCOVERY_MAX_PAGE_BYTES (parsers recover from the
        cut): a listing or feed of 100k links costs a tree of hundreds of MB, not the links."""
        size = len(response.body)
        if size <= self.listing_max_bytes:
            return response
        self.count("discovery/page_bytes_cut", size - self.listing_max_bytes)
        self.warn_once(
            f"big:{response.url}",
            "discovery page of %d bytes: links read from its first %d only: %s",
            size,
            self.listing_max_bytes,
            response.url,
        )
        return response.replace(body=response.body[: self.listing_max_bytes])

    def capped(self, urls: list[str], source: str, limit: int | None = None) -> list[str]:
        limit = limit or self.max_links
        if len(urls) > limit:
            self.count("discovery/links_cut", len(urls) - limit)
            self.warn_once(
                f"cap:{source}", "%d links in %s: the first %d kept", len(urls), source, limit
            )
            del urls[limit:]
        return urls

    def article_requests(self, urls: Iterable[str], section: str | None) -> list[Request]:
        """Requests for the article links among `urls` that the store does not hold yet.

        A link the store already holds is skipped unless it is still within the revisit
        window (recent articles are fetched again to catch edits).
        """
        requests = []
        now = self.fetch_time()
        for url in dict.fromkeys(urls):
            if not self.site.is_article_url(url):
                continue
            self.count("discovery/article_links")
            if self.known is not None and self.known.is_settled(
                clean_url(url), now, self.revisit, self.revisit_every
            ):
                self.count("discovery/known_articles")
                continue
            requests.append(self.article_request(url, {"section": section}))
        return requests

    def article_request(self, url: str, hints: dict[str, Any]) -> Request:
        """The request for an article page. The extraction workers start with the first one:
        their start-up overlaps its download, and a run that finds nothing new starts none."""
        self.extractor.start()
        meta = {"dont_cache": True, "article": True}
        return self.request(url, self.parse_article, cb_kwargs={"hints": hints}, meta=meta)

    @classmethod
    def handles_request(cls, request: Request) -> bool:
        """`scrapy parse URL` and `scrapy shell URL` pick the site whose hosts hold the URL."""
        return (urlsplit(request.url).hostname or "").lower() in cls.site.hosts

    def parse(self, response: Response, **kwargs: Any) -> Any:
        """Any page of the site (`scrapy parse URL`): an article page gives its article, any
        other page (home, listing) the article links on it."""
        if self.site.is_article_url(response.url):
            return self.parse_article(response, kwargs.get("hints"))
        return self.parse_home(response)

    # -- discovery ----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        site = self.site
        if not self.sections_given:  # `-a sections=` asks for those sections only
            yield self.request(site.home_url(), self.parse_home)
        if site.api is not None:
            for section in self.sections:
                yield self.api_request(section, 0)
        else:
            for section in self.sections:
                yield self.request(
                    site.section_listing(section),
                    self.parse_listing,
                    cb_kwargs={"section": section, "page": 1},
                )
        for url in site.feed_urls(self.sections):
            yield self.request(url, self.parse_feed)
        for url in site.sitemaps:
            yield self.request(site.expand(url), self.parse_sitemap)

    def parse_home(self, response: Response) -> Iterable[Request]:
        if not isinstance(response, TextResponse):
            self.count("discovery/not_html")
            return []
        requests = self.article_requests(self.links(response), None)
        if not requests:
            self.count("discovery/empty_home")
            self.warn_once("home", "no article link on the home page %s", response.url)
        return requests

    def parse_listing(
        self, response: Response, section: str, page: int, stale: int = 0
    ) -> Iterable[Request]:
        """Article links of one listing page, and the next page while the listing is fresh.

        `stale` counts consecutive pages with nothing new: an incremental crawl stops paging
        after LISTING_STALE_PAGES of them, or once `since` has been passed in this section.
        """
        if not isinstance(response, TextResponse):
            self.count("discovery/not_html")
            return
        if page > 1 and section in self.passed_since:  # requested before `since` was passed
            self.count("discovery/listing_stopped_since")
            return
        links = self.links(response)
        self.count("discovery/listing_pages")
        if not any(self.site.is_article_url(u) for u in links):
            self.count("discovery/empty_listing")
            self.warn_once(
                f"listing:{section}", "no article link on listing %s (page %d)", response.url, page
            )
            return
        articles = self.article_requests(links, section)
        yield from articles
        stale = 0 if articles else stale + 1
        if page >= self.max_pages or stale >= self.stale_pages or section in self.passed_since:
            if stale >= self.stale_pages:
                self.count("discovery/listing_stopped_known")
            return
        next_url = self.site.page_url(section, page + 1)
        next_pages = [next_url] if next_url else []
        if self.site.paging_follow:
            pattern = re.compile(self.site.paging_follow)
            next_pages += [u for u in links if pattern.search(u)]
        for url in next_pages:  # after this page's articles: `since` may be passed by then
            yield self.request(
                url,
                self.parse_listing,
                cb_kwargs={"section": section, "page": page + 1, "stale": stale},
                priority=-1,
            )

    def parse_feed(self, response: Response) -> Iterable[Request]:
        head = self.head_of(response)
        selector = scrapy.Selector(
            text=head.text if isinstance(head, TextResponse) else "", type="xml"
        )
        urls = selector.xpath("//*[local-name()='item']/*[local-name()='link']/text()").getall()
        urls += selector.xpath("//*[local-name()='entry']/*[local-name()='link']/@href").getall()
        del selector
        urls = self.capped([u.strip() for u in urls], response.url)
        self.count("discovery/feeds")
        if problem := xml_problem(response.body):  # read with recovery all the same
            self.count("discovery/bad_feed")
            self.warn_once(f"bad:{response.url}", "malformed feed %s: %s", response.url, problem)
        if not urls:
            self.count("discovery/empty_feed")
            self.warn_once(f"feed:{response.url}", "no item in feed %s", response.url)
        return self.article_requests(urls, None)

    def parse_sitemap(self, response: Response) -> Iterable[Request]:
        try:
            sitemap = Sitemap(response.body)
            limit = self.max_sitemap_locs
            locs = iter(sitemap)
            entries = [e.get("loc", "").strip() for e in itertools.islice(locs, limit)]
            if cut := sum(1 for _ in locs):
                self.count("discovery/links_cut", cut)
                self.warn_once(
                    f"cap:{response.url}", "sitemap %s: %d locs over %d", response.url, cut, limit
                )
        except Exception as exc:  # lxml raises several types on malformed XML
            self.count("discovery/bad_sitemap")
            self.warn_once(f"sitemap:{response.url}", "bad sitemap %s: %s", response.url, exc)
            return []
        if problem := xml_problem(response.body):  # read with recovery all the same
            self.count("discovery/bad_sitemap")
            self.warn_once(f"sitemap:{response.url}", "bad sitemap %s: %s", response.url, problem)
        # relative <loc>s are resolved; empty and non-HTTP ones must not reach Request()
        locs = [response.urljoin(u) for u in entries if u]
        locs = [u for u in locs if u.startswith(("http://", "https://"))]
        if len(locs) < len(entries):
            self.count("discovery/sitemap_bad_locs", len(entries) - len(locs))
        if sitemap.type == "sitemapindex":
            return [self.request(u, self.parse_sitemap) for u in locs]
        return self.article_requests(locs, None)

    def api_request(self, section: str, start: int) -> Request:
        api = self.site.api
        assert api is not None
        return FormRequest(
            self.site.expand(api.url),
            formdata={
                "do": "QUERYDATA",
                "fieldOrder": "CreatedDate",
                "ascending": "desc",
                "UrlList": api.list_path.format(section=section),
                "start": str(start),
                "length": str(api.page_size),
            },
            callback=self.parse_api,
            errback=self.api_failed,
            meta={"dont_cache": True},
            cb_kwargs={"section": section, "start": start},
        )

    def listing_fallback(self, section: str) -> Request:
        """The section's HTML list view (`section_url`), for when its API fails: the articles
        it links are reached all the same (its postback paging is not: first page only)."""
        self.count("discovery/api_fallback_listing")
        return self.request(
            self.site.section_listing(section),
            self.parse_listing,
            cb_kwargs={"section": section, "page": self.max_pages},  # no URL paging after it
        )

    def api_failed(self, failure: Failure) -> Iterable[Request]:
        self.on_error(failure)
        request = failure.request  # type: ignore[attr-defined]
        yield self.listing_fallback(request.cb_kwargs["section"])

    def parse_api(self, response: Response, section: str, start: int) -> Iterable[Request]:
        """Article requests from one API page. A bad answer (an error page with status 200, a
        cut body) is retried (`retry/reason_count/api_bad_answer`), then the section falls back
        to its list view; a record with a field of the wrong type costs that field, a record
        without a usable ID costs that record, never the rest of the page."""
        api = self.site.api
        assert api is not None
        try:
            records, extra = api_records(response.body, self.api_max_records)
        except BadApiAnswer as exc:
            self.count("discovery/api_bad_answer")
            self.warn_once(
                "api",
                "the API did not answer JSON at %s for %s (%s): %s",
                response.url,
                section,
                response.headers.get("Content-Type", b"?").decode("latin-1"),
                exc,
            )
            retry = get_retry_request(response.request, spider=self, reason="api_bad_answer")
            if retry is not None:
                yield retry
                return
            self.count("discovery/api_failed")
            yield self.listing_fallback(section)
            return
        self.count("discovery/api_pages")
        if extra:
            self.count("discovery/api_records_cut", extra)
            self.warn_once(
                f"api_cap:{section}",
                "the API answered %d records for %s (asked for %d): the first %d kept",
                len(records) + extra,
                section,
                api.page_size,
                len(records),
            )
        fresh = 0
        for record in records:
            request = self.api_article(record, section)
            if request is not None:
                fresh += 1
                yield request
        if len(records) + extra > api.page_size:  # `length` ignored: the next page is the same
            self.count("discovery/api_ignores_length")
            return
        more = len(records) >= api.page_size and start // api.page_size + 1 < self.max_pages
        if more and fresh and section not in self.passed_since:
            yield self.api_request(section, start + api.page_size)

    def api_article(self, record: Any, section: str) -> Request | None:
        api = self.site.api
        assert api is not None
        item_id = record.get("ID") if isinstance(record, dict) else None
        if isinstance(item_id, str) and item_id.strip().isdigit():
            item_id = int(item_id)
        if not isinstance(item_id, int) or isinstance(item_id, bool) or item_id < 0:
            self.count("discovery/api_bad_record")
            return None
        for key in API_TEXT_FIELDS:
            if record.get(key) is not None and not isinstance(record[key], str):
                self.count(f"discovery/api_bad_field/{key}")
                self.warn_once(
                    f"api_field:{key}",
                    "API record %s of %s: %s is a %s, not text: ignored",
                    item_id,
                    section,
                    key,
                    type(record[key]).__name__,
                )
        created = api_text(record, "CreatedDate")
        if self.older_than_since(created, section):
            self.count("discovery/older_than_since")
            return None
        url = self.site.expand(api.article_url, section=section, id=item_id)
        hints = {
            "section": section,
            # "## Title ##" markers: str.strip, linear (a regex `#+$` is quadratic on "###…x")
            "title": (api_text(record, "Title") or "").strip("#").strip() or None,
            "date": created,
            "lead": api_text(record, "DescriptionNews") or None,
            "body_html": html.unescape(api_text(record, "ContentNews") or "") or None,
        }
        self.count("discovery/article_links")
        if self.known is not None and self.known.is_settled(
            clean_url(url), self.fetch_time(), self.revisit, self.revisit_every
        ):
            self.count("discovery/known_articles")
            return None
        return self.article_request(url, hints)

    # -- articles -----------------------------------------------------------------------------

    async def parse_article(
        self, response: Response, hints: dict[str, Any] | None = None
    ) -> AsyncIterator[ArticleItem]:
        hints = hints or {}
        if not isinstance(response, TextResponse):
            self.count("extract/not_html")
            self.warn_once("not_html", "not an HTML page: %s", response.url)
            return
        try:
            fields = await self.extractor.extract(
                response.body,
                response.headers.get("Content-Type"),
                response.url,
                self.site,
                hints,
                self.fetch_time().isoformat(),
                stats=self.crawler.stats,
                memory=self.memory.current,
            )
        except Exception as exc:  # a broken page must never stop the crawl
            self.count("extract/errors")
            self.logger.error("extraction failed for %s: %r", response.url, exc)
            return
        self.count("extract/pages")
        self.memory.add_sample(fields.pop("memory_sample"))
        how = fields.pop("page_decoding", None) or {}
        count_decoding(
            Decoded("", fields.get("page_encoding") or "utf-8", how.get("declared"),
                    how.get("how") or ""),
            response.url, self.crawler.stats, self.warn_once,
        )
        if self.since and self.older_than_since(fields.get("published_at"), hints.get("section")):
            self.count("dropped/older_than_since")
            self.logger.debug("published before since: %s", response.url)
            return
        if self.max_items and self._in_flight >= self.max_items:
            self.count("extract/over_max_items")
            return
        self._in_flight += 1
        needed = fields.pop("page_body_needed", True)
        yield ArticleItem(
            hints=hints,
            page_headers=response_headers(response),
            page_body=response.body if needed else None,  # else: the UTF-8 of html
            **fields,
        )
