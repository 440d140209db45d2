"""CPU of one extraction worker's call, part by part, in one process: no crawl, no noise from
the reactor, the mirror server or the other worker.

    python -m bench.bench_worker                  # 250 bench_crawl pages, the shipped registry
    python -m bench.bench_worker --pages 500 --repeat 3

Runs what a crawl's worker runs for each article page, in the same order and the same process
state: `extract_with_steps` (decoding, extraction, the memory sample, then the pipelines' steps
as the crawl's settings add them) on the pages bench_crawl serves, with a site memory of the
size a crawl has, after a first page (a worker loads its libraries at its first page). Prints
the CPU a page of each part (the names of `pool/cpu_seconds/...` in a crawl's stats), best of
`--repeat` runs.

Functions timed alone in a loop run several times faster than here: in the worker each part
runs after the others have swept the CPU's caches. Compare two checkouts by running this in
each (PYTHONPATH) one after the other, several times.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time

from bench.bench_crawl import HOST, HOST_SITE, Site
from crawler.extraction.calls import extract_with_steps
from crawler.extraction.memory import SiteMemory
from crawler.registry import default_registry

FETCHED = "2026-12-04T03:00:00+00:00"


def crawl_steps() -> list:
    """The pool steps the crawl's pipelines add, in their order (as a crawl builds them)."""
    from scrapy.pipelines import ItemPipelineManager
    from scrapy.utils.test import get_crawler

    from crawler import settings as project_settings
    from crawler.extraction.pool import shared_pool

    with tempfile.TemporaryDirectory() as tmp:
        values = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
        values.update(SQLITE_PATH=f"{tmp}/news.db", EXTRACT_WORKERS=0)
        crawler = get_crawler(settings_dict=values)
        manager = ItemPipelineManager.from_crawler(crawler)
        steps = list(shared_pool(crawler.settings).steps)
        for pipe in manager.middlewares:
            if hasattr(pipe, "store"):
                pipe.close_spider()
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    steps = tuple(crawl_steps())
    site = Site(args.pages)
    entry = default_registry()[HOST_SITE]
    pages = [
        (site.article_bytes(i), f"https://{HOST}{site.article_path(i)}") for i in range(args.pages)
    ]
    # a crawl's memory: the site's name, and the titles of its latest articles
    memory = SiteMemory(
        names=frozenset({"báo thế giới việt nam"}),
        titles=frozenset(f"bài số {i}" for i in range(2000)),
    )
    body, url = pages[0]
    extract_with_steps(body, "text/html", url, entry, {}, FETCHED, memory, steps)  # first use
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        spent: dict[str, float] = {}
        start = time.process_time()
        for body, url in pages:
            _, parts = extract_with_steps(
                body, "text/html; charset=utf-8", url, entry, {}, FETCHED, memory, steps
            )
            for name, seconds in parts.items():
                spent[name] = spent.get(name, 0.0) + seconds
        spent["total"] = time.process_time() - start
        if spent["total"] < best.get("total", float("inf")):
            best = spent
    print(f"{args.pages} pages of {len(pages[0][0]) / 1000:.0f} KB, steps: "
          + ", ".join(name for name, _ in steps))
    for name, seconds in best.items():
        print(f"  {name:16s} {seconds / args.pages * 1000:6.2f} ms a page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
