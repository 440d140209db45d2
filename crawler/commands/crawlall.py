"""`scrapy crawlall`: every enabled site in one process, for a one-line crontab.

Each site takes its own lock (a site still running from the last hour is skipped) and gets
its own verdict; the exit status is the first failing site's code, 0 when all went well.
"""

from __future__ import annotations

import argparse
import logging

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler import distributed
from crawler.health import EXIT_FAILED, EXIT_LOCKED, verdict
from crawler.locks import LockBusy, LockError, SpiderLock
from crawler.registry import default_registry
from crawler.runlog import finish_unclosed

logger = logging.getLogger("crawler")


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
            crawler = self.crawler_process.create_crawler(site.name)
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
