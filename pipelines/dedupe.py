"""Content hash of the normalised body: the key the store dedupes on, across crawls and sites."""

from __future__ import annotations

from typing import Any

from crawler.textnorm import content_hash


class ContentHashPipeline:
    """Stamp `content_hash`; the store looks it up to merge a republication into one article."""

    def process_item(self, item: Any) -> Any:
        item["content_hash"] = content_hash(item["text"])
        return item
