"""Batch extraction speed: `scrapy extract --batch` and `scrapy reextract` against plain
trafilatura in one process, on the same realistic pages, in one run.

    python -m bench.bench_batch                 # 2,000 pages
    python -m bench.bench_batch --pages 5000

Both commands are timed whole (process start-up, reading, extraction on every core, JSON out
or SQLite updates); trafilatura is timed on extraction alone, so the ratio is conservative.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trafilatura

from bench.bench_crawl import HOST, Site
from crawler.extraction.item import page_item
from crawler.registry import default_registry
from crawler.store import Store
from pipelines.chain import normalise

ROOT = Path(__file__).resolve().parent.parent
FETCHED_AT = "2026-11-23T08:00:00+00:00"


def timed(*args: str) -> float:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args(argv)
    site = Site(args.pages)
    baoquocte = default_registry()["baoquocte"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lines, pages = [], []
        for i in range(args.pages):
            url = f"https://{HOST}{site.article_path(i)}"
            html = site.article(i)
            (folder / f"{i}.html").write_text(html, "utf-8")
            lines.append(f"{i}.html\t{url}")
            pages.append((html, url))
        listing = folder / "pages.tsv"
        listing.write_text("\n".join(lines) + "\n", "utf-8")

        start = time.perf_counter()
        for html, url in pages:
            trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
        traf = time.perf_counter() - start

        batch = timed("extract", "--batch", str(listing), "--fetched-at", FETCHED_AT)

        db = folder / "news.db"
        store = Store(db)
        items = []
        for html, url in pages:
            item = normalise(page_item(html, url, baoquocte, {}, FETCHED_AT))
            items.append({**item, "html": html, "hints": {}})
            if len(items) == 100:
                store.write(items)
                items = []
        store.write(items)
        store.close()
        reextract = timed("reextract", "--db", str(db))

    n = args.pages
    print(f"{n} pages of {len(pages[0][0]) / 1000:.0f} KB, {len(os.sched_getaffinity(0))} cores")
    print(f"plain trafilatura, one process: {n / traf:.1f} pages/s")
    print(f"scrapy extract --batch: {n / batch:.1f} pages/s = {traf / batch:.2f}x trafilatura")
    print(f"scrapy reextract: {n / reextract:.1f} pages/s = {traf / reextract:.2f}x trafilatura")
    return 0


if __name__ == "__main__":
    sys.exit(main())
