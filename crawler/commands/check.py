"""`scrapy check`: Scrapy's contracts, one per site (its home page gives article links).

Run against the live sites, or a mirror (`-s MIRROR_HOSTS=...`); nothing is stored and no
`crawl_runs` row is written. Known articles are not skipped, so a full store still passes.
"""

from __future__ import annotations

import argparse

from scrapy.commands.check import Command as ScrapyCheck
from scrapy.spiderloader import get_spider_loader

from crawler.cli import Strict, check_spider_arguments


class Command(Strict, ScrapyCheck):
    max_args = None  # spider names

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        self.settings.set("INCREMENTAL", False, priority="cmdline")
        self.settings.set("ITEM_PIPELINES", {}, priority="cmdline")
        loader = get_spider_loader(self.settings)
        for name in args or loader.list():
            if name in loader.list():
                check_spider_arguments(loader.load(name), opts.spargs)
