"""MirrorServer: one local HTTP server answering for every mirrored host.

The site is chosen by the `X-Forwarded-Host` request header (what the crawler's mirror download
handler sends), falling back to `Host`; ports are stripped. Pages link to the real hosts
(absolute https URLs or root-relative paths), never to 127.0.0.1.

    with MirrorServer() as mirror:
        settings = {"MIRROR_HOSTS": mirror.hosts_map()}
        ...
        assert mirror.hits[("thoidai.com.vn", "/huu-nghi&s_cond=&BRSR=16")] == 1
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import threading
import traceback
from collections import Counter
from http.server import BaseHTTPRequestHandler
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from tests.local_server import LocalServer

from .content import expected as _expected
from .drupal import Drupal
from .liferay import Liferay
from .mastercms import MasterCMS
from .model import Article
from .sharepoint import MODES, SharePoint
from .sites import HOST_TO_SITE, SITES
from .web import Request, Response, robots_txt

SERVER_HEADERS = {
    "mastercms": [("Server", "nginx"), ("X-Powered-By", "MasterCMS")],
    "sharepoint": [
        ("Server", "Microsoft-IIS/10.0"),
        ("X-Powered-By", "ASP.NET"),
        ("MicrosoftSharePointTeamServices", "16.0.0.5422"),
    ],
    "liferay": [("Server", "Apache"), ("Liferay-Portal", "Liferay Community Edition Portal 7.4")],
    "drupal": [("Server", "Apache"), ("X-Generator", "Drupal 9 (https://www.drupal.org)")],
}


class SiteApp(Protocol):
    def handle(self, req: Request) -> Response: ...

    def chrome_texts(self, article: Article) -> list[str]: ...


class MirrorServer(LocalServer):
    """Context manager serving all mirrored sites on 127.0.0.1:<random port>.

    vinhphuc_mode: "normal"; "redirect" (every vinhphuc.gov.vn URL -> 301 https://phutho.gov.vn/);
    "dead" (vinhphuc.gov.vn connections are closed without any response); "api_html" (the JSON
    API answers an HTML error page with status 200).
    redesign: every site serves its articles in the new template of tests/mirror/redesign.py.
    """

    expected = staticmethod(_expected)

    def __init__(self, vinhphuc_mode: str = "normal", redesign: bool = False) -> None:
        if vinhphuc_mode not in MODES:
            raise ValueError(f"vinhphuc_mode must be one of {MODES}")
        self.vinhphuc_mode = vinhphuc_mode
        self.hits: Counter[tuple[str, str]] = Counter()
        self.not_modified: Counter[tuple[str, str]] = Counter()  # 304 answers
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._apps: dict[str, SiteApp] = {
            "thoidai": MasterCMS(SITES["thoidai"], redesign),
            "vietnamtimes": MasterCMS(SITES["vietnamtimes"], redesign),
            "baoquocte": MasterCMS(SITES["baoquocte"], redesign),
            "vinhphuc": SharePoint(vinhphuc_mode, redesign),
            "thainguyen": Liferay(redesign),
            "phutho": Drupal(redesign),
        }

    owner_attribute = "mirror"
    thread_name = "mirror-server"

    def _after_shutdown(self) -> None:
        with self._lock:
            for conn in list(self._connections):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)

    # ------------------------------------------------------------------ info
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @staticmethod
    def hosts() -> list[str]:
        """Every real host name served (main hosts and aliases)."""
        return list(HOST_TO_SITE)

    def hosts_map(self) -> dict[str, str]:
        """{real_host: "127.0.0.1:PORT"} for the crawler's MIRROR_HOSTS setting."""
        address = f"127.0.0.1:{self.port}"
        return {host: address for host in HOST_TO_SITE}

    def paths(self, host: str) -> list[str]:
        """Request targets seen for a host (in no particular order)."""
        with self._lock:
            return [path for (h, path) in self.hits if h == host]

    def app(self, site: str) -> SiteApp:
        """The renderer of a site (e.g. to render a page without HTTP)."""
        return self._apps[site]

    # ------------------------------------------------------------------ dispatch
    def dispatch(self, req: Request) -> Response:
        """Answer one request (also usable without the HTTP layer)."""
        with self._lock:
            self.hits[(req.host, req.target)] += 1
        site = HOST_TO_SITE.get(req.host)
        if site is None:
            return Response(404, f"Unknown host {req.host}\n".encode(), "text/plain")
        app = self._apps[site]
        if site == "vinhphuc" and self.vinhphuc_mode in ("dead", "redirect"):
            response = app.handle(req)
        elif req.path == "/robots.txt":
            response = robots_txt()
        else:
            response = app.handle(req)
        response.headers = SERVER_HEADERS[SITES[site].platform] + response.headers
        return response


def _real_host(handler: BaseHTTPRequestHandler) -> str:
    raw = handler.headers.get("X-Forwarded-Host") or handler.headers.get("Host") or ""
    raw = raw.split(",")[0].strip().lower()
    if raw.startswith("["):
        return raw.split("]")[0] + "]"
    return raw.rsplit(":", 1)[0] if ":" in raw else raw


def _parse_form(content_type: str, body: bytes) -> dict[str, str]:
    text = body.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            data = json.loads(text or "{}")
        except json.JSONDecodeError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30

    @property
    def mirror(self) -> MirrorServer:
        return self.server.mirror  # type: ignore[attr-defined]

    def setup(self) -> None:
        super().setup()
        with self.mirror._lock:
            self.mirror._connections.add(self.connection)

    def finish(self) -> None:
        with self.mirror._lock:
            self.mirror._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Silence the default per-request stderr logging."""

    def version_string(self) -> str:
        return ""

    def _serve(self, method: str) -> None:
        form: dict[str, str] = {}
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            form = _parse_form(self.headers.get("Content-Type", ""), self.rfile.read(length))
        target, host = self.path, _real_host(self)
        if target.startswith(("http://", "https://")):  # absolute-form request line
            parts = urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            host = host if self.headers.get("X-Forwarded-Host") else (parts.hostname or host)
        req = Request(method=method, host=host, target=target or "/", form=form)
        try:
            response = self.mirror.dispatch(req)
        except Exception:  # a renderer bug: answer 500 with the traceback, do not hang
            response = Response(500, traceback.format_exc().encode(), "text/plain; charset=utf-8")
        if response.drop_connection:
            self.close_connection = True
            return
        # Like nginx: a strong ETag on pages, 304 when the client already holds this version.
        etag = None
        if method in ("GET", "HEAD") and response.status == 200:
            etag = f'"{hashlib.sha1(response.body).hexdigest()[:16]}"'
            if self.headers.get("If-None-Match") == etag:
                with self.mirror._lock:
                    self.mirror.not_modified[(req.host, req.target)] += 1
                self.send_response_only(304)
                self.send_header("Date", self.date_time_string())
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        self.send_response_only(response.status)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Date", self.date_time_string())
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(response.body)

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")


MirrorServer.handler = _Handler
