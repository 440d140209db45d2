"""Batch extraction speed, in one run: `scrapy extract --batch` against plain trafilatura in one
process, and `scrapy reextract` against the same extraction in one process.

    python -m bench.bench_batch                          # AEB x5, 2,000 pages, a 10,000-page store
    python -m bench.bench_batch --pages 0 --store-pages 2000     # quicker

* `extract --batch` over the AEB pages (../shared/bench/aeb: 181 real pages of many sites,
  listed 5 times: 905 pages, the generic path) and over `--pages` realistic magazine pages (the
  MasterCMS profile): the command timed whole (process start-up, reading, extraction on every
  core, JSON out) against plain trafilatura (`bare_extraction` with metadata) timed on the same
  decoded pages, extraction alone: the ratio is conservative.
* `reextract` over a store of `--store-pages` pages: the command timed whole (start-up, reading
  and decompressing the pages, extraction on every core, the comparison with each stored row)
  against the same command in one process (`--workers 1`), timed right before and right after
  it. Also printed: the extraction alone (`reextract_page`: extraction and the normalising
  pipelines, the reading included; no start-up, no site memory, no comparison) in this
  process, a stricter reference the command's own work per page exceeds.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from bench import plain_trafilatura as reference
from bench.bench_crawl import HOST, Site, clean_env
from crawler.batch import reextract_page
from crawler.extraction.item import page_item
from crawler.registry import default_registry
from crawler.store import Store
from pipelines.chain import normalise

ROOT = Path(__file__).resolve().parent.parent
AEB = ROOT.parent / "shared" / "bench" / "aeb"  # from a worktree: --aeb /work/shared/bench/aeb
FETCHED_AT = "2026-11-23T08:00:00+00:00"
AEB_REPEAT = 5


def timed(*args: str) -> float:
    env = clean_env()
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def plain_trafilatura(pages: list[tuple[str, str]]) -> float:
    """Seconds plain trafilatura takes over (html, url) pages (bench.plain_trafilatura)."""
    return reference.seconds(pages)


def batch_vs_trafilatura(name: str, listing: Path, pages: list[tuple[str, str]]) -> None:
    """The command against plain trafilatura timed right before and right after it, averaged
    (this machine's speed drifts by a third within minutes)."""
    before = plain_trafilatura(pages)
    batch = timed("extract", "--batch", str(listing), "--fetched-at", FETCHED_AT)
    after = plain_trafilatura(pages)
    traf = (before + after) / 2
    n = len(pages)
    print(
        f"[{name}] {n} pages; plain trafilatura, one process: {n / traf:.1f} pages/s "
        f"({n / before:.1f} before, {n / after:.1f} after)"
    )
    print(
        f"[{name}] scrapy extract --batch: {n / batch:.1f} pages/s "
        f"= {traf / batch:.2f}x plain trafilatura"
    )


def aeb_pages(folder: Path, aeb: Path) -> tuple[Path, list[tuple[str, str]]]:
    """The AEB pages listed AEB_REPEAT times (paths into the benchmark, gzipped as shipped)."""
    from scrapy.http import HtmlResponse

    truth = json.loads((aeb / "ground-truth.json").read_text("utf-8"))
    lines, pages = [], []
    for page_id, gold in sorted(truth.items()):
        path = aeb / "html" / f"{page_id}.html.gz"
        url = gold.get("url") or "https://example.com/"
        html = HtmlResponse(url=url, body=gzip.decompress(path.read_bytes())).text
        lines.append(f"{path}\t{url}")
        pages.append((html, url))
    listing = folder / "aeb.tsv"
    listing.write_text("\n".join(lines * AEB_REPEAT) + "\n", "utf-8")
    return listing, pages * AEB_REPEAT


def magazine_pages(folder: Path, n: int) -> tuple[Path, list[tuple[str, str]]]:
    site = Site(n)
    lines, pages = [], []
    for i in range(n):
        url = f"https://{HOST}{site.article_path(i)}"
        html = site.article(i)
        (folder / f"{i}.html").write_text(html, "utf-8")
        lines.append(f"{i}.html\t{url}")
        pages.append((html, url))
    listing = folder / "pages.tsv"
    listing.write_text("\n".join(lines) + "\n", "utf-8")
    return listing, pages


def _stored_item(i: int, n: int) -> dict:
    site = Site(n)
    url = f"https://{HOST}{site.article_path(i)}"
    html = site.article(i)
    item = normalise(page_item(html, url, default_registry()["baoquocte"], {}, FETCHED_AT))
    return {**item, "html": html, "hints": {}}


def build_store(db: Path, n: int) -> None:
    """A store of n magazine articles with their pages, as a crawl leaves it (extraction on
    every core: this is set-up, not measured)."""
    store = Store(db)
    with ProcessPoolExecutor(mp_context=get_context("spawn")) as pool:
        batch = []
        for item in pool.map(_stored_item, range(n), [n] * n, chunksize=50):
            batch.append(item)
            if len(batch) == 100:
                store.write(batch)
                batch = []
        store.write(batch)
    store.close()


def one_process(db: Path) -> tuple[int, float]:
    """(pages, seconds) of the stored pages' extraction in this process, reading included."""
    sites = default_registry()
    store = Store(db)
    start = time.perf_counter()
    n = 0
    for page in store.stored_pages():
        reextract_page(page, sites)
        n += 1
    seconds = time.perf_counter() - start
    store.close()
    return n, seconds


def reextract_vs_one_process(db: Path) -> None:
    """The command against itself in one process, timed right before and right after it and
    averaged (the pages are unchanged: no run rewrites anything); then the extraction alone."""
    before = timed("reextract", "--db", str(db), "--workers", "1")
    whole = timed("reextract", "--db", str(db))
    after = timed("reextract", "--db", str(db), "--workers", "1")
    n, alone = one_process(db)
    one = (before + after) / 2
    print(
        f"[reextract] a store of {n} pages; scrapy reextract --workers 1: {n / one:.1f} pages/s "
        f"({n / before:.1f} before, {n / after:.1f} after)"
    )
    print(f"[reextract] scrapy reextract: {n / whole:.1f} pages/s = {one / whole:.2f}x one process")
    print(
        f"[reextract] the extraction alone in this process: {n / alone:.1f} pages/s "
        f"(the command = {alone / whole:.2f}x it)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="magazine pages for --batch")
    parser.add_argument("--store-pages", type=int, default=10_000, help="pages for reextract")
    parser.add_argument("--aeb", type=Path, default=AEB, help="the AEB benchmark's folder")
    parser.add_argument("--no-aeb", action="store_true")
    args = parser.parse_args(argv)
    cores = len(os.sched_getaffinity(0))
    print(f"{cores} cores, load average {os.getloadavg()[0]:.2f} at the start")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.no_aeb:
            if not args.aeb.exists():
                raise SystemExit(f"{args.aeb}: no AEB benchmark here (--aeb PATH or --no-aeb)")
            batch_vs_trafilatura("aeb", *aeb_pages(folder, args.aeb.resolve()))
        if args.pages:
            batch_vs_trafilatura("magazine", *magazine_pages(folder, args.pages))
        if args.store_pages:
            db = folder / "news.db"
            build_store(db, args.store_pages)
            reextract_vs_one_process(db)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
