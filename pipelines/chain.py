"""The normalising pipelines as one function, for commands that extract without storing.

It imports no Scrapy (the commands' worker processes import it): the pipelines' pure parts
come from the stages below them."""

from __future__ import annotations

from typing import Any

from crawler.extraction.item import rejection_reason
from crawler.store.caps import cap_fields
from crawler.text.normalise import content_hash, normalise_item_text

from .dates import normalise_date


def normalise(item: dict[str, Any]) -> dict[str, Any]:
    """Cap, then apply text, date and hash normalisation (as the crawl's pipelines do); record
    why the item would be dropped."""
    cap_fields(item)
    normalise_item_text(item)
    normalise_date(item)
    item["rejected"] = rejection_reason(item)
    item["content_hash"] = content_hash(item["text"]) if item.get("text") else None
    return item
