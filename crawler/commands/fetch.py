"""`scrapy fetch`: Scrapy's command, with unknown options and stray arguments refused (exit 2)."""

from __future__ import annotations

from scrapy.commands.fetch import Command as ScrapyFetch

from crawler.cli import Strict


class Command(Strict, ScrapyFetch):
    max_args = 1
