"""`scrapy list`: spider names one a line, as Scrapy prints them (Scrapyd reads this);
`--long` adds each site's family and default sections."""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand
from scrapy.spiderloader import get_spider_loader

from crawler.cli import Strict
from crawler.registry import default_registry


class Command(Strict, ScrapyCommand):
    max_args = 0
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "List the spiders, one name a line (--long: family and sections too)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-l", "--long", action="store_true", help="a table: name, family, sections"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        names = sorted(get_spider_loader(self.settings).list())
        sites = default_registry()
        width = max(map(len, names), default=0)
        for name in names:
            site = sites.get(name)
            if not opts.long or site is None:
                print(name)
                continue
            sections = ",".join(site.sections) or "-"
            print(f"{name:<{width}}  {site.family:<10}  {sections}")
