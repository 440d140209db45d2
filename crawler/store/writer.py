"""The store's writer process: `Store.write_batch` in a child of the crawl.

A batch's SQLite work (full-text triggers, near-duplicate index, facet rows, the commit) cost
the crawl's process 1.5-2 ms of CPU a page and its GIL; here it runs in a child process
(crawler.extraction.workers.PipeProcess: started on the parent's sys.path, so that it imports
this package from wherever the parent did, an egg under Scrapyd too; length-prefixed pickles
over its stdin and stdout), called synchronously by whoever writes (the pipeline's writer
thread, or a flush).

The child follows its parent through the pipe: it ignores SIGINT and SIGTERM (a Ctrl-C or a
stop sent to the whole process group must not cut a batch short; the parent shuts it down in
order) and ends at the end of its stdin, after the batch it is writing, whether the crawl
closed it or died. Each batch is one transaction, so a kill at any moment loses at most that
batch, never half an article. What the store logs in the child is logged again in the parent,
so it reaches the crawl's log and its `log_count` stats.
"""

from __future__ import annotations

import contextlib
import logging
import signal
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from crawler.extraction.workers import PipeProcess
from crawler.store.articles import Written
from crawler.store.database import Store
from crawler.store.errors import StoreError

T = TypeVar("T")
INITIALIZER = f"{__name__}:_start"

_store: Store | None = None  # the child's connection


class WriterProcess:
    """`Store.write_batch` in a child process; opening it opens the store there (StoreError
    naming the file when it cannot). A child that died raises BrokenProcessPool, saying how."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.child = PipeProcess(INITIALIZER)
            try:
                self._call(_open, str(self.path))
            except BaseException:
                self.close()
                raise
        except (OSError, BrokenProcessPool) as exc:
            raise StoreError(f"{self.path}: the store writer could not start: {exc}") from None

    @property
    def pid(self) -> int:
        return self.child.pid

    def write_batch(self, batch: list[dict[str, Any]]) -> Written:
        try:
            return self._call(_write_batch, batch)
        except BrokenProcessPool as exc:
            raise BrokenProcessPool(f"the store writer {exc}") from None

    def close(self) -> None:
        """Close the child's pipe and wait for it: it ends after the batch it is writing."""
        self.child.close()

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        value, records = self.child.call(_logged, fn, *args)
        for record in records:
            logging.getLogger(record.name).handle(record)
        return value


def _start() -> None:
    """The child's initializer: the parent decides when it ends (see the module's docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logging.getLogger().setLevel(logging.INFO)


def _open(path: str) -> None:
    global _store
    _store = Store(path)


def _write_batch(batch: list[dict[str, Any]]) -> Written:
    return _store.write_batch(batch)


class _Keep(logging.Handler):
    """Keeps the records logged during a call, ready to travel (message formatted)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args, record.exc_info = record.getMessage(), None, None
        self.records.append(record)


@contextlib.contextmanager
def _keeping() -> Iterator[list[logging.LogRecord]]:
    keep = _Keep()
    root = logging.getLogger()
    root.addHandler(keep)
    try:
        yield keep.records
    finally:
        root.removeHandler(keep)


def _logged(fn: Callable[..., T], *args: Any) -> tuple[T, list[logging.LogRecord]]:
    """fn(*args) in the child, and the records it logged."""
    with _keeping() as records:
        return fn(*args), records
