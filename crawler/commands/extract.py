"""`scrapy extract FILE --url URL`: one saved page in, one JSON item out, nothing stored.

`scrapy extract --batch LIST` reads `path<TAB>url` lines and prints one JSON object per line.
Gzipped pages are accepted. Operators use it to debug a page; tests use it too.

A page that cannot be read or extracted costs only itself: its line is a JSON object with
`error` (and `path`, `url`), the same message goes to stderr, the batch goes on, and the exit
status is 1 at the end. Bad options or a bad list file are usage errors: one line, exit 2.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.batch import run_tasks, site_for
from crawler.cli import Strict
from crawler.extraction.pool import default_workers
from crawler.registry import default_registry
from crawler.terminal import printable


def parse_fetched_at(value: str) -> datetime:
    """--fetched-at: an ISO 8601 time (a time without offset is local to this machine)."""
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, OverflowError):
        raise UsageError(
            f"--fetched-at {value!r}: expected an ISO 8601 time, e.g. 2025-06-01T08:00:00+07:00"
        ) from None


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
        fetched_at = parse_fetched_at(opts.fetched_at) if opts.fetched_at else datetime.now(UTC)
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
        if opts.workers is not None and opts.workers < 0:
            raise UsageError(f"--workers {opts.workers}: expected 0 or more")
        workers = default_workers() if opts.workers is None else opts.workers
        failures = 0
        for (path, url, *_), result in zip(tasks, run_tasks(tasks, workers), strict=True):
            if isinstance(result, str):
                failures += 1
                print(printable(result), file=sys.stderr)
                result = {"path": str(path), "url": url, "error": result}
            print(json.dumps(result, ensure_ascii=False, sort_keys=True))
        if failures:
            print(f"{failures} of {len(tasks)} pages failed", file=sys.stderr)
            self.exitcode = 1

    @staticmethod
    def _batch_jobs(listing: Path):
        try:
            data = listing.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            lines = data.decode("utf-8").splitlines()
        except (OSError, EOFError, zlib.error) as exc:
            raise UsageError(f"{listing}: cannot read: {exc}") from None
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise UsageError(
                f"{listing}:{line}: not UTF-8 text (byte {exc.start}); save the list as UTF-8"
            ) from None
        for number, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            path, sep, url = line.partition("\t")
            if not sep:
                raise UsageError(f"{listing}:{number}: expected 'path<TAB>url'")
            yield (listing.parent / path.strip(), url.strip())
