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
