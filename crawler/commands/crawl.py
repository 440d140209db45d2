"""`scrapy crawl NAME`: Scrapy's command, plus a per-spider lock and an honest exit status.

Cron reads the exit status: 0 when the crawl finished and the site answered; otherwise the
codes of `crawler.extensions.health`, with the reason on the last log line (and in `crawl_runs`).
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler.cli import Strict, check_spider_arguments
from crawler.runner import crawl_locked, exit_soon, exit_status, import_early


class Command(Strict, ScrapyCrawl):
    max_args = 1

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        import_early()
        super().process_options(args, opts)
        self.settings.set("RECORD_RUNS", True, priority="cmdline")  # crawl_runs: real crawls only

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name (see `scrapy list`)")
        assert self.crawler_process is not None and self.settings is not None
        name = args[0]
        if name not in self.crawler_process.spider_loader.list():
            known = ", ".join(sorted(self.crawler_process.spider_loader.list()))
            raise UsageError(f"no spider named {name!r}; known: {known}")
        check_spider_arguments(self.crawler_process.spider_loader.load(name), opts.spargs)
        self.exitcode = exit_status(crawl_locked(self, [name], opts.spargs))
        exit_soon()
