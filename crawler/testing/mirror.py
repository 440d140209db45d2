"""Real URLs served from local mirror servers (tests and benchmarks), installed by
`MirrorAddon` only when MIRROR_HOSTS is set; production never loads this handler.

With `MIRROR_HOSTS = {"thoidai.com.vn": "127.0.0.1:PORT", ...}` a request for
https://thoidai.com.vn/x-1.html is sent as http://127.0.0.1:PORT/x-1.html with the real host in
`Host` and `X-Forwarded-Host`, and the response comes back under the real URL, so that every
middleware, redirect and link extractor sees exactly what it would see on the real site. The
map itself is the allowance for its (local) addresses (the production address check,
crawler.discovery.addresses, is turned off); hosts not in it are refused rather than fetched:
a mirrored run never reaches the network.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.httpobj import urlparse_cached

HANDLER = "crawler.testing.mirror.MirrorDownloadHandler"
ADDRESS_CHECK = "crawler.discovery.addresses.PublicAddressesMiddleware"


class MirrorAddon:
    """ADDONS entry: with MIRROR_HOSTS set, HTTP(S) goes through the mirror handler."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.getdict("MIRROR_HOSTS"):
            return
        # above the project's own entries (settings.py), as a -s would be
        handlers = settings["DOWNLOAD_HANDLERS"]
        middlewares = settings["DOWNLOADER_MIDDLEWARES"]
        for scheme in ("http", "https"):
            handlers.set(scheme, HANDLER, priority="cmdline")
        middlewares.set(ADDRESS_CHECK, None, priority="cmdline")


class MirrorDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        mirror = crawler.settings.getdict("MIRROR_HOSTS")
        self.mirror: dict[str, str] = {k.lower(): v for k, v in mirror.items()}

    async def download_request(self, request: Request) -> Response:
        parts = urlparse_cached(request)
        host = (parts.hostname or "").lower()
        target = self.mirror.get(host)
        if target is None:
            raise IgnoreRequest(f"host {host} has no mirror (MIRROR_HOSTS is set)")
        path = parts.path or "/"
        if parts.params:
            path += ";" + parts.params
        if parts.query:
            path += "?" + parts.query
        local = request.replace(url=f"http://{target}{path}")
        local.headers["Host"] = parts.netloc
        local.headers["X-Forwarded-Host"] = parts.netloc
        local.headers["X-Forwarded-Proto"] = parts.scheme
        response = await super().download_request(local)
        return response.replace(url=request.url, request=request)
