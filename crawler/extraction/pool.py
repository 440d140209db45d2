"""CPU work off the reactor: a pool of worker processes, so the downloader never waits.

trafilatura and lxml cost ~15 ms a page on one core; run in the Scrapy callback they cap a crawl
near 60 pages/s and leave the other cores idle. The same holds, at a few ms an item, for the
pipelines' pure-Python text work (tone normalisation, MinHash sketches): they run here too
(`await pool.run(fn, ...)`), so the reactor process only downloads, schedules and writes.
Workers are started with "spawn" (forking a process that runs a reactor and threads is unsafe)
and warmed up once; one pool per process is shared by every spider and pipeline (`shared_pool`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any, TypeVar

from crawler.registry import Profile, Site

from .article import extract_article
from .item import page_item_from_bytes
from .memory import SiteMemory

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)
T = TypeVar("T")
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


_SENTENCE = "Đoàn công tác của tỉnh đã làm việc với các đối tác nước ngoài về hợp tác đầu tư. "
# An ordinary article: a page too short for trafilatura sends it to its jusText fallback, which
# loads the stop words of every language (27 MiB a worker) that an ordinary page never needs.
_WARM_UP_PAGE = (
    "<html><head><title>Tin đối ngoại</title></head><body><article><h1>Tin đối ngoại</h1>"
    + f"<p>{_SENTENCE * 4}</p>" * 4
    + "</article></body></html>"
)


def _warm_up() -> None:
    """Import and exercise the heavy libraries once per worker."""
    extract_article(_WARM_UP_PAGE, "https://example.invalid/tin-1.html", Profile("w"))


def _timed(fn: Callable[..., T], *args: Any) -> tuple[T, float, float]:
    """fn(*args), the CPU seconds it took in this (worker) process and its wall seconds."""
    start, wall = time.process_time(), time.perf_counter()
    result = fn(*args)
    return result, time.process_time() - start, time.perf_counter() - wall


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


class ExtractionPool:
    """`await pool.run(fn, *args)` runs a picklable function in a worker (inline when
    workers == 0); `await pool.extract(...)` is page_item_from_bytes there (a page's bytes
    are decoded in the worker too).

    With `stats`, the CPU time each call took is added to `pool/cpu_seconds/<function>`: what
    extraction (and each pipeline's share) costs, measured where it runs; its wall time to
    `pool/wall_seconds/<function>`: how much of the crawl the workers spent on it.
    """

    def __init__(self, workers: int):
        self.workers = workers
        self.executor: Executor | None = None

    def _start(self) -> Executor:
        if self.executor is None:
            # The workers are the parallelism: a BLAS thread pool in each (numpy's OpenBLAS
            # starts one thread per core) spins between calls and doubled a fingerprint's CPU.
            for var in BLAS_THREADS:
                os.environ.setdefault(var, "1")
            self.executor = ProcessPoolExecutor(
                self.workers, mp_context=get_context("spawn"), initializer=_warm_up
            )
        return self.executor

    async def extract(
        self,
        body: bytes,
        content_type: str | bytes | None,
        url: str,
        site: Site,
        hints: dict[str, Any] | None,
        fetched_at: str,
        stats: StatsCollector | None = None,
        memory: SiteMemory | None = None,
    ) -> dict[str, Any]:
        return await self.run(
            page_item_from_bytes,
            body,
            content_type,
            url,
            site,
            hints,
            fetched_at,
            memory,
            stats=stats,
            label="page_item",  # the stats' name for extraction (README, bench)
        )

    async def run(
        self,
        fn: Callable[..., T],
        *args: Any,
        stats: StatsCollector | None = None,
        label: str | None = None,
    ) -> T:
        if self.workers == 0:
            result, spent, wall = _timed(fn, *args)
        else:
            loop = asyncio.get_running_loop()
            try:
                result, spent, wall = await loop.run_in_executor(self._start(), _timed, fn, *args)
            except BrokenProcessPool:
                logger.error("an extraction worker died; starting a new pool")
                self.close()
                raise
        if stats is not None:
            label = label or fn.__name__
            stats.inc_value(f"pool/cpu_seconds/{label}", spent)
            stats.inc_value(f"pool/wall_seconds/{label}", wall)
        return result

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None


_POOLS: dict[int, ExtractionPool] = {}


def shared_pool(settings: BaseSettings) -> ExtractionPool:
    """The process's pool for EXTRACT_WORKERS (default: one worker per core), shared by the
    spiders of a `crawlall` and the pipelines."""
    workers = settings.get("EXTRACT_WORKERS")
    workers = default_workers() if workers is None else int(workers)
    if workers not in _POOLS:
        _POOLS[workers] = ExtractionPool(workers)
    return _POOLS[workers]
