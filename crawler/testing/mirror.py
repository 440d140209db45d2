"""The HTTP(S) download handler: plain HTTP/1.1 that refuses private addresses, or, in tests
and benchmarks, real URLs served from local mirror servers.

Production (MIRROR_HOSTS empty): a URL whose host is, or resolves to, a loopback, private,
link-local or otherwise non-public address is refused (`PrivateAddress`, stat
`fetch/private_address`) unless ALLOW_PRIVATE_ADDRESSES is set: a registry host, or a redirect
to one, cannot make the crawler reach 127.0.0.1:6379 or a cloud metadata endpoint. The name is
resolved through the reactor's caching resolver, so the connection uses the address checked.

Mirror (tests and benchmarks): with `MIRROR_HOSTS = {"thoidai.com.vn": "127.0.0.1:PORT", ...}`
a request for https://thoidai.com.vn/x-1.html is sent as http://127.0.0.1:PORT/x-1.html with the
real host in `Host` and `X-Forwarded-Host`, and the response comes back under the real URL, so
that every middleware, redirect and link extractor sees exactly what it would see on the real
site. The map itself is the allowance for its (local) addresses; hosts not in it are refused
rather than fetched: a mirrored run never reaches the network.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class PrivateAddress(IgnoreRequest):
    """The host is (or resolves to) a loopback, private or link-local address."""


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


class MirrorDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        mirror = crawler.settings.getdict("MIRROR_HOSTS")
        self.mirror: dict[str, str] = {k.lower(): v for k, v in mirror.items()}
        self.allow_private = crawler.settings.getbool("ALLOW_PRIVATE_ADDRESSES")
        self.stats = crawler.stats

    async def download_request(self, request: Request) -> Response:
        if not self.mirror:
            if not self.allow_private:
                await self._refuse_private(request)
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

    async def _refuse_private(self, request: Request) -> None:
        from twisted.internet import reactor  # the one Scrapy installed (not at import time)

        host = urlparse_cached(request).hostname or ""
        address = _ip(host)
        if address is None:
            try:
                resolved = await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001 - the download itself reports the DNS failure
                return
            address = _ip(resolved)
        if address is not None and not address.is_global:
            self.stats.inc_value("fetch/private_address")
            raise PrivateAddress(
                f"{host} is a non-public address ({address}): not fetched"
                " (ALLOW_PRIVATE_ADDRESSES allows it)"
            )
