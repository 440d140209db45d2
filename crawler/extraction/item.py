"""A fetched page as the pipelines receive it: extraction plus the fields every caller sets.

The spider (through the worker pool), `scrapy extract` and `scrapy reextract` all go through
here, so an item means the same thing whichever way it was made; pages as bytes are decoded
by crawler.decoding, the one place bytes become text.
"""

from __future__ import annotations

from typing import Any

from crawler.decoding import decode_html
from crawler.registry import Site, generic_profile
from crawler.urls import clean_url

from .article import extract_article


def page_item(
    html: str, url: str, site: Site | None, hints: dict[str, Any] | None, fetched_at: str
) -> dict[str, Any]:
    fields = extract_article(html, url, site.profile if site else generic_profile(), hints)
    fields["url"] = clean_url(url)
    if fields.get("canonical_url"):
        fields["canonical_url"] = clean_url(fields["canonical_url"])
    fields.setdefault("language", site.language if site else None)
    fields["site"] = site.name if site else None
    fields["fetched_at"] = fetched_at
    return fields


def page_item_from_bytes(
    body: bytes,
    content_type: str | bytes | None,
    url: str,
    site: Site | None,
    hints: dict[str, Any] | None,
    fetched_at: str,
) -> dict[str, Any]:
    """page_item of a page as fetched: its bytes and Content-Type header, decoded by
    crawler.decoding. Adds `html` (the decoded page), `page_encoding` (the codec used) and
    `page_body_needed` (False when the bytes are just the UTF-8 of `html`: no need to keep them)."""
    decoded = decode_html(body, content_type)
    fields = page_item(decoded.html, url, site, hints, fetched_at)
    fields["html"] = decoded.html
    fields["page_encoding"] = decoded.encoding
    fields["page_body_needed"] = decoded.html.encode("utf-8") != body
    return fields
