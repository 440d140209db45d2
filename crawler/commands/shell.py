"""`scrapy shell [URL]`: Scrapy's shell, with unknown options refused (no `crawl_runs` row)."""

from __future__ import annotations

from scrapy.commands.shell import Command as ScrapyShell

from crawler.cli import Strict


class Command(Strict, ScrapyShell):
    max_args = 1
