"""What an extraction worker runs: the calls the pool sends (crawler.extraction.pool) and
the worker's start.

The parent's side (the pool, its event loop) lives in pool.py and workers.py; this module
imports neither asyncio nor the store's database code, so that a worker starts on the imports
its pages need and nothing else.
"""

from __future__ import annotations

import pickle
import signal
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, TypeVar

from crawler.text.decoding import HTML_UTF8

from .item import page_item_from_bytes
from .memory import SiteMemory, sample

if TYPE_CHECKING:
    from collections.abc import Callable

    from crawler.registry import Site

T = TypeVar("T")
Step = tuple[str, "Callable[[dict[str, Any]], Any]"]
SHARED_CACHE = 8  # values a worker keeps (the current memory of each site a crawl runs)
INITIALIZER = f"{__name__}:start_worker"  # what each worker runs first (workers.PipeWorkers)


def start_worker() -> None:
    """A worker's start. A terminal's Ctrl-C (or a SIGTERM to the process group) is the
    crawl's to handle: its graceful stop still needs the workers for the pages in flight, and
    they end when the crawl closes their pipes. Libraries load at the first page that needs
    them: a crawl whose rules find every body never loads trafilatura."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def timed(fn: Callable[..., T], *args: Any) -> tuple[T, float, float]:
    """fn(*args), the CPU seconds it took in this (worker) process and its wall seconds."""
    start, wall = time.process_time(), time.perf_counter()
    result = fn(*args)
    return result, time.process_time() - start, time.perf_counter() - wall


class Shared:
    """A value the workers read once from a file instead of receiving it with every call.

    A site's memory (thousands of titles and lines) changes every few dozen pages but goes
    with every page: pickled per call, it cost the reactor more than the page itself. Pickling
    a Shared sends only its path; a worker loads the file once and keeps the value.
    """

    def __init__(self, path: str | None, value: Any):
        self.path = path
        self.value = value

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "value": None if self.path else self.value}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.path, self.value = state["path"], state["value"]

    def get(self) -> Any:
        if self.value is None and self.path:
            self.value = load_shared(self.path)
        return self.value


_LOADED: OrderedDict[str, Any] = OrderedDict()


def load_shared(path: str) -> Any:
    if path in _LOADED:
        _LOADED.move_to_end(path)
        return _LOADED[path]
    with open(path, "rb") as f:
        value = pickle.load(f)
    _LOADED[path] = value
    while len(_LOADED) > SHARED_CACHE:
        _LOADED.popitem(last=False)
    return value


def extract_with_steps(
    body: bytes,
    content_type: str | bytes | None,
    url: str,
    site: Site,
    hints: dict[str, Any] | None,
    fetched_at: str,
    memory: SiteMemory | Shared | None,
    steps: tuple[Step, ...],
) -> tuple[dict[str, Any], dict[str, float]]:
    """page_item_from_bytes, the item's memory Sample, then the pipelines' steps, in one
    worker call; returns the item and the CPU seconds of each part."""
    spent: dict[str, float] = {}
    start = time.process_time()
    if isinstance(memory, Shared):
        memory = memory.get()
    fields = page_item_from_bytes(body, content_type, url, site, hints, fetched_at, memory)
    now = time.process_time()
    spent["page_item"], start = now - start, now
    fields["memory_sample"] = sample(fields)
    now = time.process_time()
    spent["memory_sample"], start = now - start, now
    if not fields["page_body_needed"]:  # the page's bytes are its html's UTF-8: see HTML_UTF8
        fields[HTML_UTF8] = (fields["html"], body)
    reports: dict[str, Any] = {}
    for name, step in steps:
        reports[name] = step(fields)
        now = time.process_time()
        spent[name], start = now - start, now
    fields.pop(HTML_UTF8, None)  # never goes back: the crawl has the bytes
    if steps:
        fields["worker_steps"] = reports
    return fields, spent
