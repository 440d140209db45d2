"""Peak memory and time of one crawl whose discovery page is hostile-sized, against the local
fault server (tests/faults): a listing of 100k links, a feed of 100k items, a sitemap of 100k
locs, or an API page of a million records.

    python -m bench.bench_hostile_discovery listing
    python -m bench.bench_hostile_discovery api -s DISCOVERY_MAX_API_RECORDS=100

Extra arguments go to `scrapy crawl`. Prints the crawl's peak RSS (Scrapy's memusage/max and
the children's ru_maxrss), its wall time, exit status and the discovery stats that count the
cuts. The generated article links answer 404, so the verdict is usually exit 5 (errors).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlite_utils

from tests.conftest import ROOT, clean_env, fast_settings
from tests.faults import FaultServer

CASES = {
    "listing": ("baoquocte", {"huge_listing": 100_000}),
    "feed": ("baoquocte", {"feeds": {"": "huge"}}),
    "sitemap": ("baoquocte_sitemaps", {"huge_sitemap": 100_000}),
    "api": ("vinhphuc", {"api": {"ThoiSuChinhTri": "huge"}}),
}
TIMEOUT = 300


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in CASES:
        raise SystemExit(f"usage: python -m bench.bench_hostile_discovery {'|'.join(CASES)} ...")
    spider, server_kwargs = CASES[sys.argv[1]]
    db = Path(tempfile.mkdtemp()) / "news.db"
    with FaultServer(**server_kwargs) as server:
        args = [
            sys.executable, "-m", "scrapy", "crawl", spider,
            *fast_settings(server.hosts_map(), db),
            "-a", "max_pages=1",
            "-s", "SPIDER_MODULES=crawler.spiders,tests.faults.spiders",
            "-s", "MEMUSAGE_CHECK_INTERVAL_SECONDS=0.05",
            "-s", "MEMUSAGE_LIMIT_MB=2000",
            *sys.argv[2:],
        ]  # fmt: skip
        started = time.monotonic()
        result = subprocess.run(
            args, cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=TIMEOUT
        )
        seconds = time.monotonic() - started
    [run] = list(sqlite_utils.Database(db)["crawl_runs"].rows)
    stats = json.loads(run["stats"])
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"{sys.argv[1]}: {seconds:.1f} s, exit {result.returncode}, "
        f"memusage/max {stats.get('memusage/max', 0) / 2**20:.0f} MB, "
        f"children's peak RSS {children:.0f} MB"
    )
    for key, value in sorted(stats.items()):
        if key.startswith("discovery/"):
            print(f"  {key}: {value}")
    print(" ", result.stderr.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
