"""URL clean-up shared by the spiders and the store.

`clean_url` is what the spiders store as the URL fetched. `canonical_url` is the key the store
compares URLs by: two URLs with the same canonical form are one article.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.registry import Site, default_registry

TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "zarsrc", "_ga", "mc_")
# Host prefixes of mobile and AMP editions ("m.baoquocte.vn", "amp.thoidai.com.vn").
VARIANT_HOST_PREFIXES = ("m.", "amp.", "mobile.")
# Query parameters that only select the AMP or mobile rendering.
VARIANT_PARAMS = {"amp": None, "outputtype": "amp", "view": "amp", "mobile": None}
DEFAULT_PORTS = {"http": 80, "https": 443}


def clean_url(url: str) -> str:
    """Drop the fragment and tracking parameters; lower-case the scheme and host."""
    parts = urlsplit(url.strip())
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), "")
    )


def _site_by_host(sites: Mapping[str, Site]) -> dict[str, Site]:
    return {host: site for site in sites.values() for host in site.hosts}


def _strip_amp_path(path: str) -> str:
    if path.startswith("/amp/"):
        path = path[4:]
    for suffix in ("/amp/", "/amp"):
        if path.endswith(suffix) and len(path) > len(suffix):
            path = path[: -len(suffix)]
    if path.endswith(".amp.html"):
        path = path[: -len(".amp.html")] + ".html"
    elif path.endswith(".amp"):
        path = path[: -len(".amp")]
    return path or "/"


def _is_variant_param(key: str, value: str) -> bool:
    key = key.lower()
    return key in VARIANT_PARAMS and VARIANT_PARAMS[key] in (None, value.lower())


def _canonical_host(host: str, by_host: dict[str, Site]) -> tuple[str, Site | None]:
    """The registry's canonical host for any alias, mobile or AMP host; `www.` off elsewhere."""
    if host in by_host:
        site = by_host[host]
        return site.canonical_host, site
    for prefix in VARIANT_HOST_PREFIXES:
        rest = host[len(prefix) :]
        if host.startswith(prefix) and "." in rest:
            for candidate in (rest, f"www.{rest}"):
                if candidate in by_host:
                    site = by_host[candidate]
                    return site.canonical_host, site
            host = rest
            break
    if host.startswith("www.") and host.count(".") >= 2:
        host = host[4:]
    return host, None


def _canonical(url: str, by_host: dict[str, Site]) -> tuple[str, Site | None]:
    parts = urlsplit(clean_url(url))
    scheme = parts.scheme or "https"
    host = parts.hostname or ""
    port = parts.port if parts.port not in (None, DEFAULT_PORTS.get(scheme)) else None
    host, site = _canonical_host(host, by_host)
    if site is not None:
        scheme = urlsplit(site.root).scheme
    elif scheme == "http":
        scheme = "https"  # the same page over http and https
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_variant_param(k, v)
    )
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((scheme, netloc, _strip_amp_path(parts.path), urlencode(query), "")), site


def canonical_url(
    url: str, declared: str | None = None, sites: Mapping[str, Site] | None = None
) -> str:
    """The form two URLs of one article share.

    Tracking parameters and the fragment go; the host becomes the registry's canonical host
    (`hosts[0]`) for any of its aliases and for `m.`/`amp.` hosts; `www.` goes on other hosts;
    AMP paths (`/amp/...`, `.../amp`, `.amp.html`) and parameters (`?amp=1`) go; the scheme
    is the registry root's (https elsewhere); the remaining parameters are sorted.

    `declared` is the page's rel=canonical: it wins when it names an article page of the same
    site (a canonical pointing at the home page or at another site is ignored).
    """
    if sites is None:
        sites = default_registry()
    by_host = _site_by_host(sites)
    key, site = _canonical(url, by_host)
    if not declared:
        return key
    declared_key, declared_site = _canonical(urljoin(url, declared.strip()), by_host)
    if site is not None:
        if declared_site is site and site.is_article_url(declared_key):
            return declared_key
        return key
    same_host = urlsplit(declared_key).netloc == urlsplit(key).netloc
    if same_host and urlsplit(declared_key).path not in ("", "/"):
        return declared_key
    return key
