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
from crawler.extensions import distributed
from crawler.extensions.health import EXIT_FAILED, EXIT_LOCKED, verdict
from crawler.extensions.locks import LockBusy, LockError, SpiderLock
from crawler.extensions.runlog import finish_unclosed
from crawler.registry import default_registry

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
        assert self.crawler_process is not None
        assert self.settings is not None
        locks, crawlers, codes = [], [], []
        for site in sites:
            lock = SpiderLock(self.settings["SQLITE_PATH"], site.name)
            try:
                if not distributed.enabled(self.settings):  # distributed workers write no SQLite
                    locks.append(lock.acquire())
            except LockError as exc:
                logger.error("%s: not started, %s", site.name, exc)
                codes.append(EXIT_LOCKED if isinstance(exc, LockBusy) else EXIT_FAILED)
                continue
            crawler = self._create_crawler(site.name)
            self.crawler_process.crawl(crawler, **spargs)
            crawlers.append(crawler)
        try:
            if crawlers:
                self.crawler_process.start()
        finally:
            for lock in locks:
                lock.release()
        threshold = self.settings.getfloat("ERROR_RATE_THRESHOLD", 0.5)
        for crawler in crawlers:
            finish_unclosed(crawler)  # a forced (second-signal) shutdown closed nothing
            code, reason = verdict(crawler.stats.get_stats(), threshold)
            (logger.info if code == 0 else logger.error)(
                "%s: exit %d: %s", crawler.spidercls.name, code, reason
            )
            codes.append(code)
        failed = [c for c in codes if c]
        self.exitcode = failed[0] if failed else 0
        logger.info("crawlall: %d site(s), %d failed", len(codes), len(failed))
