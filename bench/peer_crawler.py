"""The peer: the crawler a user would write without this project, for the benchmark's ratios.

    python -m bench.peer_crawler URL_OF_LISTING PAGES ARTICLE_REGEX DB

A Scrapy `CrawlSpider` whose start requests are a section's listing pages, one `Rule` with a
`LinkExtractor` for the article links, trafilatura's `bare_extraction` (text and metadata) in
the callback, and a pipeline that upserts each item into SQLite with sqlite-utils. Same
concurrency as the benchmark's crawl of our spider, none of our settings (it runs its own
`CrawlerProcess`, not the project's). It crawls the mirror directly on 127.0.0.1.
"""

from __future__ import annotations

import sys
from typing import Any

import sqlite_utils
import trafilatura
from scrapy import Request
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class ArticleSpider(CrawlSpider):
    name = "peer"

    def __init__(self, listing: str, pages: int, article: str, **kwargs: Any):
        self.listing, self.pages = listing, int(pages)
        self.rules = (Rule(LinkExtractor(allow=article), callback="parse_article"),)
        super().__init__(**kwargs)

    async def start(self):
        for page in range(self.pages):
            yield self.make_request(page)

    def make_request(self, page: int) -> Request:
        url = self.listing if page == 0 else f"{self.listing}&s_cond=&BRSR={page * 15}"
        return Request(url)  # no callback: CrawlSpider's own, which applies the rules

    def parse_article(self, response):
        doc = trafilatura.bare_extraction(
            response.text, url=response.url, with_metadata=True, include_comments=False
        )
        if doc is None:
            return
        yield {
            "url": response.url,
            "title": doc.title,
            "author": doc.author,
            "date": doc.date,
            "description": doc.description,
            "text": doc.text,
        }


class SQLitePipeline:
    def __init__(self, path: str):
        self.db = sqlite_utils.Database(path)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings["PEER_DB"])

    def process_item(self, item):
        self.db["articles"].upsert(dict(item), pk="url")
        return item

    def close_spider(self):
        self.db.close()


def main(argv: list[str]) -> int:
    listing, pages, article, db = argv
    process = CrawlerProcess(
        {
            "PEER_DB": db,
            "ITEM_PIPELINES": {"bench.peer_crawler.SQLitePipeline": 300},
            "CONCURRENT_REQUESTS": 32,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
            "DOWNLOAD_DELAY": 0,
            "ROBOTSTXT_OBEY": True,
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
        }
    )
    process.crawl(ArticleSpider, listing=listing, pages=pages, article=article)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
