"""Only public addresses are fetched: a URL whose host is, or resolves to, a loopback, private,
link-local or otherwise non-public address is refused (`PrivateAddress`, stat
`fetch/private_address`) unless ALLOW_PRIVATE_ADDRESSES is set, so a registry host, or a
redirect to one, cannot make the crawler reach 127.0.0.1:6379 or a cloud metadata endpoint.

A downloader middleware placed last before the download handler (after the HTTP cache: a
cached page is not resolved again); the name is resolved through the reactor's caching
resolver, so the connection uses the address checked. The tests' mirror add-on
(crawler.testing.mirror) turns it off: its MIRROR_HOSTS map is its own allowance.
"""

from __future__ import annotations

import ipaddress

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached


class PrivateAddress(IgnoreRequest):
    """The host is (or resolves to) a loopback, private or link-local address."""


def ip_of(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


class PublicAddressesMiddleware:
    def __init__(self, crawler: Crawler):
        if crawler.settings.getbool("ALLOW_PRIVATE_ADDRESSES"):
            raise NotConfigured
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PublicAddressesMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        from twisted.internet import reactor  # the one Scrapy installed (not at import time)

        host = urlparse_cached(request).hostname or ""
        address = ip_of(host)
        if address is None:
            try:
                resolved = await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001 - the download itself reports the DNS failure
                return None
            address = ip_of(resolved)
        if address is not None and not address.is_global:
            self.stats.inc_value("fetch/private_address")
            raise PrivateAddress(
                f"{host} is a non-public address ({address}): not fetched"
                " (ALLOW_PRIVATE_ADDRESSES allows it)"
            )
        return None
