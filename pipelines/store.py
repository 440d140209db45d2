"""The Scrapy pipeline that writes the SQLite store (crawler.store) in a writer process.

Writes go in batches, each batch one `BEGIN IMMEDIATE` transaction that also carries the
article's URLs, page, signature and full-text entry: a crash (even SIGKILL) loses at most the
unwritten batch, never half an article. WAL mode lets readers query while a crawl writes.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro

from crawler.extraction.pool import shared_pool
from crawler.store import Store, StoreError, Written, explain, missing_fields, store_prep
from crawler.store.writer import WriterProcess

logger = logging.getLogger(__name__)


def refuse_incomplete(record: dict[str, Any], stats: StatsCollector) -> None:
    """Drop (loudly, counted as `store/invalid/<field>`) an item the store would refuse: the
    one check of the required fields before an item leaves the crawl (store or Redis)."""
    missing = missing_fields(record)
    if missing:
        for name in missing:
            stats.inc_value(f"store/invalid/{name}")
        raise DropItem(
            f"not stored, missing {', '.join(missing)}: {record.get('url')}", log_level="ERROR"
        )


class SQLiteStorePipeline:
    """Buffer items and write them in batches (STORE_BATCH_SIZE, or every few seconds).

    A full batch is handed by one writer thread to the store's writer process
    (crawler.store.writer: its SQLite work leaves this process and its GIL) while the reactor
    goes on; at most one batch is in flight, so a slow disk holds the crawl back instead of
    filling memory. The stats are only touched on the reactor thread. `STORE_WRITER_PROCESS =
    False` writes on the thread itself, as one connection of this process. `self.store` is
    this process's own connection (opened first: it migrates and checks the file), for reads.

    A store that cannot open fails the crawl at start (StoreError, naming the file). A batch
    that cannot be written stops the crawl (finish reason `store_error`) with every lost URL
    logged and counted (`store/lost_items`); so does a writer process that died (killed,
    crashed), with the batch it had: the batches after it, until the crawl has stopped, are
    written on the thread. An item the database refuses is retried alone so that it does not
    take its batch down with it.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = crawler.settings.get("SQLITE_PATH")
        if not self.path:
            raise NotConfigured("SQLITE_PATH is empty")
        self.batch_size = crawler.settings.getint("STORE_BATCH_SIZE", 50)
        self.max_wait = crawler.settings.getfloat("STORE_FLUSH_SECONDS", 5.0)
        self.pending: list[dict[str, Any]] = []
        self.oldest = 0.0
        self.store: Store | None = None
        self.in_process = not crawler.settings.getbool("STORE_WRITER_PROCESS", True)
        self.starting: Future[WriterProcess | None] | None = None
        self.process_died = False
        self.start_failed = False  # reported with the next batch written (`_write`)
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="store-writer")
        self.in_flight: Future[Written] | None = None
        self.flushing = asyncio.Lock()
        # Opened here, when the crawler is built, rather than in open_spider: a store that
        # cannot open then fails the crawl before the spider starts (exit status 1, one
        # error line naming the file and the problem).
        self.open_spider()
        # folding for search and compressing the page, in the extraction worker
        shared_pool(crawler.settings).add_step("store_prep", store_prep)
        crawler.signals.connect(self.flush, signal=signals.spider_idle)
        crawler.signals.connect(self._request_scheduled, signal=signals.request_scheduled)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SQLiteStorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.store is not None:
            return
        try:
            self.store = Store(self.path)
        except StoreError as exc:
            logger.error("%s", exc)
            raise StoreError(str(exc)) from None

    def _start_process(self) -> WriterProcess | None:
        try:
            process = WriterProcess(self.path)
        except StoreError as exc:  # this process's connection opened: the batches go there
            logger.warning("%s; the batches are written on a thread of the crawl", exc)
            self.start_failed = True
            return None
        logger.info("%s: store writer process %d", self.path, process.pid)
        return process

    def _start_soon(self) -> None:
        """Start the writer process (with the first article request, else the first item), on
        the writer thread, first in its queue: the crawl does not wait for its start-up (half
        a second), the first batch does if it comes sooner, and a run that stores nothing
        starts none."""
        if self.starting is None and not self.in_process:
            self.starting = self.writer.submit(self._start_process)

    def _request_scheduled(self, request: Request) -> None:
        """The first article request starts the writer process, as it starts the extraction
        workers: its start-up (imports, opening the file) then runs while the first pages are
        fetched and extracted, on a core that is otherwise still idle, not once they compete
        for it. A run that requests no article starts none."""
        if self.starting is None and request.meta.get("article"):
            self._start_soon()

    @property
    def process(self) -> WriterProcess | None:
        """The writer process (started now if no item has, waiting for its start), None where
        batches go on the thread."""
        self._start_soon()
        return self.starting.result() if self.starting is not None else None

    def close_spider(self) -> None:
        try:
            self.flush()
        finally:
            process = self.starting.result() if self.starting is not None else None
            self.writer.shutdown()
            if process is not None:
                process.close()  # its pipe closes: it ends after its batch
            self.starting = None
            if self.store is not None:
                self.store.close()
                self.store = None

    async def process_item(self, item: Any) -> Any:
        record = dict(item)
        refuse_incomplete(record, self.stats)
        self._start_soon()
        if not self.pending:
            self.oldest = time.monotonic()
        self.pending.append(record)
        if len(self.pending) >= self.batch_size or time.monotonic() - self.oldest > self.max_wait:
            async with self.flushing:
                if self.in_flight is not None:
                    written = self.in_flight
                    await asyncio.wrap_future(written)
                    self._settle(written)
                if self.pending and self.store is not None:
                    batch, self.pending = self.pending, []
                    self.in_flight = self.writer.submit(self._write, batch)
        return item

    def flush(self) -> None:
        """Write everything now, on this thread (spider idle, close, tests)."""
        if self.in_flight is not None:
            self._settle(self.in_flight)  # waits for it
        if not self.pending or self.store is None:
            return
        batch, self.pending = self.pending, []
        self._account(self._write(batch))

    def _settle(self, written: Future[Written]) -> None:
        """Account for the batch in flight once, whoever waited for it."""
        result = written.result()
        if self.in_flight is written:
            self.in_flight = None
            self._account(result)

    def _account(self, written: Written) -> None:
        for outcome in written.outcomes:
            self.stats.inc_value(f"store/{outcome}")
        for key, count in written.counter.items():
            self.stats.inc_value(f"store/{key}", count)
        if written.error is not None:
            self._fail(written.failed, written.error)

    def _write(self, batch: list[dict[str, Any]]) -> Written:
        """The batch written (on whichever thread calls); a writer process that could not
        start is counted with it (`store/writer_process_failed`)."""
        written = self._write_somewhere(batch)
        if self.start_failed:
            written.counter["writer_process_failed"] += 1
            self.start_failed = False
        return written

    def _write_somewhere(self, batch: list[dict[str, Any]]) -> Written:
        """To the writer process, else on this thread; whatever keeps the batch from the
        database (a writer process that died, a bug) loses it, counted like a database error."""
        try:
            process = self.process
            if process is not None and not self.process_died:
                try:
                    return process.write_batch(batch)
                except BrokenProcessPool:
                    self.process_died = True  # the batches still to come go on the thread
                    raise
            return self.store.write_batch(batch)
        except Exception as exc:
            if not isinstance(exc, (sqlite3.Error, BrokenProcessPool)):  # a bug: its traceback
                logger.error("%s: writing a batch raised", self.path, exc_info=True)
            return Written(failed=batch, error=exc)

    def _fail(self, batch: list[dict[str, Any]], exc: Exception) -> None:
        self.stats.inc_value("store/errors")
        self.stats.inc_value("store/lost_items", len(batch))
        logger.error(
            "%s: writing %d articles failed, the crawl stops: %s",
            self.path,
            len(batch),
            explain(exc),
        )
        for record in batch:
            logger.warning("not stored: %s", record.get("url"))
        try:
            engine = self.crawler.engine
        except RuntimeError:  # no crawl running (the pipeline used on its own)
            return
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason="store_error"))
