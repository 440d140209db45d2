"""SPIDER_LOADER_CLASS: Scrapy's spider loader plus one spider per enabled registry site, so
`scrapy list` and `scrapy crawl NAME` know every site.

A registry error stops the command before anything runs: one line on stderr naming the file,
the site and the field, exit status 2 (an operator's edit: no traceback).
"""

from __future__ import annotations

import sys

from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader

from crawler.registry import RegistryError, default_registry
from crawler.spiders.sites import spider_class


class RegistrySpiderLoader(SpiderLoader):
    def __init__(self, settings: BaseSettings):
        super().__init__(settings)  # SPIDER_MODULES: spiders written as classes (tests' too)
        try:
            sites = default_registry()
        except RegistryError as exc:
            print(f"registry error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        for site in sites.values():
            if site.enabled:
                cls = spider_class(site)
                self._found[cls.name].append((cls.__module__, cls.__name__))
                self._spiders[cls.name] = cls
        self._check_name_duplicates()
