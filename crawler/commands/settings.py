"""`scrapy settings`: Scrapy's command; unknown options and stray arguments exit 2."""

from __future__ import annotations

from scrapy.commands.settings import Command as ScrapySettings

from crawler.cli import Strict


class Command(Strict, ScrapySettings):
    max_args = 0
