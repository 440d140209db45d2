"""What `scrapy extract --batch` and `scrapy reextract` run in their worker processes, and the
pools that drive them. Nothing here imports Scrapy: a worker process imports this module to
unpickle its task, and Scrapy's import alone took longer than its extraction start-up.
"""

from __future__ import annotations

import gzip
import threading
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.extraction.item import page_item
from crawler.extraction.memory import SiteMemory
from crawler.extraction.trafilatura_loader import load_trafilatura
from crawler.registry import Site
from crawler.store.reextraction import page_text, prepare_replacement
from crawler.text.decoding import decode_html
from pipelines.chain import normalise

# --- scrapy extract --batch: saved pages -------------------------------------------------


def site_for(url: str, sites: dict[str, Site]) -> Site | None:
    host = (urlsplit(url).hostname or "").lower()
    return next((s for s in sites.values() if host in s.hosts), None)


def read_page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def extract_file(path: Path, url: str, site: Site | None, fetched_at: datetime) -> dict[str, Any]:
    """Decode a saved page as the crawl does (crawler.text.decoding, no header: the bytes and the
    page's own declaration decide), extract it and run the normalising pipelines."""
    html = decode_html(read_page(path)).html
    return normalise(page_item(html, url, site, None, fetched_at.isoformat()))


def _task(task: tuple[Path, str, Site | None, datetime]) -> dict[str, Any] | str:
    path = task[0]
    try:
        return extract_file(*task)
    except (OSError, EOFError, zlib.error) as exc:  # missing, unreadable or broken gzip
        return f"{path}: cannot read: {exc}"
    except RecursionError:
        return f"{path}: cannot extract: the page is nested too deeply"
    except Exception as exc:  # one bad page must not end the batch
        return f"{path}: cannot extract: {type(exc).__name__}: {exc}"


def _chunk(tasks: list[tuple[Path, str, Site | None, datetime]]) -> list[dict[str, Any] | str]:
    return [_task(task) for task in tasks]


def _start_method() -> BaseContext:
    """fork where it is safe: a platform that has it and a process with no other thread (the
    commands start none). The workers then begin with what the command has imported,
    extraction included, instead of importing it again: a second of CPU, and half a second
    before the first page. `reextract` holds the store open: its workers never touch the
    connection they inherit (SQLite forbids only that), and end with os._exit, as
    multiprocessing ends a forked worker, without closing it; SQLite's locks belong to the
    process that took them, so the children hold none."""
    if "fork" in get_all_start_methods() and threading.active_count() == 1:
        return get_context("fork")
    return get_context("spawn")


def run_tasks(tasks: list[tuple[Path, str, Site | None, datetime]], workers: int) -> Iterator:
    """Results in input order; many pages go to a pool of worker processes. A worker that
    dies (a page that crashes the parser) fails its pages and the ones still queued, with a
    message each, never the whole command."""
    if workers <= 1 or len(tasks) < 8:
        yield from map(_task, tasks)
        return
    chunks = [tasks[i : i + 8] for i in range(0, len(tasks), 8)]
    workers = min(workers, len(chunks))  # `--workers 100000` starts no more than it can use
    context = _start_method()
    if context.get_start_method() == "fork" and any(site is None for _, _, site, _ in tasks):
        # pages of no known site take the generic path: its library imported once here,
        # before the fork, rather than by every worker at its first such page
        load_trafilatura()
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(_chunk, chunk) for chunk in chunks]
        for future, chunk in zip(futures, chunks, strict=True):
            try:
                yield from future.result()
            except BrokenProcessPool:
                yield from (f"{task[0]}: cannot extract: a worker process died" for task in chunk)


# --- scrapy reextract: stored pages ------------------------------------------------------


def reextract_page(
    page: Mapping[str, Any],
    sites: Mapping[str, Site],
    memories: Mapping[str, SiteMemory] | None = None,
) -> dict[str, Any]:
    """One stored page → the item a crawl would have produced from it (as the spider does)."""
    site = sites.get(page["site"])
    memory = (memories or {}).get(page["site"])
    fields = page_item(
        page["html"], page["url"], site, dict(page["hints"]), page["fetched_at"], memory
    )
    fields["site"] = page["site"]
    return normalise(fields)


def _attempt(
    page: Mapping[str, Any],
    sites: Mapping[str, Site],
    memories: Mapping[str, SiteMemory] | None = None,
) -> dict[str, Any] | str:
    try:
        if "stored" in page:  # decompressed here, in the worker
            page = {**page, "html": page_text(page["stored"])}
        item = reextract_page(page, sites, memories)
        return item if item["rejected"] else prepare_replacement(item, hashed=True)
    except Exception as exc:  # one broken page must not stop the run
        return repr(exc)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for entry in items:
        chunk.append(entry)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# A worker's registry and site memories, sent once when it starts (with every task they were
# pickled again: a site's memory holds the titles of all its stored articles).
_WORKER: dict[str, Any] = {}


def _init_worker(sites: Mapping[str, Site], memories: Mapping[str, SiteMemory] | None) -> None:
    _WORKER["sites"], _WORKER["memories"] = sites, memories


def _attempt_chunk(pages: list[Mapping[str, Any]]) -> list[dict[str, Any] | str]:
    return [_attempt(page, _WORKER["sites"], _WORKER["memories"]) for page in pages]


CHUNK = 8  # pages a task: one hand-off to a worker and back
AHEAD = 4  # tasks queued per worker, so that none waits while the parent writes


def extracted(
    pages: Iterable[Mapping[str, Any]],
    sites: Mapping[str, Site],
    workers: int,
    memories: Mapping[str, SiteMemory] | None = None,
) -> Iterator[tuple[Mapping[str, Any], dict[str, Any] | str]]:
    """(page, item or error) in page order; extraction on `workers` processes, a sliding window
    of tasks so that memory holds a few dozen pages, not the archive, and the workers are fed
    while the parent writes the results."""
    if workers <= 1:
        yield from ((page, _attempt(page, sites, memories)) for page in pages)
        return
    with ProcessPoolExecutor(
        workers,
        mp_context=_start_method(),
        initializer=_init_worker,
        initargs=(sites, memories),
    ) as pool:
        window: deque[tuple[list[Mapping[str, Any]], Future]] = deque()
        for chunk in _chunks(pages, CHUNK):
            window.append((chunk, pool.submit(_attempt_chunk, chunk)))
            if len(window) >= AHEAD * workers:
                done, future = window.popleft()
                yield from zip(done, future.result(), strict=True)
        while window:
            done, future = window.popleft()
            yield from zip(done, future.result(), strict=True)
