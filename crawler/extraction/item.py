"""A fetched page as the pipelines receive it: extraction plus the fields every caller sets.

The spider (through the worker pool), `scrapy extract`, `scrapy reextract`, the benchmarks and
the tests all go through `page_item`, so an item means the same thing whichever way it was
made: its publication date is decided here, against the injected fetch time.
"""

from __future__ import annotations

from typing import Any

from crawler.registry import Site, generic_profile
from crawler.urls import clean_url

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
