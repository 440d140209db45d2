"""CPU work off the reactor: a pool of worker processes, so the downloader never waits.

trafilatura and lxml cost ~15 ms a page on one core; run in the Scrapy callback they cap a crawl
near 60 pages/s and leave the other cores idle. The same holds, at a few ms an item, for the
pipelines' pure-Python text work (tone normalisation, MinHash sketches): they run here too
(`await pool.run(fn, ...)`), so the reactor process only downloads, schedules and writes.
Workers are started with "spawn" (forking a process that runs a reactor and threads is unsafe)
and load each library at the first page that needs it; one pool per process is shared by every
spider and pipeline (`shared_pool`).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import pickle
import tempfile
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, TypeVar

from .calls import INITIALIZER, Shared, Step, extract_with_steps, timed
from .workers import PipeWorkers

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

    from crawler.registry import Site

    from .memory import SiteMemory

logger = logging.getLogger(__name__)
T = TypeVar("T")
SHARED_FILES_KEPT = 64  # files kept per pool: older versions are no longer in any call
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def step_report(item: Any, name: str) -> tuple[bool, Any]:
    """(True, what the step returned) when the worker ran the pipeline step `name` on this
    item; (False, None) when the pipeline must do its work itself (an item made another way,
    a pool without the step)."""
    reports = item.get("worker_steps") or {}
    return (True, reports[name]) if name in reports else (False, None)


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
        self.processes: PipeWorkers | None = None
        self.steps: list[Step] = []
        self._shared_dir: tempfile.TemporaryDirectory[str] | None = None
        self._shared_files: list[str] = []
        self._shared_numbers = itertools.count()
        self._starting: asyncio.Task[None] | None = None  # start(): kept from the collector

    def add_step(self, name: str, step: Callable[[dict[str, Any]], Any]) -> None:
        """Run `step(item)` in the worker right after extraction, for every page the spiders
        extract (in the order added: the pipelines' order), so that a pipeline's pure work
        costs no second round trip and none of the reactor's time. The pipeline finds what
        it returned with `step_report` and does its work itself when it is absent.

        Only for pure work (a module-level function of the item) whose inputs no pipeline
        before it changes on the reactor: the step runs before every pipeline.
        """
        if name not in {n for n, _ in self.steps}:
            self.steps.append((name, step))

    def share(self, value: Any) -> Shared:
        """`value` for the workers, written once to a file they read once (see Shared)."""
        if self.workers == 0:
            return Shared(None, value)
        if self._shared_dir is None:
            self._shared_dir = tempfile.TemporaryDirectory(prefix="crawler-shared-")
        path = os.path.join(self._shared_dir.name, f"{next(self._shared_numbers)}.pickle")
        with open(path, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        self._shared_files.append(path)
        while len(self._shared_files) > SHARED_FILES_KEPT:
            os.unlink(self._shared_files.pop(0))
        return Shared(path, value)

    def start(self) -> None:
        """Start the worker processes now, in the background, when called inside the running
        event loop (the spider's first article request): their start-up (about half a second
        of imports each) then overlaps that page's download instead of following it."""
        if self.workers == 0 or (self.processes is not None and self.processes.workers):
            return
        if self._starting is not None and not self._starting.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no crawl running: they start with the first call
            return
        self._starting = loop.create_task(self._start().spawn())

    def _start(self) -> PipeWorkers:
        if self.processes is None:
            # The workers are the parallelism: a BLAS thread pool in each (numpy's OpenBLAS
            # starts one thread per core) spins between calls and doubled a fingerprint's CPU.
            env = dict(os.environ)
            for var in BLAS_THREADS:
                env.setdefault(var, "1")
            self.processes = PipeWorkers(self.workers, INITIALIZER, env)
        return self.processes

    async def extract(
        self,
        body: bytes,
        content_type: str | bytes | None,
        url: str,
        site: Site,
        hints: dict[str, Any] | None,
        fetched_at: str,
        stats: StatsCollector | None = None,
        memory: SiteMemory | Shared | None = None,
    ) -> dict[str, Any]:
        """The page's item with its `memory_sample` and the added steps run (`worker_steps`:
        each step's report). CPU seconds go to `pool/cpu_seconds/page_item` (extraction, the
        name README and bench use) and `pool/cpu_seconds/<step>`."""
        (fields, spent), _, wall = await self._call(
            extract_with_steps,
            body,
            content_type,
            url,
            site,
            hints,
            fetched_at,
            memory,
            tuple(self.steps),
        )
        if stats is not None:
            for name, seconds in spent.items():
                stats.inc_value(f"pool/cpu_seconds/{name}", seconds)
            stats.inc_value("pool/wall_seconds/page_item", wall)  # with the steps
        return fields

    async def run(
        self,
        fn: Callable[..., T],
        *args: Any,
        stats: StatsCollector | None = None,
        label: str | None = None,
    ) -> T:
        result, spent, wall = await self._call(fn, *args)
        if stats is not None:
            label = label or fn.__name__
            stats.inc_value(f"pool/cpu_seconds/{label}", spent)
            stats.inc_value(f"pool/wall_seconds/{label}", wall)
        return result

    async def _call(self, fn: Callable[..., T], *args: Any) -> tuple[T, float, float]:
        if self.workers == 0:
            return timed(fn, *args)
        try:
            return await self._start().call(timed, fn, *args)
        except BrokenProcessPool:
            logger.error("an extraction worker died; a new one starts with the next call")
            raise

    def close(self) -> None:
        """Close the workers' pipes (each ends when its stdin closes) and the shared files."""
        if self._starting is not None:
            self._starting.cancel()  # a crawl that ended before its workers had started
            self._starting = None
        if self.processes is not None:
            self.processes.close()
            self.processes = None
        if self._shared_dir is not None:
            self._shared_dir.cleanup()
            self._shared_dir, self._shared_files = None, []


_POOLS: dict[int, ExtractionPool] = {}


def shared_pool(settings: BaseSettings) -> ExtractionPool:
    """The process's pool for EXTRACT_WORKERS (default: one worker per core), shared by the
    spiders of a `crawlall` and the pipelines."""
    workers = settings.get("EXTRACT_WORKERS")
    workers = default_workers() if workers is None else int(workers)
    if workers not in _POOLS:
        _POOLS[workers] = ExtractionPool(workers)
    return _POOLS[workers]
