"""Who the article is about (crawler.extraction.facets), computed in the worker pool before
the store.

The scan costs about a millisecond an article; it runs in the crawl's worker pool like the
fingerprints, so neither the reactor nor the store's writer process spends it. The store writes
the result with the article, in the same transaction (and computes it itself for an item that
comes without it, e.g. from an older crawler through Redis).
"""

from __future__ import annotations

import logging
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from crawler.extraction.facets import FACET_INPUTS, analyse, stamp_facets
from crawler.extraction.facets.gazetteer import GazetteerError
from crawler.extraction.pool import shared_pool, step_report

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def item_facets(
    title: str | None, lead: str | None, text: str | None, url: str | None,
    section: str | None, published_at: str | None,
) -> dict[str, Any]:
    return analyse(title, lead, text, url, section, published_at)


class FacetsPipeline:
    """Stamp `facets` (partners, provinces, relevance) on the item."""

    def __init__(self, crawler: Crawler):
        self.pool = shared_pool(crawler.settings)
        self.pool.add_step("item_facets", stamp_facets)
        self.stats = crawler.stats
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FacetsPipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        ran, error = step_report(item, "item_facets")
        if not ran:
            args = tuple(item.get(name) for name in FACET_INPUTS)
            try:
                try:
                    item["facets"] = await self.pool.run(item_facets, *args, stats=self.stats)
                except BrokenProcessPool:  # a worker died (the pool restarts): never lose it
                    self.stats.inc_value("pool/inline_fallback")
                    item["facets"] = item_facets(*args)
            except GazetteerError as exc:
                error = str(exc)
        if error is not None:  # the article is stored all the same, without facets
            self.stats.inc_value("facets/errors")
            if not self.failed:
                logger.error("%s; articles are stored without their facets", error)
            self.failed = True
            return item
        facets = item["facets"]
        relevance = facets["relevance"]
        self.stats.inc_value(
            "facets/foreign_affairs" if relevance["foreign_affairs"] else "facets/other"
        )
        self.stats.inc_value("facets/partners", len(facets["partners"]))
        return item
