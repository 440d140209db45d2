"""The extraction workers driven over pipes (crawler.extraction.workers): answers in order,
exceptions carried back, a dead worker failing only its own calls and replaced."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from crawler.extraction.workers import AHEAD, PipeWorkers


def _echo(value: object) -> object:
    return value


def _pid() -> int:
    return os.getpid()


def _fail(message: str) -> None:
    raise ValueError(message)


def _die() -> None:
    os._exit(3)


def _workers(count: int = 2) -> PipeWorkers:
    return PipeWorkers(count, "tests.test_workers:_pid")


def test_calls_are_answered_by_several_workers_in_order():
    async def run() -> tuple[list[object], set[int]]:
        workers = _workers()
        try:
            big = b"x" * 3_000_000  # larger than a pipe: written in pieces
            echoed = await asyncio.gather(*(workers.call(_echo, (n, big)) for n in range(40)))
            pids = set(await asyncio.gather(*(workers.call(_pid) for _ in range(20))))
            return [n for n, _ in echoed], pids
        finally:
            await workers.stop()

    order, pids = asyncio.run(run())
    assert order == list(range(40))
    assert len(pids) == 2 and os.getpid() not in pids


def test_an_exception_in_a_worker_is_the_calls_exception():
    async def run() -> None:
        workers = _workers(1)
        try:
            with pytest.raises(ValueError, match="bad page"):
                await workers.call(_fail, "bad page")
            assert await workers.call(_echo, 5) == 5  # the worker lives on
        finally:
            await workers.stop()

    asyncio.run(run())


def test_a_dead_worker_fails_its_call_and_is_replaced():
    async def run() -> tuple[int, int, list[object]]:
        workers = _workers(1)
        try:
            first = await workers.call(_pid)
            results = await asyncio.gather(
                workers.call(_die), *(workers.call(_echo, n) for n in range(AHEAD + 2)),
                return_exceptions=True,
            )
            second = await workers.call(_pid)
            return first, second, results
        finally:
            await workers.stop()

    first, second, results = asyncio.run(run())
    # the fatal call and the ones written behind it (AHEAD in all) fail; the queued ones are
    # served by the worker started in its place
    assert [type(r) for r in results[:AHEAD]] == [BrokenProcessPool] * AHEAD
    assert results[AHEAD:] == [AHEAD - 1, AHEAD, AHEAD + 1]
    assert first != second


def test_an_extraction_worker_imports_no_event_loop_store_writer_or_scrapy():
    """A worker's start is imports (a third of a second, twice a crawl): after a page through
    extraction and every step the crawl's pipelines add, it has loaded neither asyncio, nor
    sqlite-utils (the writer's), nor Scrapy or Twisted (the reactor's)."""
    from pathlib import Path

    from bench.bench_worker import crawl_steps
    from crawler.extraction.calls import INITIALIZER, extract_with_steps
    from crawler.extraction.workers import PipeProcess
    from crawler.registry import default_registry

    page = Path(__file__).parent / "corpus" / "baoquocte" / "gia-ca-phe.html"
    url = "https://baoquocte.vn/gia-ca-phe-hom-nay-240120-258432.html"
    steps = tuple(crawl_steps())
    assert {name for name, _ in steps} >= {"item_facets", "store_prep"}
    worker = PipeProcess(INITIALIZER)
    try:
        item, _ = worker.call(
            extract_with_steps, page.read_bytes(), "text/html", url,
            default_registry()["baoquocte"], {}, "2026-11-23T08:00:00+00:00", None, steps,
        )
        assert item["title"] and item["page_zlib"] and item["facets"]
        loaded = worker.call(eval, "sorted(__import__('sys').modules)")
    finally:
        worker.close()
    heavy = ("asyncio", "sqlite_utils", "scrapy", "twisted")
    assert [m for m in loaded if m.split(".")[0] in heavy] == []
    assert "crawler.store.database" not in loaded and "numpy" in loaded  # the sketch's
