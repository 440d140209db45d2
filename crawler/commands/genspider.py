"""`scrapy genspider`: Scrapy's command; unknown options and stray arguments exit 2."""

from __future__ import annotations

from scrapy.commands.genspider import Command as ScrapyGenspider

from crawler.cli import Strict


class Command(Strict, ScrapyGenspider):
    max_args = 2
