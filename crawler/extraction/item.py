"""A fetched page as the pipelines receive it: extraction plus the fields every caller sets.

The spider (through the worker pool), `scrapy extract` and `scrapy reextract` all go through
here, so an item means the same thing whichever way it was made.
"""

from __future__ import annotations

from typing import Any

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
