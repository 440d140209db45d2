"""`scrapy edit`: Scrapy's command, with unknown options and stray arguments refused (exit 2)."""

from __future__ import annotations

from scrapy.commands.edit import Command as ScrapyEdit

from crawler.cli import Strict


class Command(Strict, ScrapyEdit):
    max_args = 1
