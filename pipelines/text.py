"""Unicode NFC and whitespace for every text field (the store holds NFC only)."""

from __future__ import annotations

from typing import Any

from crawler.text.normalise import normalise_body, normalise_inline

INLINE_FIELDS = ("title", "lead", "author", "section")


def normalise_text(item: Any) -> Any:
    for name in INLINE_FIELDS:
        if name in item:
            item[name] = normalise_inline(item[name])
    if "text" in item:
        item["text"] = normalise_body(item["text"])
    if item.get("images"):
        item["images"] = [
            {"src": img.get("src"), "caption": normalise_inline(img.get("caption"))}
            for img in item["images"]
        ]
    return item


class NormaliseTextPipeline:
    def process_item(self, item: Any) -> Any:
        return normalise_text(item)
