"""HostileServer: baoquocte.vn on 127.0.0.1:<port 0>, with article pages whose content is
broken or hostile (the transport is fine): charsets declared wrongly, dates that point
forward, a 1 MB date line, control characters and terminal escapes in the title, a 15 MB page.

Every page is a real MasterCMS article page of the mirror (tests/mirror), changed in one way;
`PAGES` names them. The home page and the section listings link to the pages asked for.

    with HostileServer(["charset_header", "future_date"]) as server:
        crawl(server, "baoquocte", db)  # tests.conftest.crawl (MIRROR_HOSTS: hosts_map())
"""

from __future__ import annotations

import contextlib
import random
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.mirror.server import MirrorServer
from tests.mirror.web import Request as MirrorRequest

from . import pages

HOSTS = ("baoquocte.vn", "www.baoquocte.vn")
SECTIONS = ("ngoai-giao", "kinh-te/ngoai-giao-kinh-te", "thoi-su")
UTF8_META = '<meta charset="utf-8">'
DATE_SPAN = '<span class="article-detail-date rt">'
DATE_SOURCES = ("published_time", "modified_time", "datePublished", "dateModified")
IMAGE = re.compile(r"<img\b[^>]*>")
TITLE_ESCAPES = "\x1b[31mCảnh báo\x1b[0m \x07Tiêu đề\x1b]0;pwned\x07 có ký tự \x9b2J điều khiển"
HUGE_BYTES = 15 << 20  # the body of the huge page, in bytes of UTF-8
HOSTILE_DATE_LINE = "1 giờ " * 174_763  # 1 MiB of characters


@dataclass(frozen=True)
class Page:
    """An article of the mirror, served changed by `make(html) -> (body bytes, content type)`."""

    source: str  # mirror article key
    make: Callable[[str], tuple[bytes, str]]

    @property
    def path(self) -> str:
        return pages.article(self.source).path

    @property
    def url(self) -> str:
        return pages.BASE + self.path

    @property
    def title(self) -> str:
        return pages.article(self.source).title


def _only_date_line(html: str, line: str) -> str:
    """The page with `line` as its date line and no other date source (meta, JSON-LD,
    image paths)."""
    lines = html.split("\n")
    html = "\n".join(line for line in lines if not any(key in line for key in DATE_SOURCES))
    html = IMAGE.sub("", html)  # before the date line goes in: it may be hostile
    start = html.index(DATE_SPAN)
    end = html.index("<h1", start)  # the title follows the date line
    return html[:start] + DATE_SPAN + line + "</span>\n" + html[end:]


def charset_header(html: str) -> tuple[bytes, str]:
    """UTF-8, as the web server's default header says it is not."""
    return html.encode("utf-8"), "text/html; charset=iso-8859-1"


def meta_lies_utf8(html: str) -> tuple[bytes, str]:
    """windows-1258 bytes under the template's `<meta charset="utf-8">`; no header charset."""
    return pages.to_cp1258(html), "text/html"


def meta_lies_latin1(html: str) -> tuple[bytes, str]:
    """UTF-8 bytes under a `<meta charset="iso-8859-1">` left from an old template."""
    return html.replace(UTF8_META, '<meta charset="iso-8859-1">', 1).encode("utf-8"), "text/html"


def future_date(html: str) -> tuple[bytes, str]:
    return _only_date_line(html, "3 ngày tới").encode("utf-8"), "text/html; charset=utf-8"


def hostile_date(html: str) -> tuple[bytes, str]:
    return _only_date_line(html, HOSTILE_DATE_LINE).encode(), "text/html; charset=utf-8"


def escapes_in_title(html: str) -> tuple[bytes, str]:
    title = re.search(r'<h1 class="article-detail-title f0">(.*?)</h1>', html).group(1)
    return html.replace(title, TITLE_ESCAPES).encode("utf-8"), "text/html; charset=utf-8"


def huge(html: str) -> tuple[bytes, str]:
    """The article with 15 MB of distinct Vietnamese paragraphs appended to its body: every
    4-syllable shingle new, the worst case for a MinHash sketch."""
    source = " ".join(pages.article("baoquocte-filler-12").paragraphs).lower()
    words = sorted(set(re.findall(r"\w+", source)))
    rng = random.Random(12)
    paragraphs, size = [], 0
    while size < HUGE_BYTES:
        paragraph = "<p>" + " ".join(rng.choices(words, k=400)) + ".</p>\n"
        paragraphs.append(paragraph)
        size += len(paragraph.encode("utf-8"))
    marker = '<div class="__MASTERCMS_CONTENT'
    start = html.index(marker)
    end = html.index(">", start) + 1
    return (html[:end] + "".join(paragraphs) + html[end:]).encode(), "text/html; charset=utf-8"


PAGES: dict[str, Page] = {
    "charset_header": Page("baoquocte-filler-15", charset_header),
    "meta_lies_utf8": Page("baoquocte-filler-14", meta_lies_utf8),
    "meta_lies_latin1": Page("baoquocte-filler-13", meta_lies_latin1),
    "future_date": Page("baoquocte-filler-12", future_date),
    "hostile_date": Page("baoquocte-filler-11", hostile_date),
    "escapes_in_title": Page("baoquocte-filler-10", escapes_in_title),
    "huge": Page("baoquocte-filler-09", huge),
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


class HostileServer:
    """Context manager: baoquocte.vn serving the `PAGES` named in `links`."""

    def __init__(self, links: Iterable[str]):
        self.links = tuple(links)
        mirror = MirrorServer()  # renderers only
        self.routes: dict[str, tuple[bytes, str]] = {}
        for name in self.links:
            page = PAGES[name]
            html = mirror.dispatch(MirrorRequest("GET", "baoquocte.vn", page.path)).body
            self.routes[page.path] = page.make(html.decode("utf-8"))
        listing = pages.link_page("Ngoại giao", [(PAGES[n].path, PAGES[n].title) for n in links])
        self.routes["/"] = (listing, "text/html; charset=utf-8")
        for section in SECTIONS:
            self.routes["/" + section] = (listing, "text/html; charset=utf-8")
        self.routes["/robots.txt"] = (b"User-agent: *\nDisallow:\n", "text/plain")
        self._httpd: _Server | None = None

    def __enter__(self) -> HostileServer:
        httpd = _Server(("127.0.0.1", 0), _Handler)
        httpd.routes = self.routes  # type: ignore[attr-defined]
        self._httpd = httpd
        threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def hosts_map(self) -> dict[str, str]:
        assert self._httpd is not None
        return {host: f"127.0.0.1:{self._httpd.server_address[1]}" for host in HOSTS}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet."""

    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        found = self.server.routes.get(path)  # type: ignore[attr-defined]
        body, content_type = found or (b"not found\n", "text/plain")
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.write(body)
