"""A download handler that can serve real URLs from local mirror servers.

Tests and benchmarks must exercise the real registry (real hosts, real URL schemes) without
leaving the machine. With `MIRROR_HOSTS = {"thoidai.com.vn": "127.0.0.1:PORT", ...}` a request
for https://thoidai.com.vn/x-1.html is sent as http://127.0.0.1:PORT/x-1.html with the real host
in `Host` and `X-Forwarded-Host`, and the response comes back under the real URL, so that every
middleware, redirect and link extractor sees exactly what it would see on the real site.
Hosts not in the map are refused rather than fetched: a mirrored run never reaches the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class MirrorDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        mirror = crawler.settings.getdict("MIRROR_HOSTS")
        self.mirror: dict[str, str] = {k.lower(): v for k, v in mirror.items()}

    async def download_request(self, request: Request) -> Response:
        if not self.mirror:
            return await super().download_request(request)
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
