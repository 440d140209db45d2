"""Worker processes driven from the event loop over pipes: no thread in the crawl's process.

`concurrent.futures.ProcessPoolExecutor` hands each call through three threads of the calling
process (its manager thread, a queue feeder, the result reader) and wakes the event loop from
another thread for every result: at a hundred pages a second that cost the reactor process
about a millisecond a page of GIL hand-offs. Here each worker is a child process whose stdin
and stdout carry length-prefixed pickles; the event loop writes a call to the least busy
worker and reads results when the pipe is readable, as it reads sockets.

A worker that dies (a page that crashes the parser) fails its calls in flight with
BrokenProcessPool, as the executor did; the next call starts a new worker.

`PipeProcess` is the same child called synchronously, one call at a time, for a caller that
blocks on the answer anyway (the store's writer: crawler.store.writer).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import pickle
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from crawler.extraction import child
from crawler.extraction.child import HEADER

# A worker starts on the parent's sys.path (as multiprocessing's spawn does), so that it finds
# this package wherever the parent found it: an egg under Scrapyd, a checkout, site-packages.
# Its loop is crawler.extraction.child (no asyncio there: a worker needs none).
BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    f"from {child.__name__} import serve; serve(sys.argv[2])"
)
PIPE_BYTES = 1 << 20
# Calls written to a worker before its answers: one running, three waiting, so that a worker
# never idles while the reactor process waits for a core (at 2 the two workers were idle
# about 3 % of a crawl's time on two cores).
AHEAD = 4
READ_LIMIT = 1 << 30  # a result may carry a large page (the caps bound what is kept)


class Worker:
    """One child process and the calls it has in flight (answered in order)."""

    def __init__(self, process: asyncio.subprocess.Process, on_answer: Callable[[], None]):
        self.process = process
        self.waiting: list[asyncio.Future[Any]] = []
        self.on_answer = on_answer
        self.closed = False  # its pipe ended: it takes no more calls
        self.reader = asyncio.ensure_future(self._read())

    @property
    def load(self) -> int:
        return len(self.waiting)

    @property
    def alive(self) -> bool:
        return not self.closed and self.process.returncode is None

    def send(self, payload: bytes, future: asyncio.Future[Any]) -> None:
        self.waiting.append(future)
        self.process.stdin.write(HEADER.pack(len(payload)))
        self.process.stdin.write(payload)

    async def _read(self) -> None:
        out = self.process.stdout
        try:
            while True:
                (size,) = HEADER.unpack(await out.readexactly(HEADER.size))
                ok, value = pickle.loads(await out.readexactly(size))
                future = self.waiting.pop(0)
                if not future.done():
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
                self.on_answer()
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            self.closed = True
            error = BrokenProcessPool("an extraction worker died")
            for future in self.waiting:
                if not future.done():
                    future.set_exception(error)
            self.waiting = []
            self.on_answer()  # the calls queued for the pool go to the other workers

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.stdin.close()
            try:
                await asyncio.wait_for(self.process.wait(), 5)
            except TimeoutError:
                self.process.kill()
        self.reader.cancel()


class PipeWorkers:
    """`await workers.call(fn, *args)`: fn(*args) in the least busy of `count` workers."""

    def __init__(self, count: int, initializer: str, env: dict[str, str] | None = None):
        self.count = count
        self.initializer = initializer  # "module:function" run once in each worker
        self.env = env
        self.workers: list[Worker] = []
        self.queue: deque[tuple[bytes, asyncio.Future[Any]]] = deque()
        self._starting: asyncio.Lock | None = None

    async def _ensure(self) -> None:
        self.workers = [w for w in self.workers if w.alive]
        if len(self.workers) >= self.count:
            return
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            self.workers = [w for w in self.workers if w.alive]
            while len(self.workers) < self.count:
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-c",
                    BOOT,
                    json.dumps(sys.path),  # the project may come from an egg (Scrapyd)
                    self.initializer,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    env=self.env,
                    limit=READ_LIMIT,
                )
                _widen(process.stdin)
                self.workers.append(Worker(process, self._answered))

    async def spawn(self) -> None:
        """Start the missing workers now (a failure here shows again at the first call)."""
        with contextlib.suppress(OSError):
            await self._ensure()

    async def call(self, fn: Any, *args: Any) -> Any:
        payload = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        if not all(w.alive for w in self.workers) or len(self.workers) < self.count:
            await self._ensure()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.queue.append((payload, future))
        self._dispatch()
        return await future

    def _answered(self) -> None:
        self._dispatch()
        if self.queue and not any(w.alive for w in self.workers):  # every worker died
            asyncio.ensure_future(self._revive())

    async def _revive(self) -> None:
        await self._ensure()
        self._dispatch()

    def _dispatch(self) -> None:
        """Hand queued calls to workers with fewer than AHEAD in flight: the pipes never
        hold more than a few calls (asyncio's pipe transport buffers what a pipe cannot take
        and moves the rest of its buffer after every write: quadratic with a deep queue)."""
        while self.queue:
            ready = [w for w in self.workers if w.alive and w.load < AHEAD]
            if not ready:
                return
            payload, future = self.queue.popleft()
            if not future.done():
                min(ready, key=lambda w: w.load).send(payload, future)

    def close(self) -> None:
        """Close every worker's pipe: each ends when its stdin closes (no waiting here)."""
        workers, self.workers = self.workers, []
        for worker in workers:
            if worker.process.returncode is None and worker.process.stdin:
                worker.process.stdin.close()

    async def stop(self) -> None:
        """close(), then wait for each worker to end."""
        workers, self.workers = self.workers, []
        for worker in workers:
            await worker.stop()


class PipeProcess:
    """`process.call(fn, *args)`: fn(*args) in one child of this process, blocking until it
    answers; a call at a time. The child ends when its stdin closes (`close`, or this process
    dying), after the call it is running. A child that died fails the call in flight and every
    later one with BrokenProcessPool, saying how it ended; it is never restarted."""

    def __init__(self, initializer: str, env: dict[str, str] | None = None):
        self.process = subprocess.Popen(
            [sys.executable, "-c", BOOT, json.dumps(sys.path), initializer],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        _widen_fd(self.process.stdin.fileno())
        self.lock = threading.Lock()

    @property
    def pid(self) -> int:
        return self.process.pid

    def call(self, fn: Any, *args: Any) -> Any:
        payload = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        with self.lock:
            try:
                self.process.stdin.write(HEADER.pack(len(payload)))
                self.process.stdin.write(payload)
                self.process.stdin.flush()
                ok, value = pickle.loads(self._read(HEADER.unpack(self._read(HEADER.size))[0]))
            except (OSError, ValueError, EOFError):  # its pipes closed: the child ended
                raise BrokenProcessPool(self._death()) from None
        if ok:
            return value
        raise value

    def _read(self, size: int) -> bytes:
        data = self.process.stdout.read(size)  # a buffered read returns short only at the end
        if len(data) != size:
            raise EOFError
        return data

    def _death(self) -> str:
        """How the child ended (it is reaped here: no zombie)."""
        if self.process.stdin and not self.process.stdin.closed:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        code = self.process.wait()
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"process {self.pid} died: killed by {signal.Signals(-code).name}"
        return f"process {self.pid} died: exit status {code}"

    def close(self) -> None:
        """End the child: it finishes the call it is running, then sees the end of its stdin."""
        if self.process.stdin and not self.process.stdin.closed:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def _widen(stdin: asyncio.StreamWriter | None) -> None:
    if stdin is not None:
        _widen_fd(stdin.get_extra_info("pipe").fileno())


def _widen_fd(fd: int) -> None:
    """A pipe of PIPE_BYTES, so that a page goes in one write (Linux; elsewhere as it is)."""
    if hasattr(fcntl, "F_SETPIPE_SZ"):
        # above /proc/sys/fs/pipe-max-size it fails: the default size works too
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
