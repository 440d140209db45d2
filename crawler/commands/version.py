"""`scrapy version`: Scrapy's command, with unknown options and stray arguments refused (exit 2)."""

from __future__ import annotations

from scrapy.commands.version import Command as ScrapyVersion

from crawler.cli import Strict


class Command(Strict, ScrapyVersion):
    max_args = 0
