"""Test-only spiders: registry sites with a discovery route the registry does not give them.

No registry site declares a sitemap yet, so the sitemap route is exercised by
`baoquocte_sitemaps`: the real baoquocte entry and the real SiteSpider, plus `/sitemap.xml`.
Load it with `-s SPIDER_MODULES=crawler.spiders,tests.faults.spiders`.
"""

from __future__ import annotations

import dataclasses

from crawler.registry import default_registry
from crawler.spiders.sites import spider_class

BAOQUOCTE_SITEMAPS = dataclasses.replace(
    default_registry()["baoquocte"],
    name="baoquocte_sitemaps",
    sitemaps=("{root}sitemap.xml",),
    feeds=(),
    sections=(),
)
BaoquocteSitemapsSpider = spider_class(BAOQUOCTE_SITEMAPS)
BaoquocteSitemapsSpider.__module__ = __name__  # Scrapy's loader keeps classes defined here
