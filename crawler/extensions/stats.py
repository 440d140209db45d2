"""The crawl's stats collector: Scrapy's in-memory one, called directly.

Scrapy 2.13+ routes every attribute read of its stats collector through a Python
`__getattribute__` that wraps the public methods, to warn about their deprecated `spider`
argument: two extra Python calls and a raised AttributeError for each stat counted. A crawl
counts about sixty a page (Scrapy's own, the pipelines' provenance and timing counts), which
cost the reactor process about 0.1 ms a page. The methods and their results are Scrapy's; only
that warning is gone (nothing in this project passes `spider`).
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class DirectStatsCollector(MemoryStatsCollector):
    __getattribute__ = object.__getattribute__
