"""`scrapy bench`: Scrapy's command, with unknown options and stray arguments refused (exit 2)."""

from __future__ import annotations

from scrapy.commands.bench import Command as ScrapyBench

from crawler.cli import Strict


class Command(Strict, ScrapyBench):
    max_args = 0
