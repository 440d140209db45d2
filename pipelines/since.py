"""`-a since=YYYY-MM-DD`: articles published before it are dropped, and their section stops."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem


class SincePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SincePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        spider = self.crawler.spider
        check = getattr(spider, "older_than_since", None)
        section = (item.get("hints") or {}).get("section")
        if check is not None and check(item.get("published_at"), section):
            self.crawler.stats.inc_value("dropped/older_than_since")
            raise DropItem(f"published before since: {item.get('url')}", log_level="DEBUG")
        return item
