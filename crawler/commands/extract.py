"""`scrapy extract FILE --url URL`: one saved page in, one JSON item out, nothing stored.

`scrapy extract --batch LIST` reads `path<TAB>url` lines and prints one JSON object per line.
Gzipped pages are accepted. Operators use it to debug a page; tests use it too.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.http import HtmlResponse

from crawler.cli import Strict
from crawler.extraction.item import page_item
from crawler.extraction.pool import default_workers
from crawler.legacy_encoding import looks_tcvn3_bytes
from crawler.registry import Site, default_registry
from pipelines.chain import normalise


def site_for(url: str, sites: dict[str, Site]) -> Site | None:
    host = (urlsplit(url).hostname or "").lower()
    return next((s for s in sites.values() if host in s.hosts), None)


def read_page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def extract_file(path: Path, url: str, site: Site | None, fetched_at: datetime) -> dict[str, Any]:
    """Decode a saved page as Scrapy would, extract it and run the normalising pipelines."""
    response = HtmlResponse(url=url, body=read_page(path))
    if looks_tcvn3_bytes(response.body):  # 8-bit font encoding: read bytes as they are
        response = response.replace(encoding="cp1252")
    return normalise(page_item(response.text, url, site, None, fetched_at.isoformat()))


def _task(task: tuple[Path, str, Site | None, datetime]) -> dict[str, Any] | str:
    path = task[0]
    try:
        return extract_file(*task)
    except OSError as exc:
        return f"{path}: cannot read: {exc}"


def run_tasks(tasks: list[tuple[Path, str, Site | None, datetime]], workers: int) -> Iterator:
    """Results in input order; many pages go to a pool of worker processes."""
    if workers <= 1 or len(tasks) < 8:
        yield from map(_task, tasks)
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        yield from pool.map(_task, tasks, chunksize=8)


class Command(Strict, ScrapyCommand):
    max_args = 1
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[FILE --url URL | --batch LIST]"

    def short_desc(self) -> str:
        return "Extract saved pages and print the items as JSON (nothing is stored)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="the page's URL (chooses the site profile)")
        parser.add_argument("--batch", metavar="LIST", help="file of 'path<TAB>url' lines")
        parser.add_argument("--site", help="registry site name (default: by the URL's host)")
        parser.add_argument(
            "--workers", type=int, help="worker processes for --batch (default: one per core)"
        )
        parser.add_argument(
            "--fetched-at", help="fetch time, ISO 8601 (default: now); resolves relative dates"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        sites = default_registry()
        if opts.site and opts.site not in sites:
            raise UsageError(f"unknown site {opts.site!r}; known: {', '.join(sorted(sites))}")
        fetched_at = (
            datetime.fromisoformat(opts.fetched_at).astimezone(UTC)
            if opts.fetched_at
            else datetime.now(UTC)
        )
        if opts.batch:
            jobs = list(self._batch_jobs(Path(opts.batch)))
        elif len(args) == 1 and opts.url:
            jobs = [(Path(args[0]), opts.url)]
        else:
            raise UsageError("give FILE and --url URL, or --batch LIST")
        tasks = [
            (path, url, sites[opts.site] if opts.site else site_for(url, sites), fetched_at)
            for path, url in jobs
        ]
        workers = default_workers() if opts.workers is None else opts.workers
        failures = 0
        for result in run_tasks(tasks, workers):
            if isinstance(result, str):
                failures += 1
                print(result, file=sys.stderr)
            else:
                print(json.dumps(result, ensure_ascii=False, sort_keys=True))
        if failures:
            self.exitcode = 1

    @staticmethod
    def _batch_jobs(listing: Path):
        try:
            lines = listing.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UsageError(f"{listing}: cannot read: {exc}") from exc
        for number, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            path, sep, url = line.partition("\t")
            if not sep:
                raise UsageError(f"{listing}:{number}: expected 'path<TAB>url'")
            yield (listing.parent / path.strip(), url.strip())
