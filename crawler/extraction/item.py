"""A fetched page as the pipelines receive it: extraction plus the fields every caller sets.

The spider (through the worker pool), `scrapy extract`, `scrapy reextract`, the benchmarks and
the tests all go through `page_item` (or `page_item_from_bytes` for a page as fetched: bytes are
decoded by crawler.text.decoding, the one place bytes become text), so an item means the same thing
whichever way it was made: its publication date is decided here, against the injected fetch time.
"""

from __future__ import annotations

from typing import Any

from crawler.discovery.urls import clean_url
from crawler.registry import Site, generic_profile
from crawler.text.decoding import decode_page

from .article import extract_article
from .dating import apply_date
from .memory import SiteMemory


def page_item(
    html: str,
    url: str,
    site: Site | None,
    hints: dict[str, Any] | None,
    fetched_at: str,
    memory: SiteMemory | None = None,
) -> dict[str, Any]:
    """One page to one item; `memory` is what the site repeats (crawler.extraction.memory)."""
    profile = site.profile if site else generic_profile()
    fields = extract_article(html, url, profile, hints, memory)
    fields["url"] = clean_url(url)
    if fields.get("canonical_url"):
        fields["canonical_url"] = clean_url(fields["canonical_url"])
    fields.setdefault("language", site.language if site else None)
    fields["site"] = site.name if site else None
    fields["fetched_at"] = fetched_at
    return apply_date(fields, fetched_at)


def page_item_from_bytes(
    body: bytes,
    content_type: str | bytes | None,
    url: str,
    site: Site | None,
    hints: dict[str, Any] | None,
    fetched_at: str,
    memory: SiteMemory | None = None,
) -> dict[str, Any]:
    """page_item of a page as fetched: its bytes and Content-Type header, decoded by
    crawler.text.decoding. Adds `html` (the decoded page), `page_encoding` (the codec used),
    `page_decoding` (what the page declared and how its bytes were read) and
    `page_body_needed` (False when the bytes are just the UTF-8 of `html`: no need to keep them)."""
    decoded, exact = decode_page(body, content_type)
    fields = page_item(decoded.html, url, site, hints, fetched_at, memory)
    fields["html"] = decoded.html
    fields["page_encoding"] = decoded.encoding
    fields["page_decoding"] = {"declared": decoded.declared, "how": decoded.how}
    fields["page_body_needed"] = not exact
    return fields


MIN_TEXT_CHARS = 200


def rejection_reason(item: Any, min_text_chars: int = MIN_TEXT_CHARS) -> str | None:
    """Why this item is not an article, or None when it is one."""
    if not (item.get("title") or "").strip():
        return "no_title"
    text = (item.get("text") or "").strip()
    if not text:
        return "no_text"
    if len(text) < min_text_chars:
        return "text_too_short"
    return None
