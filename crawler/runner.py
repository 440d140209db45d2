"""Lock, run, exit status: what `scrapy crawl` and `scrapy crawlall` share.

Each spider takes its own lock (one still running from the last hour is skipped with
EXIT_LOCKED), all run in one process, and each gets its own verdict (crawler.extensions.health)
logged on a line of its own; the exit status is the first failing spider's code, 0 when all
went well.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler

from crawler.extensions import distributed
from crawler.extensions.health import EXIT_FAILED, EXIT_LOCKED, verdict
from crawler.extensions.locks import LockBusy, LockError, SpiderLock
from crawler.extensions.runlog import finish_unclosed

logger = logging.getLogger("crawler")


def crawl_locked(command: ScrapyCommand, names: list[str], spargs: dict[str, Any]) -> list[int]:
    """Run the named spiders under their locks; return each one's exit code (in order of
    start, those that could not take their lock first)."""
    process, settings = command.crawler_process, command.settings
    assert process is not None and settings is not None
    locks: list[SpiderLock] = []
    crawlers: list[Crawler] = []
    codes: list[int] = []
    try:
        for name in names:
            lock = SpiderLock(settings["SQLITE_PATH"], name)
            try:
                if not distributed.enabled(settings):  # distributed workers write no SQLite
                    locks.append(lock.acquire())
            except LockError as exc:
                logger.error("%s: not started, %s", name, exc)
                codes.append(EXIT_LOCKED if isinstance(exc, LockBusy) else EXIT_FAILED)
                continue
            crawler = command._create_crawler(name)
            process.crawl(crawler, **spargs)
            crawlers.append(crawler)
        if crawlers:
            tune_gc(settings)
            process.start()
    finally:
        for lock in locks:
            lock.release()
    threshold = settings.getfloat("ERROR_RATE_THRESHOLD", 0.5)
    for crawler in crawlers:
        name = crawler.spidercls.name
        if crawler.stats is None or getattr(crawler, "spider", None) is None:
            logger.error("%s: the crawl could not start", name)
            codes.append(EXIT_FAILED)
            continue
        finish_unclosed(crawler)  # a forced (second-signal) shutdown closed nothing
        code, reason = verdict(crawler.stats.get_stats(), threshold)
        (logger.info if code == 0 else logger.error)("%s: exit %d: %s", name, code, reason)
        codes.append(code)
    return codes


def exit_status(codes: list[int]) -> int:
    failed = [code for code in codes if code]
    return failed[0] if failed else 0


def tune_gc(settings: Any) -> None:
    """The cyclic collector's young generation, GC_YOUNG_THRESHOLD allocations (0: Python's).

    At Python's 700, a crawl's requests, responses and Deferreds, alive a few milliseconds
    each, trigger a young collection every few pages; what survives them is promoted and
    traced again by the older generations, up to the whole heap (Scrapy, lxml, Twisted: 60 ms
    a full pass). That was a sixth of the crawl process's CPU, 0.5 ms a page; at 10,000 it is
    a fraction of that, for a few MB more of garbage waiting for its collection (20,000 cost
    10 MiB more at 20,000 pages: the crawl's peak went past 400 MB)."""
    young = settings.getint("GC_YOUNG_THRESHOLD")
    if young > 0:
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(young, older, oldest)


def import_early() -> None:
    """Import the HTTPS handler's TLS module near the bottom of the stack, before the crawl.

    Its deprecated aliases (scrapy.utils.deprecate) call inspect.stack(), which reads the
    source of every frame above it: pulled in by the first request, from inside the event
    loop, that cost 0.11 s of every crawl's start; from a command's options, 0.07 s."""
    import scrapy.core.downloader.contextfactory  # noqa: F401


def exit_soon() -> None:
    """The crawl is over and the process is about to exit: move every object out of the cyclic
    garbage collector's reach, so that the interpreter's teardown frees them without tracing
    them all first (a third of a second a crawl). What must happen at exit still does: atexit
    handlers, logging's flush, the objects freed by their reference counts."""
    gc.freeze()

