"""Unicode NFC and whitespace for every text field (the store holds NFC only)."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawler.extraction.pool import shared_pool, step_report
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


def text_step(item: dict[str, Any]) -> None:
    normalise_text(item)


class NormaliseTextPipeline:
    """normalise_text, done in the extraction worker for the spiders' items."""

    def __init__(self, crawler: Crawler):
        shared_pool(crawler.settings).add_step("normalise_text", text_step)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormaliseTextPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        ran, _ = step_report(item, "normalise_text")
        return item if ran else normalise_text(item)
