"""`scrapy view`: Scrapy's command, with unknown options and stray arguments refused (exit 2)."""

from __future__ import annotations

from scrapy.commands.view import Command as ScrapyView

from crawler.cli import Strict


class Command(Strict, ScrapyView):
    max_args = 1
