"""Faulty answers made harmless and countable before the spider sees them.

`SafetyMiddleware` (a downloader middleware between HttpCompressionMiddleware and RetryMiddleware,
so it sees inflated bodies and can ask for a retry) handles what Scrapy itself lets through:

- binary content served as text (an image or archive labelled text/html): handed on as a plain
  `Response`, so the spider counts it as no HTML page (`extract/not_html`) instead of feeding
  bytes to the extractor; stat `fetch/binary_as_text` (and `.../<kind>`).
- truncated pages: a body that ends with the connection (no Content-Length, no chunking: Scrapy
  flags it "partial") and stops before `</body>`/`</html>`, or one Scrapy kept despite data
  loss (flag "dataloss", only with DOWNLOAD_FAIL_ON_DATALOSS = False): retried like a transient
  error (`retry/reason_count/truncated_html`), then dropped (`TruncatedPage`), never stored as
  half an article; stat `fetch/truncated`. A short Content-Length is Scrapy's business:
  DOWNLOAD_FAIL_ON_DATALOSS (True) turns it into ResponseDataLossError, retried and counted.
- charsets: the response is read with the encoding `crawler.text.decoding` finds in its bytes, not
  the one it declares (a UTF-8 page served as iso-8859-1, a lying `<meta charset>`): stat
  `fetch/charset/mislabelled`, with one warning. TCVN3 (ABC font) pages are read as cp1252
  (`fetch/legacy_encoding/tcvn3`); other charsets than UTF-8 are counted
  (`fetch/charset/<codec>`, `fetch/charset/utf-8-bom`, `fetch/charset/utf-8-invalid-bytes`),
  so a site that changes encoding shows in the stats. Article text is decoded from the raw
  bytes by the same function in the extraction workers.
- XML with entity declarations (a billion-laughs feed or sitemap): counted
  (`fetch/xml_entities`); Scrapy's XML parsers do not expand entities (resolve_entities=False),
  and `xml_problem` below checks a document with a parser that does not either.

Bodies are already capped by DOWNLOAD_MAXSIZE, during download and during decompression.

Three replacements or guards around Scrapy's own middlewares (settings.py wires them):

- `RobotsTxtMiddleware`: Scrapy 2.19's, fixed. While robots.txt of a host is being fetched,
  every request for that host awaits the same Deferred through `Deferred.asFuture`, which
  consumes the result: the first waiter gets the parser, the others get None and are let
  through unchecked. The start requests (listings, feeds) all wait at once, so a section that
  robots.txt disallows was crawled anyway. Here each waiter gets its own Deferred. Requests it
  forbids raise `ForbiddenByRobots` (counted by Scrapy as `robotstxt/forbidden`; the spider
  does not count the site's own rule as a fetch error).
- `HttpCompressionMiddleware`: Scrapy's, with its give-up on DOWNLOAD_MAXSIZE during
  decompression (a gzip bomb) raised as `DecompressionBomb` and counted
  (`fetch/decompression_bomb`): Scrapy only logs it.
- `RedirectGuardMiddleware` (before RedirectMiddleware): a redirect back to a URL of its own
  chain raises `RedirectLoop` (`fetch/redirect_loop`), instead of leaving it to the duplicate
  filter, which drops it silently; one more hop than REDIRECT_MAX_TIMES raises
  `TooManyRedirects` (`fetch/redirect_max`) where Scrapy raises a bare IgnoreRequest.
"""

from __future__ import annotations

import logging
import re
from io import BytesIO
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from scrapy.downloadermiddlewares.httpcompression import (
    HttpCompressionMiddleware as ScrapyHttpCompressionMiddleware,
)
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.text.decoding import TCVN3, Decoded, detect_encoding

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"RIFF", "riff"),
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # .doc, .xls of the portals' attachments
    (b"\x7fELF", "elf"),
    (b"wOFF", "font"),
    (b"wOF2", "font"),
    (b"OggS", "ogg"),
    (b"ID3", "mp3"),
)
TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")  # UTF-16 text has NUL bytes
SNIFF_BYTES = 4096
MAX_CONTROL_SHARE = 0.02  # C0 controls other than \t \n \f \r \x1b in the first 4 KB
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_END_OF_HTML = re.compile(rb"</(?:html|body)\s*>", re.I)
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
    re.I | re.S,
)
TAIL_BYTES = 65536  # scripts appended after </html> by some CMSs fit in there


class TruncatedPage(IgnoreRequest):
    """A page cut before its end, still cut after the retries: nothing is stored."""


class DecompressionBomb(IgnoreRequest):
    """A compressed body that inflates beyond DOWNLOAD_MAXSIZE."""


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL already in the request's redirect chain."""


class TooManyRedirects(IgnoreRequest):
    """More redirects in a row than REDIRECT_MAX_TIMES."""


class ChallengePage(IgnoreRequest):
    """The site answered with an anti-bot challenge instead of the page: it is blocking us."""


# Challenge markers, in any ASCII case: substring searches of the lowered body (a regex of
# these alternatives tried each one at every byte: a millisecond a page).
CHALLENGE_MARKERS = tuple(
    marker.lower()
    for marker in (
        b"challenge-platform", b"cf-chl", b"cf_chl_opt", b"/cdn-cgi/challenge",
        b"Just a moment...", b"Checking your browser", b"Attention Required! | Cloudflare",
        b"DDoS protection by", b'class="g-recaptcha"', b'class="h-captcha"',
    )
)
CHALLENGE_MAX_BYTES = 64 * 1024  # challenge pages are small; articles that mention one are not
CHALLENGE_MAX_TEXT = 1500  # visible characters: a challenge says a sentence or two
CHALLENGE_MAX_LINKS = 10  # and links nowhere (an article page links its menus, related news)


def looks_like_challenge(body: bytes) -> bool:
    """An anti-bot challenge page, by its structure: small, a challenge marker (Cloudflare's
    challenge platform, a CAPTCHA widget, "Checking your browser"), and no page around it:
    little visible text and almost no links. A marker alone is not enough: an article with
    a reCAPTCHA comment form, or a story quoting "DDoS protection by", is an article."""
    if len(body) > CHALLENGE_MAX_BYTES:
        return False
    lowered = body.lower()
    if not any(marker in lowered for marker in CHALLENGE_MARKERS):
        return False
    try:
        root = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return True  # a marker and nothing parseable around it
    etree.strip_elements(root, "script", "style", "noscript", "template", with_tail=False)
    text = " ".join(root.text_content().split())
    links = root.xpath("count(//a[@href])")
    return len(text) <= CHALLENGE_MAX_TEXT and links <= CHALLENGE_MAX_LINKS


class ForbiddenByRobots(IgnoreRequest):
    """robots.txt disallows the URL: the site's rule, not a failure."""


def binary_kind(body: bytes) -> str | None:
    """What binary a body served as text is ("png", "zip", ...), "binary" when it only
    looks like one (control bytes), None for text."""
    head = body[:SNIFF_BYTES]
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    if not head or head.startswith(TEXT_BOMS):
        return None
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls >= 8 and controls / len(head) > MAX_CONTROL_SHARE:
        return "binary"
    return None


def looks_cut(body: bytes) -> bool:
    """An HTML document that stops before its closing </body> or </html> tag."""
    if not _HTML_START.match(body[:1024]):
        return False  # a fragment or not HTML: nothing to judge by
    return _END_OF_HTML.search(body[-TAIL_BYTES:]) is None


def xml_problem(body: bytes) -> str | None:
    """Why an XML document is not well-formed (None when it is), parsed without expanding
    entities, without loading DTDs, without network and within libxml2's size limits; as a
    stream, each element dropped once read (a 16 MB feed does not become a tree)."""
    events = etree.iterparse(
        BytesIO(body),
        events=("end",),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        recover=False,
    )
    try:
        for _, element in events:
            element.clear(keep_tail=True)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        return str(exc) or "not well-formed"
    except ValueError as exc:
        return str(exc)
    return None


class SafetyMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self._warned: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafetyMiddleware:
        return cls(crawler)

    def _warn_once(self, key: str, message: str, *args: object) -> None:
        if key not in self._warned:
            self._warned.add(key)
            logger.warning(message, *args)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if not isinstance(response, TextResponse) or request.method == "HEAD":
            return response
        body = response.body

        kind = binary_kind(body)
        if kind:
            self.stats.inc_value("fetch/binary_as_text")
            self.stats.inc_value(f"fetch/binary_as_text/{kind}")
            content_type = response.headers.get("Content-Type", b"").decode("latin-1")
            self._warn_once(
                f"binary:{kind}",
                "binary content (%s) served as %s: %s",
                kind,
                content_type or "text",
                response.url,
            )
            return Response(
                url=response.url,
                status=response.status,
                headers=response.headers,
                body=body,
                flags=[*response.flags, "binary"],
                request=response.request,
                certificate=response.certificate,
                ip_address=response.ip_address,
                protocol=response.protocol,
            )

        if b"<!ENTITY" in body[:SNIFF_BYTES]:
            self.stats.inc_value("fetch/xml_entities")
            self._warn_once(
                f"entities:{response.url}",
                "entity declarations in %s (left unexpanded)",
                response.url,
            )

        robots = request.url.endswith("/robots.txt")  # robots.txt failures: allow-all anyway
        if isinstance(response, HtmlResponse) and not robots and looks_like_challenge(body):
            self.stats.inc_value("fetch/challenge")
            self._warn_once(
                "challenge", "an anti-bot challenge page instead of %s: blocked", response.url
            )
            raise ChallengePage(f"challenge page at {response.url}")

        if isinstance(response, HtmlResponse):
            if "dataloss" in response.flags or ("partial" in response.flags and looks_cut(body)):
                return self._truncated(request, response)
            if request.meta.get("article"):  # decoded (and counted) with its extraction
                return response
            return self._charset(response)
        return response

    def _truncated(self, request: Request, response: Response) -> Request:
        self.stats.inc_value("fetch/truncated")
        self._warn_once(
            "truncated",
            "truncated page (the connection closed before </html>): %s",
            response.url,
        )
        retry = get_retry_request(request, spider=self.crawler.spider, reason="truncated_html")
        if retry is not None:
            return retry
        raise TruncatedPage(f"truncated page: {response.url}")

    def _charset(self, response: HtmlResponse) -> HtmlResponse:
        """Read the page with the encoding its bytes are in (crawler.text.decoding), whatever it
        declared, so that links and selectors see the right text; counted."""
        decoded = detect_encoding(response.body, response.headers.get("Content-Type"))
        count_decoding(decoded, response.url, self.stats, self._warn_once)
        codec = "cp1252" if decoded.encoding == TCVN3 else decoded.encoding
        codec = "utf-8" if codec == "ascii" else codec
        if codec != decoded.declared:
            return response.replace(encoding=codec)
        return response


def count_decoding(
    decoded: Decoded, url: str, stats: StatsCollector, warn_once: Callable[..., None]
) -> None:
    """Count how a page's bytes were read (`fetch/charset/*`, `fetch/legacy_encoding/tcvn3`),
    by this middleware for the pages the crawl reads, by the spider for the articles, which
    only the extraction worker decodes."""
    if decoded.encoding == TCVN3:
        stats.inc_value("fetch/legacy_encoding/tcvn3")
        logger.info("legacy TCVN3 (ABC) page, converted to Unicode: %s", url)
    elif decoded.how == "bom":
        stats.inc_value("fetch/charset/utf-8-bom")
    elif decoded.encoding not in ("utf-8", "ascii"):
        stats.inc_value(f"fetch/charset/{decoded.encoding}")
    if decoded.how == "utf-8-repaired":
        stats.inc_value("fetch/charset/utf-8-invalid-bytes")
    if decoded.mislabelled:
        stats.inc_value("fetch/charset/mislabelled")
        warn_once(
            "mislabelled",
            "the page declares %s but its bytes are %s (read as %s): %s",
            decoded.declared,
            decoded.encoding,
            decoded.encoding,
            url,
        )


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with one Deferred per request waiting for robots.txt."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(parser, Deferred):
            waiter: Deferred[RobotParser | None] = Deferred()

            def relay(result: RobotParser | None) -> RobotParser | None:
                waiter.callback(result)
                return result  # the next waiter gets it too

            parser.addCallback(relay)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as exc:
            raise ForbiddenByRobots(str(exc)) from None


class HttpCompressionMiddleware(ScrapyHttpCompressionMiddleware):
    """Scrapy's decompression; a body inflating past DOWNLOAD_MAXSIZE is a counted bomb."""

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:  # the only one Scrapy raises here: DOWNLOAD_MAXSIZE
            if self.stats is not None:
                self.stats.inc_value("fetch/decompression_bomb")
            raise DecompressionBomb(str(exc)) from exc


REDIRECT_STATUSES = (301, 302, 303, 307, 308)


def redirect_target(request: Request, response: Response) -> str | None:
    """The absolute Location of a redirect Scrapy's RedirectMiddleware would follow, else None."""
    if (
        response.status not in REDIRECT_STATUSES
        or b"Location" not in response.headers
        or request.meta.get("dont_redirect")
        or response.status in request.meta.get("handle_httpstatus_list", ())
        or request.meta.get("handle_httpstatus_all")
    ):
        return None
    return urljoin(request.url, response.headers["Location"].decode("latin-1").strip())


class RedirectGuardMiddleware:
    """Redirect loops and over-long redirect chains, named and counted (before Scrapy's
    RedirectMiddleware, which would drop the first silently and the second anonymously)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_redirects = crawler.settings.getint("REDIRECT_MAX_TIMES")
        self.enabled = crawler.settings.getbool("REDIRECT_ENABLED")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = redirect_target(request, response) if self.enabled else None
        if location is None:
            return response
        target = location.split("#", 1)[0]
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            self.stats.inc_value("fetch/redirect_loop")
            raise RedirectLoop(f"redirect loop: {' -> '.join([*chain, target])}")
        if request.meta.get("redirect_times", 0) >= self.max_redirects:
            self.stats.inc_value("fetch/redirect_max")
            raise TooManyRedirects(
                f"more than {self.max_redirects} redirects from {chain[0]} (last: {target})"
            )
        return response
