"""Transport and content faults, end to end: the real `scrapy crawl` against a local faulty server.

tests/faults/ impersonates baoquocte.vn (and vinhphuc.gov.vn for the API) with article URLs
that misbehave; four crawls run several faults each, and every fault has its own test. For
each: the crawl completes (exit 0 per crawler/extensions/health.py: finished, the site
answered, errors under ERROR_RATE_THRESHOLD), the stat that names the fault counts it
exactly, the good articles are stored with their true text, the faulty page left no row, and
memory stays bounded (peak RSS of the crawl process, a 1 GiB gzip bomb
and a 3 GB entity bomb included).

Transport faults run with DOWNLOAD_TIMEOUT=1 and RETRY_TIMES=2 (three attempts per URL).
"""

from __future__ import annotations

import json
import resource
import subprocess
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlite_utils
from scrapy.utils.sitemap import Sitemap

from crawler.discovery.safety import binary_kind, looks_cut, xml_problem
from crawler.text.legacy_encoding import TCVN3_SYMBOLS, looks_tcvn3
from tests.conftest import crawl
from tests.faults import CONTENT, FAULTS, TRANSPORT, FaultServer, pages
from tests.faults.server import (
    BOMB_FEED_ONLY,
    FEED_ONLY,
    GOOD,
    LOOP_B,
    ROBOTS_ONLY,
    SITEMAP_BOMB_ONLY,
    SITEMAP_ONLY,
)
from tests.mirror import BY_KEY, MirrorServer

RSS_LIMIT_MB = 300  # a crawl here peaks near 110-150 MB; an inflated bomb would be > 1 GB
RETRIES = 2
ATTEMPTS = RETRIES + 1
COMMON = (
    "-a", "max_pages=1",
    "-s", f"RETRY_TIMES={RETRIES}",
    "-s", "MEMUSAGE_CHECK_INTERVAL_SECONDS=0.05",
    "-s", f"MEMUSAGE_LIMIT_MB={RSS_LIMIT_MB}",
)  # fmt: skip


@dataclass
class Crawl:
    result: subprocess.CompletedProcess[str]
    server: FaultServer
    stats: dict
    run: dict
    articles: dict[str, dict]  # url -> row
    article_urls: set[str]
    page_urls: set[str]
    seconds: float
    peak_rss_mb: float | None  # RUSAGE_CHILDREN, when this crawl set a new maximum
    memusage_mb: float  # Scrapy's memusage/max: the crawl process's own peak RSS

    def stat(self, key: str) -> int:
        return self.stats.get(key, 0)

    def hits(self, path: str) -> int:
        return self.server.count(path)

    def verdict(self) -> str:
        return self.result.stderr.strip().splitlines()[-1]


def _crawl(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    server_kwargs: dict,
    *extra: str,
    spider: str = "baoquocte",
) -> Iterator[Crawl]:
    db = tmp_path_factory.mktemp(name) / "news.db"
    with FaultServer(**server_kwargs) as server:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.monotonic()
        result = crawl(server, spider, db, *COMMON, *extra)
        seconds = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        store = sqlite_utils.Database(db)
        [run] = list(store["crawl_runs"].rows)
        stats = json.loads(run["stats"])
        yield Crawl(
            result=result,
            server=server,
            stats=stats,
            run=run,
            articles={a["url"]: a for a in store["articles"].rows},
            article_urls={u["url"] for u in store["article_urls"].rows},
            page_urls={p["url"] for p in store.query("select url from pages")},
            seconds=seconds,
            peak_rss_mb=after / 1024 if after > before else None,
            memusage_mb=stats.get("memusage/max", 0) / 2**20,
        )


@pytest.fixture(scope="module")
def transport(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    yield from _crawl(
        tmp_path_factory, "transport", {"links": TRANSPORT}, "-s", "DOWNLOAD_TIMEOUT=1"
    )


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    server = {
        "links": CONTENT,
        "robots_disallow": ["/thoi-su"],
        "feeds": {"": "malformed", "ngoai-giao": "bomb"},
    }
    # nothing hangs here: a long timeout keeps the 16 MiB stream from racing the clock
    yield from _crawl(tmp_path_factory, "content", server, "-s", "DOWNLOAD_TIMEOUT=10")


@pytest.fixture(scope="module")
def sitemaps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    yield from _crawl(
        tmp_path_factory,
        "sitemaps",
        {},
        "-s",
        "SPIDER_MODULES=crawler.spiders,tests.faults.spiders",
        spider="baoquocte_sitemaps",
    )


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    server = {"api": {"ThoiSuChinhTri": "invalid_json", "KinhTe": "html"}}
    yield from _crawl(tmp_path_factory, "api", server, spider="vinhphuc")


CRAWLS = ["transport", "content", "sitemaps", "api"]


def url_of(key: str) -> str:
    return pages.BASE + pages.article(key).path


def assert_article(c: Crawl, key: str, url: str | None = None) -> dict:
    """The article of a mirror key is stored, at `url`, with its true title and text."""
    article = BY_KEY[key]
    url = url or article.url
    assert url in c.articles, f"{key} not stored at {url}; stored: {sorted(c.articles)}"
    row = c.articles[url]
    assert row["title"] == article.title
    assert row["text"] == "\n\n".join(article.paragraphs)
    assert row["published_at"] == article.published_at
    return row


def assert_nothing_stored(c: Crawl, url: str, source: str | None = None) -> None:
    assert url not in c.article_urls and url not in c.page_urls
    if source:
        title = BY_KEY[source].title
        assert all(a["title"] != title for a in c.articles.values()), f"{title} stored"


# ------------------------------------------------------------------------------------------
# Every crawl: completes, stores only sound rows, stays within memory
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CRAWLS)
def test_crawl_completes_with_exit_0(request: pytest.FixtureRequest, name: str):
    c: Crawl = request.getfixturevalue(name)
    assert c.result.returncode == 0, c.result.stderr[-3000:]
    assert "exit 0: finished" in c.verdict()
    assert c.run["finish_reason"] == "finished"
    assert c.stat("spider_exceptions/count") == 0
    assert c.seconds < 30


@pytest.mark.parametrize("name", CRAWLS)
def test_stored_rows_are_sound(request: pytest.FixtureRequest, name: str):
    """Valid NFC text, no replacement character, no control byte, no TCVN3 mojibake."""
    c: Crawl = request.getfixturevalue(name)
    assert c.articles
    for row in c.articles.values():
        for field in ("title", "lead", "text", "author", "section"):
            value = row[field]
            if value is None:
                continue
            assert unicodedata.is_normalized("NFC", value), (field, row["url"])
            assert "\ufffd" not in value and "\ufeff" not in value, (field, row["url"])
            assert all(ch == "\n" or ch.isprintable() for ch in value), (field, row["url"])
            assert not looks_tcvn3(value), (field, row["url"])
        assert row["content_hash"] and len(row["content_hash"]) == 64
        assert len(row["text"]) >= 200
    assert c.page_urls == c.article_urls


@pytest.mark.parametrize("name", CRAWLS)
def test_memory_stays_bounded(request: pytest.FixtureRequest, name: str):
    c: Crawl = request.getfixturevalue(name)
    assert 0 < c.memusage_mb < RSS_LIMIT_MB
    assert c.peak_rss_mb is None or c.peak_rss_mb < RSS_LIMIT_MB
    assert "memusage/limit_reached" not in c.stats


def test_good_articles_are_stored_around_the_faults(transport: Crawl, content: Crawl):
    for c in (transport, content):
        for key in GOOD:
            assert_article(c, key)


# ------------------------------------------------------------------------------------------
# Transport: 500/503 bursts, timeouts, resets, slow drip, truncation
# ------------------------------------------------------------------------------------------


def test_500_burst_is_retried_then_stored(transport: Crawl):
    fault = FAULTS["burst_500"]
    assert transport.hits(fault.path) == 3  # 500, 500, 200
    assert_article(transport, fault.source)
    # two from the burst, two retries of the URL that always answers 500
    assert transport.stat("retry/reason_count/500 Internal Server Error") == 2 + RETRIES
    assert transport.stat("downloader/response_status_count/500") == 2 + ATTEMPTS


def test_503_burst_is_retried_then_stored(transport: Crawl):
    fault = FAULTS["burst_503"]
    assert transport.hits(fault.path) == 3
    assert_article(transport, fault.source)
    assert transport.stat("retry/reason_count/503 Service Unavailable") == 2
    assert transport.stat("downloader/response_status_count/503") == 2


def test_persistent_500_gives_up_after_the_retries(transport: Crawl):
    fault = FAULTS["always_500"]
    assert transport.hits(fault.path) == ATTEMPTS
    assert transport.stat("fetch/errors/HttpError") == 1  # the errback's: status 500 kept
    assert_nothing_stored(transport, fault.url)


def test_timeouts_are_retried_and_counted(transport: Crawl):
    once, always = FAULTS["timeout_once"], FAULTS["always_timeout"]
    assert transport.hits(once.path) == 2
    assert_article(transport, once.source)
    assert transport.hits(always.path) == ATTEMPTS
    assert_nothing_stored(transport, always.url)
    key = "scrapy.exceptions.DownloadTimeoutError"
    assert transport.stat(f"downloader/exception_type_count/{key}") == 1 + 2 * ATTEMPTS
    assert transport.stat(f"retry/reason_count/{key}") == 1 + 2 * RETRIES
    assert transport.stat("fetch/errors/DownloadTimeoutError") == 2  # always_timeout, slow_drip


def test_slow_drip_is_cut_at_the_download_timeout(transport: Crawl):
    """DOWNLOAD_TIMEOUT bounds the whole download, not the silence between bytes: a body
    dripping 640 B/s (three minutes for the page) is abandoned after a second."""
    fault = FAULTS["slow_drip"]
    assert transport.hits(fault.path) == ATTEMPTS
    assert_nothing_stored(transport, fault.url, fault.source)
    assert transport.stat("elapsed_time_seconds") < 15


def test_connection_resets_are_retried_and_counted(transport: Crawl):
    once, always = FAULTS["reset_once"], FAULTS["always_reset"]
    assert transport.hits(once.path) == 2
    assert_article(transport, once.source)
    assert transport.hits(always.path) == ATTEMPTS
    assert_nothing_stored(transport, always.url)
    key = "scrapy.exceptions.DownloadFailedError"
    assert transport.stat(f"downloader/exception_type_count/{key}") == 1 + ATTEMPTS
    assert transport.stat("fetch/errors/DownloadFailedError") == 1


@pytest.mark.parametrize("name", ["truncated_length", "truncated_chunked"])
def test_body_shorter_than_announced_is_data_loss(transport: Crawl, name: str):
    """Content-Length not reached, or a chunked body without its last chunk: Scrapy's
    DOWNLOAD_FAIL_ON_DATALOSS fails the download (retried, then dropped)."""
    fault = FAULTS[name]
    assert transport.hits(fault.path) == ATTEMPTS
    assert_nothing_stored(transport, fault.url, fault.source)
    key = "scrapy.exceptions.ResponseDataLossError"
    assert transport.stat(f"downloader/exception_type_count/{key}") == 2 * ATTEMPTS
    assert transport.stat("fetch/errors/ResponseDataLossError") == 2


def test_page_cut_when_the_connection_closes_is_dropped(transport: Crawl):
    """No Content-Length, no chunking, the connection closes in the middle of the article:
    HTTP cannot tell, the HTML can (no </body>, no </html>). Retried, then dropped: half an
    article is never stored."""
    fault = FAULTS["truncated_close"]
    assert transport.hits(fault.path) == ATTEMPTS
    assert_nothing_stored(transport, fault.url, fault.source)
    assert transport.stat("fetch/truncated") == ATTEMPTS
    assert transport.stat("retry/reason_count/truncated_html") == RETRIES
    assert transport.stat("fetch/errors/TruncatedPage") == 1


def test_transport_accounting_is_exact(transport: Crawl):
    """Seven URLs fail for good, four recover; nothing else is retried or stored."""
    assert transport.stat("fetch/errors") == 7
    assert transport.stat("retry/max_reached") == 7
    assert transport.stat("retry/count") == 2 + 2 + 1 + 1 + 7 * RETRIES
    expected = {url_of(k) for k in GOOD} | {url_of(ROBOTS_ONLY)}
    expected |= {FAULTS[n].url for n in ("burst_500", "burst_503", "timeout_once", "reset_once")}
    assert set(transport.articles) == expected


# ------------------------------------------------------------------------------------------
# Content: charsets, TCVN3, redirects, sizes, binaries, bombs, robots.txt, feeds
# ------------------------------------------------------------------------------------------


def test_windows_1258_declared_only_in_a_meta_tag(content: Crawl):
    """cp1258 writes most toned letters as base + combining mark; the row is NFC and equal
    to the article's true text."""
    fault = FAULTS["cp1258"]
    row = assert_article(content, fault.source)
    assert row["lead"] == BY_KEY[fault.source].lead
    assert content.stat("fetch/charset/cp1258") == 1


def test_utf8_with_a_bom_and_no_declared_charset(content: Crawl):
    fault = FAULTS["bom"]
    assert_article(content, fault.source)
    assert content.stat("fetch/charset/utf-8-bom") == 1


@pytest.mark.parametrize("which", ["declared", "undeclared"])
def test_tcvn3_page_is_detected_and_converted(content: Crawl, which: str):
    """An archive page typed with the ABC fonts: declared iso-8859-1, or not declared at all
    (Scrapy then guesses a charset: hp-roman8). Stored as Unicode NFC, title upper-cased as
    its .VnTimeH font drew it."""
    legacy = pages.TCVN3_ARTICLES[which]
    row = content.articles[legacy.url]
    assert row["title"] == legacy.title
    assert row["lead"] == legacy.lead
    assert row["text"] == legacy.text
    assert row["published_at"] == legacy.published_at
    assert not TCVN3_SYMBOLS & set(row["title"] + row["lead"] + row["text"])
    assert content.stat("fetch/legacy_encoding/tcvn3") == 2


def test_redirect_loop_is_named_and_counted(content: Crawl):
    fault = FAULTS["redirect_loop"]
    assert content.hits(fault.path) == 1 and content.hits(LOOP_B) == 1
    assert content.stat("fetch/redirect_loop") == 1
    assert content.stat("fetch/errors/RedirectLoop") == 1
    assert_nothing_stored(content, fault.url)


def test_endless_redirect_chain_stops_at_redirect_max_times(content: Crawl):
    fault = FAULTS["redirect_chain"]
    assert content.hits(fault.path) == 1 + 5  # the URL and REDIRECT_MAX_TIMES hops
    assert content.stat("fetch/redirect_max") == 1
    assert content.stat("fetch/errors/TooManyRedirects") == 1
    assert_nothing_stored(content, fault.url)


def test_redirect_to_another_host_is_reported_not_followed(content: Crawl):
    """Refused before Scrapy's redirect middleware
    (crawler.discovery.middlewares.HostWatchMiddleware): counted and reported, not a fetch error."""
    fault = FAULTS["redirect_offsite"]
    assert content.hits(fault.path) == 1
    assert content.stat("site/redirect_offsite/baoquocte-moi.example") == 1
    assert content.stat("fetch/redirect_refused/host") == 1
    assert "offsite/filtered" not in content.stats
    assert content.result.stderr.count("redirects to another host:") == 1
    assert_nothing_stored(content, fault.url)


def test_oversized_pages_are_cancelled_at_download_maxsize(content: Crawl):
    """64 MiB announced, or an endless chunked body: both stop at DOWNLOAD_MAXSIZE (16 MiB),
    not retried."""
    for name in ("oversized_declared", "oversized_stream"):
        assert content.hits(FAULTS[name].path) == 1
        assert_nothing_stored(content, FAULTS[name].url)
    key = "scrapy.exceptions.DownloadCancelledError"
    assert content.stat(f"downloader/exception_type_count/{key}") == 2
    assert content.stat("fetch/errors/DownloadCancelledError") == 2
    assert "larger than download max size" in content.result.stderr


def test_binary_served_as_html_is_not_extracted(content: Crawl):
    fault = FAULTS["binary"]
    assert content.stat("fetch/binary_as_text/png") == 1
    assert content.stat("extract/not_html") == 1
    assert_nothing_stored(content, fault.url)


def test_gzip_bomb_stops_inflating_at_download_maxsize(content: Crawl):
    """~1 MB on the wire, 1 GiB inflated: decompression gives up past 16 MiB."""
    fault = FAULTS["gzip_bomb"]
    assert content.hits(fault.path) == 1
    assert content.stat("fetch/decompression_bomb") == 1
    assert content.stat("fetch/errors/DecompressionBomb") == 1
    assert "exceeded DOWNLOAD_MAXSIZE" in content.result.stderr
    assert_nothing_stored(content, fault.url)


def test_robots_txt_disallowing_a_section_is_obeyed(content: Crawl):
    """The /thoi-su listing is a start request issued while robots.txt is still in flight
    (Scrapy 2.19 let such requests through; crawler.discovery.safety.RobotsTxtMiddleware
    fixes it)."""
    assert content.stat("robotstxt/forbidden") == 1
    assert content.hits("/thoi-su") == 0
    assert content.hits(pages.article(ROBOTS_ONLY).path) == 0
    assert_nothing_stored(content, url_of(ROBOTS_ONLY))
    assert not any("IgnoreRequest" in k or "Robots" in k for k in content.stats if "fetch/" in k)


def test_malformed_feed_is_counted_and_read_with_recovery(content: Crawl):
    assert content.stat("discovery/bad_feed") == 2  # the malformed feed and the bomb
    assert_article(content, FEED_ONLY)


def test_entity_bomb_feed_is_not_expanded(content: Crawl):
    """Billion laughs (3 GB if expanded): libxml2 refuses the amplification, what precedes
    the bomb is read, and memory stays flat (test_memory_stays_bounded)."""
    assert content.stat("fetch/xml_entities") == 1
    assert_article(content, BOMB_FEED_ONLY)


def test_content_accounting_is_exact(content: Crawl):
    assert content.stat("fetch/errors") == 5  # 2 oversized, bomb, loop, chain
    assert content.stat("retry/count") == 0
    expected = {url_of(k) for k in (*GOOD, FEED_ONLY, BOMB_FEED_ONLY)}
    expected |= {FAULTS["cp1258"].url, FAULTS["bom"].url}
    expected |= {a.url for a in pages.TCVN3_ARTICLES.values()}
    assert set(content.articles) == expected


# ------------------------------------------------------------------------------------------
# Sitemaps (test spider baoquocte_sitemaps: the real site entry plus /sitemap.xml)
# ------------------------------------------------------------------------------------------


def test_entity_bomb_sitemap_is_not_expanded(sitemaps: Crawl):
    assert sitemaps.stat("fetch/xml_entities") == 1
    assert sitemaps.stat("discovery/bad_sitemap") == 1
    assert_article(sitemaps, SITEMAP_BOMB_ONLY)


def test_sitemap_index_with_empty_and_relative_locs(sitemaps: Crawl):
    """Empty, blank and javascript: <loc>s are skipped and counted; a relative one is
    resolved. (An empty <loc> in an index used to raise ValueError in the callback.)

    The entity bomb's own <loc> counts too when the XML parser keeps it as an empty element:
    libxml2 2.14 (lxml 6) does, after refusing the entity; older libxml2 stopped parsing at
    the refusal and yielded no element for it. The count follows the parser in use."""
    bomb = pages.billion_laughs("urlset", pages.article(SITEMAP_BOMB_ONLY))
    empty_in_bomb = sum(1 for entry in Sitemap(bomb) if not entry.get("loc", "").strip())
    assert empty_in_bomb in (0, 1)
    assert sitemaps.stat("discovery/sitemap_bad_locs") == 3 + empty_in_bomb
    assert sitemaps.hits("/sitemap-news.xml") == 1
    assert_article(sitemaps, SITEMAP_ONLY)
    expected = {url_of(k) for k in (*GOOD, SITEMAP_ONLY, SITEMAP_BOMB_ONLY)}
    assert set(sitemaps.articles) == expected


# ------------------------------------------------------------------------------------------
# JSON API answering invalid JSON and HTML (vinhphuc.gov.vn)
# ------------------------------------------------------------------------------------------


def test_api_invalid_json_and_html_fall_back_to_the_list_view(api: Crawl):
    """Each answer is retried (RETRY_TIMES), then the section is read from its HTML list view
    (AllItems.aspx): the articles linked only from there are stored too, not only the home
    page's three."""
    assert api.stat("discovery/api_bad_answer") == 2 * ATTEMPTS
    assert api.stat("retry/reason_count/api_bad_answer") == 2 * RETRIES
    assert api.stat("discovery/api_failed") == 2
    assert api.stat("discovery/api_fallback_listing") == 2
    assert api.stat("discovery/api_pages") == 0
    assert api.result.stderr.count("the API did not answer JSON") == 1
    truth = {e["url"]: e for e in MirrorServer.expected("vinhphuc")}
    assert set(api.articles) == set(truth)
    for url, row in api.articles.items():
        assert row["title"] == truth[url]["title"]
        assert row["text"] == "\n\n".join(truth[url]["paragraphs"])


# ------------------------------------------------------------------------------------------
# The helpers behind the stats, on their own
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (pages.binary_blob(), "png"),
        (b"PK\x03\x04" + b"\x00" * 100, "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "ole"),
        (bytes(range(256)) * 16, "binary"),
        (b"<!DOCTYPE html><html><body>Vi\xe1\xbb\x87t Nam</body></html>", None),
        ("<html>Việt</html>".encode("utf-16"), None),
        (pages.tcvn3_page(pages.TCVN3_ARTICLES["declared"], None), None),
        (b"", None),
    ],
)
def test_binary_kind(body: bytes, kind: str | None):
    assert binary_kind(body) == kind


def test_looks_cut():
    page = pages.link_page("x", [("/a-1.html", "a")])
    assert not looks_cut(page)
    assert looks_cut(page[: len(page) // 2])
    assert not looks_cut(b"\xef\xbb\xbf" + page)
    assert not looks_cut(b'{"data": [1, 2')  # not HTML: nothing to judge by
    assert not looks_cut(page + b"<script>var x = 1;</script>\n" * 100)


def test_xml_problem():
    assert xml_problem(pages.rss([BY_KEY[GOOD[0]]])) is None
    assert "amplification" in (xml_problem(pages.billion_laughs("rss")) or "")
    assert xml_problem(pages.malformed_rss(BY_KEY[GOOD[0]]))
    assert xml_problem(b"")
