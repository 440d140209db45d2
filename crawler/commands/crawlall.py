"""`scrapy crawlall`: every enabled site in one process, for a one-line crontab."""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.registry import default_registry


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--only a,b] [-a NAME=VALUE ...]"

    def short_desc(self) -> str:
        return "Crawl every enabled site of the registry in one process"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--only", help="comma-separated site names (default: all enabled)")
        parser.add_argument(
            "-a",
            dest="spargs",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="spider argument, passed to every site",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        sites = [s for s in default_registry().values() if s.enabled]
        if opts.only:
            wanted = [n.strip() for n in opts.only.split(",") if n.strip()]
            unknown = sorted(set(wanted) - {s.name for s in sites})
            if unknown:
                raise UsageError(f"unknown or disabled site(s): {', '.join(unknown)}")
            sites = [s for s in sites if s.name in wanted]
        spargs = {}
        for pair in opts.spargs:
            name, sep, value = pair.partition("=")
            if not sep:
                raise UsageError(f"-a {pair!r}: expected NAME=VALUE")
            spargs[name] = value
        assert self.crawler_process is not None
        crawlers = [self.crawler_process.create_crawler(site.name) for site in sites]
        for crawler in crawlers:
            self.crawler_process.crawl(crawler, **spargs)
        self.crawler_process.start()
        if any(c.stats.get_value("finish_reason") != "finished" for c in crawlers):
            self.exitcode = 1
