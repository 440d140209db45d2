"""`scrapy ingest`: the one writer of the SQLite store in distributed mode.

Crawlers started with `-s REDIS_URL=...` push items and run reports onto one Redis list
(crawler/extensions/distributed.py); this command, run once on the machine that owns the
SQLite file, pops them and writes them with `Store.write_batch`, so SQLite is never written
from two hosts. It records each crawler's run in `crawl_runs`, with the store outcomes of that run's
items (new, updated, duplicates) that only the writer knows.

Delivery is at least once: a batch is moved atomically to `<prefix>:items:processing` and
removed from there only after its SQLite transaction committed; an ingest that dies (even by
SIGKILL) writes that batch again when it restarts (the store then counts those items "seen").

    scrapy ingest -s REDIS_URL=redis://127.0.0.1:6379/0               # until SIGTERM/SIGINT
    scrapy ingest -s REDIS_URL=redis://127.0.0.1:6379/0 --until-empty # batch: stop when done
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import sys
import time
import uuid
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

from crawler.cli import Strict
from crawler.extensions.distributed import (
    Keys,
    decode,
    enabled,
    live_workers,
    redis_client,
    worker_timeout,
)
from crawler.extensions.health import EXIT_FAILED, EXIT_LOCKED
from crawler.extensions.runlog import run_summary
from crawler.store import Store, StoreError, explain

logger = logging.getLogger("crawler.ingest")

LOCK_TTL_MS = 60_000
RUN_TTL_S = 30 * 24 * 3600
# Refresh the lock only while this process still holds it; release the same way.
REFRESH_LUA = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end"
)
RELEASE_LUA = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) "
    "else return 0 end"
)


class IngestError(RuntimeError):
    """Ingest cannot go on (the store refused a batch, the lock was lost)."""


class IngestLocked(IngestError):
    """Another `scrapy ingest` holds the writer's lock."""


class Ingest:
    """Pop messages from the item list and write them to the store, batch by batch."""

    def __init__(
        self,
        server: Any,
        keys: Keys,
        store: Store,
        batch_size: int = 50,
        block_seconds: float = 1.0,
        worker_timeout: float = 60.0,
    ):
        self.server = server
        self.keys = keys
        self.store = store
        self.batch_size = max(1, batch_size)
        self.block_seconds = block_seconds
        self.worker_timeout = worker_timeout
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.outcomes: Counter = Counter()  # new, updated, duplicate, seen, lost, bad
        self.runs = 0
        self.items = 0
        self.stopping = False

    # -- the writer's lock ----------------------------------------------------------------

    def acquire(self) -> None:
        if self.server.set(self.keys.ingest_lock, self.token, nx=True, px=LOCK_TTL_MS):
            return
        holder = self.server.get(self.keys.ingest_lock)
        ttl = self.server.pttl(self.keys.ingest_lock)
        raise IngestLocked(
            f"another `scrapy ingest` is running ({(holder or b'?').decode()}): one writer only; "
            f"its lock {self.keys.ingest_lock} expires within {max(ttl, 0) / 1000:.0f} s "
            "if that process is gone"
        )

    def refresh(self) -> None:
        if not self.server.eval(REFRESH_LUA, 1, self.keys.ingest_lock, self.token, LOCK_TTL_MS):
            raise IngestError(f"lost the writer's lock {self.keys.ingest_lock}")

    def release(self) -> None:
        self.server.eval(RELEASE_LUA, 1, self.keys.ingest_lock, self.token)

    # -- the loop -------------------------------------------------------------------------

    def recover(self) -> int:
        """Write the batch a previous ingest took but did not finish (if any)."""
        left = self.server.lrange(self.keys.processing, 0, -1)
        if left:
            logger.warning("writing %d messages left by an interrupted ingest", len(left))
            self.handle(left)
        return len(left)

    def fetch(self, block: bool = True) -> list[bytes]:
        """Move up to batch_size messages to the processing list and return them."""
        keys = self.keys
        if block:
            first = self.server.blmove(keys.items, keys.processing, self.block_seconds)
        else:
            first = self.server.lmove(keys.items, keys.processing)
        if first is None:
            return []
        pipe = self.server.pipeline(transaction=False)
        for _ in range(self.batch_size - 1):
            pipe.lmove(keys.items, keys.processing)
        return [first, *(m for m in pipe.execute() if m is not None)]

    def step(self, block: bool = True) -> int:
        """One batch: fetch, write, acknowledge. Returns the number of messages handled."""
        batch = self.fetch(block)
        if batch:
            self.handle(batch)
        return len(batch)

    def finished(self) -> bool:
        """Nothing left to write and no live crawler that could push more."""
        return not self.server.exists(self.keys.items) and not live_workers(
            self.server, self.keys, self.worker_timeout
        )

    def run(self, until_empty: bool = False, progress_every: float = 60.0) -> None:
        self.acquire()
        try:
            self.recover()
            last = time.monotonic()
            while not self.stopping:
                self.refresh()
                handled = self.step()
                if time.monotonic() - last >= progress_every > 0:
                    last = time.monotonic()
                    logger.info("ingest progress: %s", self.summary())
                if not handled and until_empty and self.finished():
                    break
        finally:
            with contextlib.suppress(Exception):  # Redis gone: the lock expires by itself
                self.release()

    # -- messages -------------------------------------------------------------------------

    def handle(self, batch: list[bytes]) -> None:
        """Write a batch in message order, then drop it from the processing list."""
        segment: list[dict[str, Any]] = []
        run: str | None = None
        for data in batch:
            try:
                message = decode(data)
            except (ValueError, zlib.error) as exc:
                self.outcomes["bad"] += 1
                logger.error("skipped a message that is not one (%s): %r", exc, data[:80])
                continue
            kind = message["type"]
            if kind == "item" and isinstance(message.get("item"), dict):
                if segment and message.get("run") != run:
                    self.write(segment, run)
                    segment = []
                run = message.get("run")
                segment.append(message["item"])
                continue
            self.write(segment, run)
            segment = []
            if kind == "run_start":
                self.run_started(message)
            elif kind == "run_end":
                self.run_ended(message)
            else:
                self.outcomes["bad"] += 1
                logger.error("skipped a message of unknown type %r", kind)
        self.write(segment, run)
        self.server.delete(self.keys.processing)

    def write(self, items: list[dict[str, Any]], run: str | None) -> None:
        if not items:
            return
        written = self.store.write_batch(items)
        if written.error is not None:
            raise IngestError(
                f"{self.store.path}: writing {len(written.failed)} articles failed: "
                f"{explain(written.error)}; they stay in Redis and are written when ingest "
                "restarts"
            ) from written.error
        outcomes = written.outcomes + ["lost"] * len(written.refused)
        counter = written.counter
        self.items += len(items)
        self.outcomes.update(outcomes)
        counter.update(outcomes)
        counter.pop("lost", None)
        if run:
            pipe = self.server.pipeline(transaction=False)
            for key, count in counter.items():
                pipe.hincrby(self.keys.run(run), f"store/{key}", count)
            pipe.expire(self.keys.run(run), RUN_TTL_S)
            pipe.execute()

    def run_started(self, message: dict[str, Any]) -> None:
        key = self.keys.run(message["run"])
        if self.server.hexists(key, "row"):  # a replayed message
            return
        row = self.store.start_run(message["spider"], message["started_at"])
        self.server.hset(key, "row", row)
        self.server.expire(key, RUN_TTL_S)

    def run_ended(self, message: dict[str, Any]) -> None:
        key = self.keys.run(message["run"])
        known = {k.decode(): v.decode() for k, v in self.server.hgetall(key).items()}
        if "done" in known:  # a replayed message
            return
        row = int(known["row"]) if "row" in known else None
        if row is None:  # its start was written by nobody (it came before a reset)
            row = self.store.start_run(message["spider"], message["started_at"])
        stats = dict(message.get("stats") or {})
        for name, value in known.items():
            if name.startswith("store/"):
                stats[name] = stats.get(name, 0) + int(value)
        values = {
            "finished_at": message["finished_at"],
            "finish_reason": message["reason"],
            **run_summary(stats),
        }
        self.store.finish_run(row, values)
        self.runs += 1
        self.server.delete(key)
        self.server.hset(key, "done", row)
        self.server.expire(key, 24 * 3600)
        logger.info(
            "%s: run of %s recorded (%s): pages %s, new %s, updated %s, duplicates %s",
            message["spider"],
            stats.get("distributed/worker", "?"),
            message["reason"],
            values["pages_fetched"],
            values["articles_new"],
            values["articles_updated"],
            values["duplicates"],
        )

    def summary(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items()))
        return (
            f"{self.items} item{'' if self.items == 1 else 's'} written ({counts or 'none'}), "
            f"{self.runs} crawl run{'' if self.runs == 1 else 's'} recorded"
        )


class Command(Strict, ScrapyCommand):
    max_args = 0
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[--until-empty] [--db FILE]"

    def short_desc(self) -> str:
        return "Write the items of distributed crawlers (REDIS_URL) to the SQLite store"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--until-empty",
            action="store_true",
            help="stop once the item list is empty and no crawler is running (batch, tests)",
        )
        parser.add_argument("--db", help="database file (default: the SQLITE_PATH setting)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected argument(s): {' '.join(args)}")
        assert self.settings is not None
        settings = self.settings
        if not enabled(settings):
            raise UsageError("set the Redis server the crawlers use: -s REDIS_URL=redis://...")
        configure_logging(settings)
        path = Path(opts.db or settings.get("SQLITE_PATH"))
        keys = Keys.from_settings(settings)
        try:
            server = redis_client(settings)
            server.ping()
        except Exception as exc:
            logger.error("cannot reach Redis at %s: %s", settings.get("REDIS_URL"), exc)
            self.exitcode = EXIT_FAILED
            return
        try:
            store = Store(path)
        except StoreError as exc:
            logger.error("%s", exc)
            self.exitcode = EXIT_FAILED
            return
        ingest = Ingest(
            server,
            keys,
            store,
            batch_size=settings.getint("STORE_BATCH_SIZE", 50),
            worker_timeout=worker_timeout(settings),
        )

        def stop(signum: int, _frame: Any) -> None:
            logger.info("received %s: finishing the current batch", signal.Signals(signum).name)
            ingest.stopping = True

        previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
        logger.info("ingest: %s -> %s", keys.items, path)
        try:
            ingest.run(opts.until_empty, settings.getfloat("PROGRESS_INTERVAL", 60.0))
        except IngestLocked as exc:
            logger.error("not started: %s", exc)
            self.exitcode = EXIT_LOCKED
        except IngestError as exc:
            logger.error("ingest stops: %s", exc)
            self.exitcode = EXIT_FAILED
        except Exception as exc:  # Redis gone: what was taken stays in the processing list
            logger.error("ingest stops: %r", exc)
            self.exitcode = EXIT_FAILED
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            store.close()
        logger.info("ingest done: %s", ingest.summary())
        print(f"ingest: {ingest.summary()}", file=sys.stderr if self.exitcode else sys.stdout)
