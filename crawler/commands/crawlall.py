"""`scrapy crawlall`: every enabled site in one process, for a one-line crontab.

Each site takes its own lock (a site still running from the last hour is skipped) and gets
its own verdict; the exit status is the first failing site's code, 0 when all went well.
"""

from __future__ import annotations

import argparse
import logging

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from crawler.cli import Strict, check_spider_arguments
from crawler.registry import default_registry
from crawler.runner import crawl_locked, exit_soon, exit_status, import_early

logger = logging.getLogger("crawler")


class Command(Strict, BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--only a,b] [-a NAME=VALUE ...] [-O 'out-%%(name)s.jsonl']"

    def short_desc(self) -> str:
        return "Crawl every enabled site of the registry in one process"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)  # Scrapy's -a, -o and -O
        parser.add_argument("--only", help="comma-separated site names (default: all enabled)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(
                f"unexpected argument(s): {' '.join(args)}; crawlall takes no site name"
                " (use --only NAME, or scrapy crawl NAME)"
            )
        for uri in (opts.output or []) + (opts.overwrite_output or []):
            if "%(name)s" not in uri:
                raise UsageError(
                    f"-o/-O {uri}: crawlall writes one feed per site; put %(name)s in the"
                    " file name (e.g. -O 'out-%(name)s.jsonl')"
                )
        import_early()
        super().process_options(args, opts)
        self.settings.set("RECORD_RUNS", True, priority="cmdline")  # crawl_runs: real crawls only

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        sites = [s for s in default_registry().values() if s.enabled]
        if opts.only:
            wanted = [n.strip() for n in opts.only.split(",") if n.strip()]
            unknown = sorted(set(wanted) - {s.name for s in sites})
            if unknown:
                raise UsageError(f"unknown or disabled site(s): {', '.join(unknown)}")
            sites = [s for s in sites if s.name in wanted]
        spargs = opts.spargs  # parsed by Scrapy (BaseRunSpiderCommand)
        assert self.crawler_process is not None
        for site in sites:
            check_spider_arguments(self.crawler_process.spider_loader.load(site.name), spargs)
        codes = crawl_locked(self, [site.name for site in sites], spargs)
        self.exitcode = exit_status(codes)
        exit_soon()
        failed = [code for code in codes if code]
        logger.info("crawlall: %d site(s), %d failed", len(codes), len(failed))
