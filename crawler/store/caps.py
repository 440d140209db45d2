"""Every field capped to its limit once, before any work on it: the one place where over-long
values are cut (the crawl's pipeline runs it right after validation; the store applies it
again to items that reach it another way).

A 15 MB page whose body became a 15 M-character text used to be fingerprinted whole (MinHash
over 3 M shingles: 20 s and 2.8 GB in a worker) before the store cut it to 500,000 characters.
Cut first, then normalise, hash and fingerprint what will be stored: what was cut is counted
(`store/capped/FIELD`) and recorded in the row (`articles.capped`: field -> original length).
`content_hash` is the hash of the stored (capped) body.
"""

from __future__ import annotations

import json
import logging
from typing import Any

logger = logging.getLogger(__name__)

# Longest value kept per field (characters); a longer one is cut, counted and recorded in
# `articles.capped`, never dropped.
FIELD_LIMITS = {
    "title": 1_000,
    "lead": 5_000,
    "author": 300,
    "section": 300,
    "published_raw": 300,
    "canonical_url": 4_096,
    "text": 500_000,
}
IMAGES_LIMIT = 300
CAPTION_LIMIT = 2_000


def cap_fields(item: Any) -> dict[str, int]:
    """Cut over-long fields in place; return {field: original length} of those cut.

    The item's `capped` gets the same record (merged with an earlier one), so the row says so.
    """
    capped: dict[str, int] = {}
    for name, limit in FIELD_LIMITS.items():
        value = item.get(name)
        if isinstance(value, str) and len(value) > limit:
            capped[name] = len(value)
            cut = value[:limit]
            space = cut.rfind(" ")
            item[name] = cut[:space] if space > limit * 0.9 else cut
    images = item.get("images")
    if isinstance(images, list):
        if len(images) > IMAGES_LIMIT:
            capped["images"] = len(images)
            images = images[:IMAGES_LIMIT]
        kept = []
        for image in images:
            caption = image.get("caption") if isinstance(image, dict) else None
            if isinstance(caption, str) and len(caption) > CAPTION_LIMIT:
                capped["images.caption"] = max(capped.get("images.caption", 0), len(caption))
                image = {**image, "caption": caption[:CAPTION_LIMIT]}
            kept.append(image)
        item["images"] = kept
    if capped:
        earlier = item.get("capped")
        if isinstance(earlier, str):
            earlier = json.loads(earlier)
        item["capped"] = {**(earlier or {}), **capped}
    return capped


def limit_of(name: str) -> int:
    return FIELD_LIMITS.get(name, IMAGES_LIMIT if name == "images" else CAPTION_LIMIT)
