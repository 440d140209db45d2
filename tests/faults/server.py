"""FaultServer: a local server that impersonates baoquocte.vn and vinhphuc.gov.vn, with faults.

One `ThreadingHTTPServer` on 127.0.0.1:<port 0>; the site is chosen by `X-Forwarded-Host`,
else `Host` (what the crawler's mirror download handler sends). Every answer closes its
connection (`Connection: close`), so that no fault lands on a reused connection: Twisted
retries a request silently when a *reused* connection fails, which would make counts vary.

    with FaultServer(links=TRANSPORT) as server:
        crawl(server, "baoquocte", db, ...)  # tests.conftest.crawl (MIRROR_HOSTS: hosts_map())
        server.hits[("baoquocte.vn", "/...")]  # requests per (host, target)

baoquocte.vn: `/` and the registry's section listings link to the good articles and to the
fault URLs named in `links` (see FAULTS); `/thoi-su` also links to ROBOTS_ONLY, the article
only reachable through a listing that robots.txt may forbid. Feeds `/rss_feed/...` list good
articles unless `feeds` maps a feed path to "malformed" or "bomb". `/sitemap.xml` is an index
of `/sitemap-bomb.xml` (one good <loc>, then billion laughs), `/sitemap-empty-loc.xml` (an
index of empty, blank, relative and javascript: <loc>s) and `/sitemap-news.xml` (SITEMAP_ONLY).
Good article pages are the mirror's own (tests/mirror MasterCMS renderer). A listen backlog
of 128: the default (5) drops connections when a crawl opens many at once, which shows up as
spurious timeouts.

vinhphuc.gov.vn: the mirror's SharePoint portal, except the JSON API, which answers per list
as `api` says: "invalid_json" (a body cut in the middle), "html" (an error page, status 200),
"flaky" (an error page, then a cut body, then the real answer), "bad_fields" (the real answer
with a number for ContentNews, an object and a list for DescriptionNews, a number for Title,
a record without ID and one that is a string), "huge" (API_HUGE_RECORDS records `{"ID":N}`
whatever `length` asked, generated on the fly: ~12.9 MB), or the real answer.

Network boundaries and caches (see FaultServer's arguments): `cache_headers` sends the home page,
listings and feeds with cache headers, and answers 304 to a matching If-None-Match or
If-Modified-Since (`conditional` counts those): "max_age" is `Cache-Control: max-age=86400`
and an ETag, "last_modified" only a Last-Modified years old (heuristic freshness: months),
which moves a day when `extra_links` changes the page;
`huge_listing=N` makes /ngoai-giao a listing of N generated article links (streamed), and
feeds may be "huge" (100k generated items, streamed); `huge_sitemap=N` adds N generated
locs to /sitemap-news.xml;
`internal.baoquocte.vn` (INTERNAL_HOST, not a registry host) is served like baoquocte.vn.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.local_server import LocalServer
from tests.mirror.server import MirrorServer
from tests.mirror.web import Request as MirrorRequest
from tests.mirror.web import Response as MirrorResponse

from . import pages

BAOQUOCTE_HOSTS = ("baoquocte.vn", "www.baoquocte.vn")
VINHPHUC_HOSTS = ("vinhphuc.gov.vn", "www.vinhphuc.gov.vn")
SECTIONS = ("ngoai-giao", "kinh-te/ngoai-giao-kinh-te", "thoi-su")

HANG_SECONDS = 8.0  # a hung answer is abandoned by the crawler long before (DOWNLOAD_TIMEOUT)
DRIP_INTERVAL = 0.05  # a slow drip sends DRIP_BYTES every DRIP_INTERVAL seconds
DRIP_BYTES = 32
STREAM_CAP = 256 << 20  # an "endless" page stops there if the client never hangs up
OFFSITE_TARGET = "https://baoquocte-moi.example/chuyen-trang-900013.html"
INTERNAL_HOST = "internal.baoquocte.vn"  # a subdomain the registry does not list
OLD_LAST_MODIFIED = "Mon, 04 Jan 2021 08:00:00 GMT"  # heuristic freshness: months
CHANGED_LAST_MODIFIED = "Tue, 05 Jan 2021 08:00:00 GMT"  # the page once `extra_links` is set
API_HUGE_RECORDS = 1_000_000


@dataclass(frozen=True)
class Fault:
    """A URL of baoquocte.vn that misbehaves: `kind` picks the behaviour, `source` the mirror
    article whose page it serves (or cuts, or re-encodes)."""

    path: str
    kind: str
    source: str | None = None
    title: str = ""

    @property
    def url(self) -> str:
        return pages.BASE + self.path


def _art(key: str) -> str:
    return pages.article(key).path


GOOD = ("baoquocte-filler-15", "baoquocte-filler-14")
ROBOTS_ONLY = "baoquocte-filler-07"  # linked from the /thoi-su listing only
FEED_ONLY = "baoquocte-filler-03"  # linked from the malformed feed only
BOMB_FEED_ONLY = "baoquocte-filler-02"  # linked from the billion-laughs feed only
SITEMAP_ONLY = "baoquocte-filler-01"  # listed in the good sitemap only
SITEMAP_BOMB_ONLY = "baoquocte-filler-00"  # listed before the entity bomb of a sitemap

FAULTS: dict[str, Fault] = {
    # transport: answers that recover after a burst, and answers that never do
    "burst_500": Fault(_art("baoquocte-filler-13"), "burst_500", "baoquocte-filler-13"),
    "burst_503": Fault(_art("baoquocte-filler-12"), "burst_503", "baoquocte-filler-12"),
    "timeout_once": Fault(_art("baoquocte-filler-11"), "timeout_once", "baoquocte-filler-11"),
    "reset_once": Fault(_art("baoquocte-filler-10"), "reset_once", "baoquocte-filler-10"),
    "always_500": Fault("/loi-may-chu-900001.html", "always_500"),
    "always_timeout": Fault("/qua-thoi-gian-900002.html", "always_timeout"),
    "always_reset": Fault("/ngat-ket-noi-900003.html", "always_reset"),
    "slow_drip": Fault("/nho-giot-900004.html", "slow_drip", "baoquocte-filler-09"),
    "truncated_length": Fault("/cat-ngang-900005.html", "truncated_length", "baoquocte-filler-06"),
    "truncated_chunked": Fault(
        "/cat-ngang-chunked-900006.html", "truncated_chunked", "baoquocte-filler-05"
    ),
    "truncated_close": Fault(
        "/cat-ngang-close-900007.html", "truncated_close", "baoquocte-filler-04"
    ),
    # content
    "cp1258": Fault(_art("baoquocte-filler-09"), "cp1258", "baoquocte-filler-09"),
    "bom": Fault(_art("baoquocte-filler-08"), "bom", "baoquocte-filler-08"),
    "tcvn3": Fault(pages.TCVN3_ARTICLES["declared"].path, "tcvn3"),
    "tcvn3_undeclared": Fault(pages.TCVN3_ARTICLES["undeclared"].path, "tcvn3_undeclared"),
    "redirect_loop": Fault("/vong-lap-a-900010.html", "redirect_loop"),
    "redirect_chain": Fault("/chuyen-huong-900012.html", "redirect_chain"),
    "redirect_offsite": Fault("/chuyen-trang-900013.html", "redirect_offsite"),
    "oversized_declared": Fault("/trang-lon-900014.html", "oversized_declared"),
    "oversized_stream": Fault("/trang-vo-tan-900015.html", "oversized_stream"),
    "binary": Fault("/tep-nhi-phan-900016.html", "binary"),
    "gzip_bomb": Fault("/bom-nen-900017.html", "gzip_bomb"),
    # articles that carry what anti-bot pages carry
    "comment_form": Fault(_art("baoquocte-gia-ca-phe"), "comment_form", "baoquocte-gia-ca-phe"),
    "ddos_words": Fault(
        _art("baoquocte-trien-lam-son-mai"), "ddos_words", "baoquocte-trien-lam-son-mai"
    ),
    # redirects out of the registry's hosts that the host names alone would let through
    "redirect_port": Fault(
        "/chuyen-cong-900020.html", "redirect_port", "baoquocte-nhiem-vu-doi-ngoai"
    ),
    "redirect_subdomain": Fault(
        "/chuyen-ten-mien-900021.html", "redirect_subdomain", "baoquocte-giu-to-dai-bang"
    ),
    "refresh_port": Fault("/lam-moi-900022.html", "refresh_port", "baoquocte-filler-13"),
}
DDOS_PARAGRAPH = (
    "Theo nhà cung cấp, dòng chữ “DDoS protection by Cloudflare” ở chân trang cho thấy cổng"
    " thông tin đã được bảo vệ trước các cuộc tấn công từ chối dịch vụ."
)
LOOP_B = "/vong-lap-b-900011.html"

TRANSPORT = (
    "burst_500",
    "burst_503",
    "timeout_once",
    "reset_once",
    "always_500",
    "always_timeout",
    "always_reset",
    "slow_drip",
    "truncated_length",
    "truncated_chunked",
    "truncated_close",
)
CONTENT = (
    "cp1258",
    "bom",
    "tcvn3",
    "tcvn3_undeclared",
    "redirect_loop",
    "redirect_chain",
    "redirect_offsite",
    "oversized_declared",
    "oversized_stream",
    "binary",
    "gzip_bomb",
)
BOUNDARIES = ("comment_form", "ddos_words", "redirect_port", "redirect_subdomain", "refresh_port")


class FaultServer(LocalServer):
    """Context manager: baoquocte.vn and vinhphuc.gov.vn with faults, on 127.0.0.1:<port>.

    links: names of FAULTS linked from the home page and listings (others stay reachable).
    robots_disallow: paths robots.txt disallows (e.g. ["/thoi-su"]).
    feeds: feed path ("" for /rss_feed/, else the section) -> "malformed" | "bomb" | "huge".
    api: vinhphuc list name -> "invalid_json" | "html".
    """

    def __init__(
        self,
        links: Iterable[str] = (),
        robots_disallow: Iterable[str] = (),
        feeds: dict[str, str] | None = None,
        api: dict[str, str] | None = None,
        cache_headers: str | None = None,
        huge_listing: int = 0,
        huge_sitemap: int = 0,
    ) -> None:
        self.links = tuple(links)
        unknown = [name for name in self.links if name not in FAULTS]
        if unknown:
            raise ValueError(f"unknown faults {unknown}; known: {sorted(FAULTS)}")
        self.robots_disallow = tuple(robots_disallow)
        self.feeds = dict(feeds or {})
        self.api = dict(api or {})
        self.cache_headers = cache_headers
        self.huge_listing = huge_listing
        self.huge_sitemap = huge_sitemap
        self.extra_links: list[str] = []  # mirror keys linked too (changeable between crawls)
        self.conditional: Counter[str] = Counter()  # path -> conditional requests received
        self.not_modified: Counter[str] = Counter()  # path -> 304 answers
        self.api_hits: Counter[str] = Counter()  # list name -> API requests
        self.hits: Counter[tuple[str, str]] = Counter()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._mirror = MirrorServer()  # renderers only; its own HTTP server never starts
        self._by_path = {fault.path: fault for fault in FAULTS.values()}

    owner_attribute = "faults"
    thread_name = "fault-server"
    quiet = (OSError,)

    def _before_stop(self) -> None:
        self.stopping.set()

    def hosts_map(self) -> dict[str, str]:
        address = f"127.0.0.1:{self.port}"
        return {host: address for host in (*BAOQUOCTE_HOSTS, *VINHPHUC_HOSTS, INTERNAL_HOST)}

    def count(self, path: str, host: str = "baoquocte.vn") -> int:
        """Requests received for a path (any query string)."""
        with self._lock:
            return sum(
                n for (h, t), n in self.hits.items() if h == host and t.split("?")[0] == path
            )

    def _hit(self, host: str, target: str) -> int:
        with self._lock:
            self.hits[(host, target)] += 1
            return self.hits[(host, target)]

    # ------------------------------------------------------------------ pages
    def linked(self) -> list[tuple[str, str]]:
        links = [
            (pages.article(k).path, pages.article(k).title) for k in (*GOOD, *self.extra_links)
        ]
        for name in self.links:
            fault = FAULTS[name]
            title = pages.article(fault.source).title if fault.source else name
            links.append((fault.path, title))
        return links

    def mirror_page(self, host: str, path: str) -> MirrorResponse:
        return self._mirror.dispatch(MirrorRequest("GET", host, path))


def _real_host(handler: BaseHTTPRequestHandler) -> str:
    raw = handler.headers.get("X-Forwarded-Host") or handler.headers.get("Host") or ""
    raw = raw.split(",")[0].strip().lower()
    return raw.rsplit(":", 1)[0] if ":" in raw else raw


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30

    @property
    def faults(self) -> FaultServer:
        return self.server.faults  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Silence the default per-request stderr logging."""

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # the socket may be reset already
            super().finish()

    def version_string(self) -> str:
        return "nginx"

    # ------------------------------------------------------------------ primitives
    def head(
        self,
        status: int,
        content_type: str | None = "text/html; charset=utf-8",
        length: int | None = None,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.send_response_only(status)
        self.send_header("Date", self.date_time_string())
        self.send_header("Server", "nginx")
        if content_type:
            self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def answer(
        self,
        status: int,
        body: bytes,
        content_type: str | None = "text/html; charset=utf-8",
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.head(status, content_type, len(body), headers)
        if self.command != "HEAD":
            self.wfile.write(body)

    def reset(self) -> None:
        """Close with a TCP RST (SO_LINGER 0) instead of an answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.close()

    def hang(self) -> None:
        """Accept the request, say nothing until the crawler gives up (or the server stops)."""
        self.faults.stopping.wait(HANG_SECONDS)
        self.close_connection = True

    def write_slowly(self, body: bytes) -> None:
        for start in range(0, len(body), DRIP_BYTES):
            if self.faults.stopping.wait(DRIP_INTERVAL):
                return
            try:
                self.wfile.write(body[start : start + DRIP_BYTES])
                self.wfile.flush()
            except OSError:
                return

    def chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    # ------------------------------------------------------------------ dispatch
    def do_GET(self) -> None:  # noqa: N802
        self.serve()

    def do_HEAD(self) -> None:  # noqa: N802
        self.serve()

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        form_body = self.rfile.read(length) if length else b""
        self.serve(form_body)

    def serve(self, form_body: bytes = b"") -> None:
        host = _real_host(self)
        attempt = self.faults._hit(host, self.path)
        try:
            if host in (*BAOQUOCTE_HOSTS, INTERNAL_HOST):
                self.baoquocte(urlsplit(self.path), attempt)
            elif host in VINHPHUC_HOSTS:
                self.vinhphuc(form_body)
            else:
                self.answer(404, b"unknown host\n", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def vinhphuc(self, form_body: bytes) -> None:
        path = urlsplit(self.path).path
        mode = None
        if self.command == "POST" and path.lower() == "/apivp/api/dstintuc/querydata":
            form = {k: v[0] for k, v in parse_qs(form_body.decode("utf-8", "replace")).items()}
            section = form.get("UrlList", "").rstrip("/").rsplit("/", 1)[-1]
            mode = self.faults.api.get(section)
            with self.faults._lock:
                self.faults.api_hits[section] += 1
                attempt = self.faults.api_hits[section]
            if mode == "flaky" and attempt <= 2:
                mode = "html" if attempt == 1 else "invalid_json"
            if mode == "huge":
                return self.huge_api()
            if mode == "invalid_json":
                body = b'{"draw":1,"recordsTotal":8,"data":[{"ID":12,"Title":"Tin \xc4\x91'
                return self.answer(200, body, "application/json; charset=utf-8")
            if mode == "html":
                body = (
                    "<!DOCTYPE html><html><head><title>Lỗi</title></head><body><h1>Đã xảy ra"
                    " lỗi</h1><p>Runtime Error: the API is under maintenance.</p></body></html>"
                ).encode()
                return self.answer(200, body)
        req = MirrorRequest(
            method=self.command,
            host="vinhphuc.gov.vn",
            target=self.path,
            form={k: v[0] for k, v in parse_qs(form_body.decode("utf-8", "replace")).items()},
        )
        response = self.faults._mirror.dispatch(req)
        body = response.body
        if mode == "bad_fields" and response.status == 200:
            body = pages.api_bad_fields(body)
        self.answer(response.status, body, response.content_type, response.headers)

    def huge_api(self) -> None:
        """An API page that ignores `length`: API_HUGE_RECORDS records (~12 MB), chunked."""
        self.head(
            200, "application/json; charset=utf-8", headers=[("Transfer-Encoding", "chunked")]
        )
        self.chunk(b'{"draw":0,"recordsTotal":%d,"data":[' % API_HUGE_RECORDS)
        batch = 10_000
        for first in range(0, API_HUGE_RECORDS, batch):
            records = ",".join(f'{{"ID":{n}}}' for n in range(first, first + batch))
            self.chunk(("," if first else "").encode() + records.encode())
        self.chunk(b"]}")
        self.chunk(b"")

    def baoquocte(self, url: object, attempt: int) -> None:
        path: str = url.path  # type: ignore[attr-defined]
        query: str = url.query  # type: ignore[attr-defined]
        faults = self.faults
        if path == "/robots.txt":
            lines = ["User-agent: *"] + [f"Disallow: {p}" for p in faults.robots_disallow]
            if not faults.robots_disallow:
                lines.append("Disallow:")
            return self.answer(200, ("\n".join(lines) + "\n").encode(), "text/plain")
        if path == "/":
            return self.cacheable(pages.link_page("Trang chủ", faults.linked()))
        section = path.lstrip("/").split("&", 1)[0]
        if section == "ngoai-giao" and faults.huge_listing:
            return self.huge_listing(faults.huge_listing)
        if section in SECTIONS:
            links = faults.linked()
            if section == "thoi-su":
                extra = pages.article(ROBOTS_ONLY)
                links = [*links, (extra.path, extra.title)]
            return self.cacheable(pages.link_page(section, links))
        if path.startswith("/rss_feed"):
            return self.feed(path[len("/rss_feed") :].strip("/"))
        if path.startswith("/sitemap"):
            return self.sitemap(path)
        if path == LOOP_B:
            return self.answer(302, b"", headers=[("Location", FAULTS["redirect_loop"].path)])
        fault = faults._by_path.get(path)
        if fault is not None:
            return BEHAVIOURS[fault.kind](self, fault, attempt, query)
        page = faults.mirror_page("baoquocte.vn", path)
        return self.answer(page.status, page.body, page.content_type)

    def cacheable(self, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        """The page, with cache headers and conditional answers when `cache_headers` is set."""
        faults = self.faults
        if not faults.cache_headers:
            return self.answer(200, body, content_type)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = CHANGED_LAST_MODIFIED if faults.extra_links else OLD_LAST_MODIFIED
        if faults.cache_headers == "max_age":
            headers = [("Cache-Control", "max-age=86400"), ("ETag", etag)]
        else:
            headers = [("Last-Modified", modified)]
        path = self.path.split("?", 1)[0]
        match = self.headers.get("If-None-Match")
        since = self.headers.get("If-Modified-Since")
        unchanged = match == etag if match else since == modified
        with faults._lock:
            if match or since:
                faults.conditional[path] += 1
            if unchanged:
                faults.not_modified[path] += 1
        if unchanged:
            return self.answer(304, b"", None, headers)
        return self.answer(200, body, content_type, headers)

    def huge_listing(self, count: int) -> None:
        """A listing of `count` article links (~185 bytes each), generated while it is sent."""
        self.head(200, headers=[("Transfer-Encoding", "chunked")])
        page = pages.link_page("ngoai-giao", [])
        before, after = page.split(b'id="__MB_ARTICLE_LIST">\n', 1)
        self.chunk(before + b'id="__MB_ARTICLE_LIST">\n')
        batch = 5000
        for first in range(0, count, batch):
            self.chunk(pages.generated_teasers(first, min(first + batch, count)))
        self.chunk(after)
        self.chunk(b"")

    def huge_feed(self, count: int) -> None:
        """An RSS feed of `count` generated items (~105 bytes each), streamed."""
        self.head(
            200, "application/rss+xml; charset=utf-8", headers=[("Transfer-Encoding", "chunked")]
        )
        self.chunk(b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>')
        batch = 5000
        for first in range(0, count, batch):
            self.chunk(pages.generated_items(first, min(first + batch, count)))
        self.chunk(b"</channel></rss>\n")
        self.chunk(b"")

    def feed(self, name: str) -> None:
        mode = self.faults.feeds.get(name)
        if mode == "huge":
            return self.huge_feed(100_000)
        if mode == "malformed":
            body = pages.malformed_rss(pages.article(FEED_ONLY))
        elif mode == "bomb":
            body = pages.billion_laughs("rss", pages.article(BOMB_FEED_ONLY))
        else:
            body = pages.rss([pages.article(k) for k in GOOD])
            return self.cacheable(body, "application/rss+xml; charset=utf-8")
        self.answer(200, body, "application/rss+xml; charset=utf-8")

    def sitemap(self, path: str) -> None:
        base = pages.BASE
        if path == "/sitemap.xml":
            locs = [f"{base}/sitemap-bomb.xml", f"{base}/sitemap-empty-loc.xml"]
            body = pages.sitemap([*locs, f"{base}/sitemap-news.xml"], index=True)
        elif path == "/sitemap-bomb.xml":
            body = pages.billion_laughs("urlset", pages.article(SITEMAP_BOMB_ONLY))
        elif path == "/sitemap-empty-loc.xml":  # an index whose entries lost their URL
            body = pages.sitemap(["", "  ", "sitemap-news.xml", "javascript:void(0)"], index=True)
        elif path == "/sitemap-news.xml":
            extra = [
                f"{base}/bai-so-{n}-{9_000_000 + n}.html" for n in range(self.faults.huge_sitemap)
            ]
            body = pages.sitemap([pages.article(SITEMAP_ONLY).url, *extra])
        else:
            return self.answer(404, b"not found\n", "text/plain")
        self.answer(200, body, "application/xml; charset=utf-8")


# ------------------------------------------------------------------------------------------
# Behaviours: (handler, fault, attempt, query) -> None
# ------------------------------------------------------------------------------------------


def _source_page(handler: _Handler, fault: Fault) -> bytes:
    assert fault.source is not None
    return handler.faults.mirror_page("baoquocte.vn", pages.article(fault.source).path).body


def _error_page(status: int) -> bytes:
    return f"<html><body><h1>{status}</h1><p>Hệ thống đang bận.</p></body></html>".encode()


def burst(status: int, times: int) -> Callable[[_Handler, Fault, int, str], None]:
    def behaviour(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
        if attempt <= times:
            headers = [("Retry-After", "1")] if status == 503 else []
            return handler.answer(status, _error_page(status), headers=headers)
        return handler.answer(200, _source_page(handler, fault))

    return behaviour


def timeout_once(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    if attempt == 1:
        return handler.hang()
    return handler.answer(200, _source_page(handler, fault))


def reset_once(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    if attempt == 1:
        return handler.reset()
    return handler.answer(200, _source_page(handler, fault))


def slow_drip(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    body = _source_page(handler, fault)
    handler.head(200, length=len(body))
    handler.write_slowly(body)  # ~90 KB at 640 B/s: three minutes, if nobody hung up


def truncated_length(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    body = _source_page(handler, fault)
    cut = body.index(b"__MASTERCMS_CONTENT") + 2000  # in the middle of the article body
    handler.head(200, length=len(body))
    handler.wfile.write(body[:cut])


def truncated_chunked(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    body = _source_page(handler, fault)
    cut = body.index(b"__MASTERCMS_CONTENT") + 2000
    handler.head(200, headers=[("Transfer-Encoding", "chunked")])
    for start in range(0, cut, 4096):
        handler.chunk(body[start : min(start + 4096, cut)])
    # no terminating zero-length chunk: the connection just closes


def truncated_close(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    """No Content-Length, no chunking: the body ends when the connection closes (HTTP/1.0
    style), here in the middle of the article. Only the HTML itself shows it is cut."""
    body = _source_page(handler, fault)
    cut = body.index(b"__MASTERCMS_CONTENT") + 2000
    handler.head(200)
    handler.wfile.write(body[:cut])


def cp1258(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    html = _source_page(handler, fault).decode("utf-8")
    handler.answer(200, pages.cp1258_page(html), "text/html")


def bom(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    html = _source_page(handler, fault).decode("utf-8")
    handler.answer(200, pages.bom_page(html), "text/html")


def tcvn3(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    page = pages.tcvn3_page(pages.TCVN3_ARTICLES["declared"], charset=None)
    handler.answer(200, page, "text/html; charset=iso-8859-1")


def tcvn3_undeclared(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    page = pages.tcvn3_page(pages.TCVN3_ARTICLES["undeclared"], charset=None)
    handler.answer(200, page, "text/html")


def redirect_loop(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    handler.answer(302, b"", headers=[("Location", LOOP_B)])


def redirect_chain(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    """Every hop redirects to the next one: /x.html?hop=1, ?hop=2, ... (never the same URL)."""
    hop = int(parse_qs(query).get("hop", ["0"])[0]) + 1
    handler.answer(301, b"", headers=[("Location", f"{fault.path}?hop={hop}")])


def redirect_offsite(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    handler.answer(301, b"", headers=[("Location", OFFSITE_TARGET)])


def oversized_declared(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    """Content-Length says 64 MiB (DOWNLOAD_MAXSIZE is 16 MiB); the body would follow."""
    handler.head(200, length=64 << 20)
    handler.wfile.write(b"<html><body>" + b" " * 65536)
    handler.faults.stopping.wait(2.0)


def oversized_stream(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    """A chunked page that never ends (a runaway CMS loop), until the crawler hangs up."""
    handler.head(200, headers=[("Transfer-Encoding", "chunked")])
    handler.chunk(b"<!DOCTYPE html><html><body><table>")
    row = b"<tr><td>Th\xc3\xb4ng tin \xc4\x91ang c\xe1\xba\xadp nh\xe1\xba\xadt</td></tr>\n" * 16384
    sent = 0
    while sent < STREAM_CAP and not handler.faults.stopping.is_set():
        try:
            handler.chunk(row)
        except OSError:
            return
        sent += len(row)


def binary(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    handler.answer(200, pages.binary_blob(), "text/html; charset=utf-8")


def comment_form(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    handler.answer(200, pages.with_comment_form(_source_page(handler, fault)))


def ddos_words(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    handler.answer(200, pages.with_paragraph(_source_page(handler, fault), DDOS_PARAGRAPH))


def redirect_to(netloc: str) -> Callable[[_Handler, Fault, int, str], None]:
    """A redirect to the fault's source article on `netloc` (which the mirror would serve)."""

    def behaviour(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
        assert fault.source is not None
        target = f"https://{netloc}{pages.article(fault.source).path}"
        handler.answer(301, b"", headers=[("Location", target)])

    return behaviour


def refresh_port(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    """A page whose <meta http-equiv="refresh"> sends the browser to another port."""
    assert fault.source is not None
    target = f"https://baoquocte.vn:6379{pages.article(fault.source).path}"
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={target}"><title>Chuyển trang</title>'
        "</head><body><p>Đang chuyển trang…</p></body></html>"
    )
    handler.answer(200, page.encode())


def gzip_bomb(handler: _Handler, fault: Fault, attempt: int, query: str) -> None:
    handler.answer(
        200, pages.gzip_bomb(), "text/html; charset=utf-8", [("Content-Encoding", "gzip")]
    )


BEHAVIOURS: dict[str, Callable[[_Handler, Fault, int, str], None]] = {
    "burst_500": burst(500, 2),
    "burst_503": burst(503, 2),
    "timeout_once": timeout_once,
    "reset_once": reset_once,
    "always_500": burst(500, 10**9),
    "always_timeout": lambda h, f, a, q: h.hang(),
    "always_reset": lambda h, f, a, q: h.reset(),
    "slow_drip": slow_drip,
    "truncated_length": truncated_length,
    "truncated_chunked": truncated_chunked,
    "truncated_close": truncated_close,
    "cp1258": cp1258,
    "bom": bom,
    "tcvn3": tcvn3,
    "tcvn3_undeclared": tcvn3_undeclared,
    "redirect_loop": redirect_loop,
    "redirect_chain": redirect_chain,
    "redirect_offsite": redirect_offsite,
    "oversized_declared": oversized_declared,
    "oversized_stream": oversized_stream,
    "binary": binary,
    "gzip_bomb": gzip_bomb,
    "comment_form": comment_form,
    "ddos_words": ddos_words,
    "redirect_port": redirect_to("baoquocte.vn:6379"),
    "redirect_subdomain": redirect_to(INTERNAL_HOST),
    "refresh_port": refresh_port,
}


FaultServer.handler = _Handler
