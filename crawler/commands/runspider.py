"""`scrapy runspider`: Scrapy's command; unknown options and stray arguments exit 2."""

from __future__ import annotations

from scrapy.commands.runspider import Command as ScrapyRunspider

from crawler.cli import Strict


class Command(Strict, ScrapyRunspider):
    max_args = 1
