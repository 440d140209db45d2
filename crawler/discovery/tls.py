"""TLS per site: the registry's `tls_ciphers` (an OpenSSL cipher string, `@SECLEVEL=N`
included) applies to that site's hosts only; every other host gets Scrapy's defaults.

How it is installed (Scrapy 2.19): `DOWNLOAD_HANDLERS["https"] = SiteTLSDownloadHandler`, a
subclass of Scrapy's public `HTTP11DownloadHandler` whose connections take their TLS options
from `SiteTLSContextFactory`, asked per connection (`creatorForNetloc(host, port)`). This is
the way Scrapy's release notes give since they deprecated DOWNLOADER_CLIENTCONTEXTFACTORY
("if you cannot use the default context factory ..., subclass the download handler"). No
public API takes TLS options per host: DOWNLOADER_CLIENT_TLS_CIPHERS is one string for every
host, `Request.meta` has no TLS key, and the handler's context factory is the private
attribute `_contextFactory`, built from the private `_ScrapyClientContextFactory` and
`_ScrapyCertificateOptions` (kept so that a site's hosts get Scrapy's own options, legacy
server connect and TLS version settings included, with only the cipher string changed). Those
three private names are used here and nowhere else; tests/test_tls_per_site.py crawls a real
TLS server through the handler, so a Scrapy release that renames them fails there, not in
production. The string is given to OpenSSL as written (Twisted's cipher list would expand it
to names and drop `@SECLEVEL`, which is what old government portals with 1024-bit keys or
SHA-1 chains need).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from OpenSSL import SSL
from scrapy.core.downloader.contextfactory import (
    _ScrapyCertificateOptions,
    _ScrapyClientContextFactory,
)
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler

from crawler.registry import Site, default_registry


class _SiteCertificateOptions(_ScrapyCertificateOptions):
    def __init__(self, cipher_string: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.cipher_string = cipher_string

    def _makeContext(self, *args: Any, **kwargs: Any) -> SSL.Context:  # noqa: N802 - Twisted's
        ctx = super()._makeContext(*args, **kwargs)
        ctx.set_cipher_list(self.cipher_string.encode("ascii"))
        return ctx


def ciphers_by_host(sites: Mapping[str, Site]) -> dict[str, str]:
    return {
        host.lower(): site.tls_ciphers
        for site in sites.values()
        if site.tls_ciphers
        for host in site.hosts
    }


class SiteTLSContextFactory(_ScrapyClientContextFactory):
    def __init__(self, *args: Any, sites: Mapping[str, Site] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.by_host = ciphers_by_host(default_registry() if sites is None else sites)
        self.cipher_string: str | None = None  # set on the per-site copies
        self._per_site: dict[str, SiteTLSContextFactory] = {}

    def ciphers_for(self, host: str) -> str | None:
        """The registry's cipher string for this host, or None (Scrapy's defaults)."""
        return self.by_host.get(host.lower().rstrip("."))

    def _get_cert_options(self) -> _ScrapyCertificateOptions:
        if self.cipher_string is None:
            return super()._get_cert_options()
        return _SiteCertificateOptions(self.cipher_string, **self._get_cert_options_kwargs())

    def for_host(self, host: str) -> SiteTLSContextFactory:
        """The factory whose contexts a connection to `host` uses."""
        ciphers = self.ciphers_for(host)
        if ciphers is None or self.cipher_string is not None:
            return self
        if ciphers not in self._per_site:
            site = copy.copy(self)
            site.cipher_string, site.by_host, site._per_site = ciphers, {}, {}
            self._per_site[ciphers] = site
        return self._per_site[ciphers]

    def context_for(self, host: str) -> SSL.Context:
        return self.for_host(host)._get_context()

    def creatorForNetloc(self, hostname: bytes, port: int) -> Any:  # noqa: N802 - Scrapy's
        factory = self.for_host(hostname.decode("ascii"))
        if factory is self:
            return super().creatorForNetloc(hostname, port)
        return factory.creatorForNetloc(hostname, port)


class SiteTLSDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, TLS options by host from the registry (`tls_ciphers`)."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self._contextFactory = SiteTLSContextFactory.from_crawler(crawler)
