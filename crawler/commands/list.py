"""`scrapy list`: one line per spider, with its site family and default sections."""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand
from scrapy.spiderloader import get_spider_loader

from crawler.registry import default_registry


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "List the spiders: name, family, sections"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--names", action="store_true", help="names only")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        names = sorted(get_spider_loader(self.settings).list())
        sites = default_registry()
        width = max(map(len, names), default=0)
        for name in names:
            site = sites.get(name)
            if opts.names or site is None:
                print(name)
                continue
            sections = ",".join(site.sections) or "-"
            print(f"{name:<{width}}  {site.family:<10}  {sections}")
