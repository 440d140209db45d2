"""`scrapy crawl NAME`: Scrapy's command, plus a per-spider lock and an honest exit status.

Cron reads the exit status: 0 when the crawl finished and the site answered; otherwise the
codes of `crawler.extensions.health`, with the reason on the last log line (and in `crawl_runs`).
"""

from __future__ import annotations

import argparse
import logging

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler.cli import Strict, check_spider_arguments
from crawler.extensions import distributed
from crawler.extensions.health import EXIT_FAILED, EXIT_LOCKED, verdict
from crawler.extensions.locks import LockBusy, LockError, SpiderLock
from crawler.extensions.runlog import finish_unclosed

logger = logging.getLogger("crawler")


class Command(Strict, ScrapyCrawl):
    max_args = 1

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
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
        lock = SpiderLock(self.settings["SQLITE_PATH"], name)
        try:
            if not distributed.enabled(self.settings):  # distributed workers write no SQLite
                lock.acquire()
        except LockBusy as exc:
            logger.error("%s: not started, %s", name, exc)
            self.exitcode = EXIT_LOCKED
            return
        except LockError as exc:
            logger.error("%s: not started, %s", name, exc)
            self.exitcode = EXIT_FAILED
            return
        try:
            crawler = self._create_crawler(name)
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            lock.release()
        if self.crawler_process.bootstrap_failed or crawler.stats is None:
            self.exitcode = EXIT_FAILED
            logger.error("%s: the crawl could not start", name)
            return
        finish_unclosed(crawler)  # a forced (second-signal) shutdown closed nothing
        threshold = self.settings.getfloat("ERROR_RATE_THRESHOLD", 0.5)
        self.exitcode, reason = verdict(crawler.stats.get_stats(), threshold)
        log = logger.info if self.exitcode == 0 else logger.error
        log("%s: exit %d: %s", name, self.exitcode, reason)
