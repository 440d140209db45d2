"""Distributed mode: crawl throughput with one and with two crawler processes, in one run.

    python -m bench.bench_distributed                   # 240 articles, 0.25 s per answer (~80 s)
    python -m bench.bench_distributed --latency 0 --per-host 8   # CPU-bound: answers at once
    python -m bench.bench_distributed --workers 1 2 3 --articles 1200

Needs redis-server (Debian's package) on PATH; starts its own on a unix socket, no persistence.
The site is the generated MasterCMS magazine of bench/bench_crawl.py (real template, ~80 KB
pages, N articles under one section), served on 127.0.0.1 by bench.bench_crawl.Mirror, which waits
`--latency` seconds before each answer, as a slow portal does. Each round starts N
`scrapy crawl baoquocte` processes at once with `-s REDIS_URL=...` and the polite per-host
limit (`--per-host`, default 2, per process), then one `scrapy ingest --until-empty`, on a fresh
Redis database and a fresh store. Printed per round: pages fetched (the server's count, and
how many paths were fetched twice: must be 0), the crawl's span (first spider opened to last
closed, from the crawlers' own stats), pages/s over that span, the wall time with process
start-up, the articles stored and how long ingest needed after the last crawler ended.

What to read: with latency the per-process limit binds and N processes go about N times as
fast (and so hit the site N times as hard: lower --per-host to stay as polite); with
--latency 0 the machine's cores bind (each crawler already extracts on every core).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from bench.bench_crawl import HOST, SECTION, Site, serve

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "vnnews"


class RedisServer:
    """redis-server on a unix socket in a temporary directory, nothing saved."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server is not installed (apt-get install redis-server)")
        self.directory = tempfile.mkdtemp(prefix="redis-")
        self.url = f"unix://{self.directory}/redis.sock"
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--unixsocket", f"{self.directory}/redis.sock"]
            + ["--unixsocketperm", "700", "--save", "", "--appendonly", "no"]
            + ["--dir", self.directory],
            stdout=subprocess.DEVNULL,
        )
        import redis

        self.client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client.ping()
                return
            except (redis.ConnectionError, FileNotFoundError):
                if time.monotonic() > deadline:
                    raise SystemExit("redis-server did not start") from None
                time.sleep(0.05)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.directory, ignore_errors=True)


def scrapy(log: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["PYTHONPATH"] = str(ROOT)
    with log.open("w") as handle:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "scrapy", *args], cwd=ROOT, env=env, stdout=handle, stderr=handle
        )


def round_(
    workers: int, site: Site, port: int, hits: Counter, redis: RedisServer, per_host: int
) -> dict:
    redis.client.flushdb()
    hits.clear()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store" / "news.db"
        common = {
            "REDIS_URL": redis.url,
            "MIRROR_HOSTS": json.dumps({HOST: f"127.0.0.1:{port}"}),
            "DOWNLOAD_DELAY": "0",
            "AUTOTHROTTLE_ENABLED": "False",
            "CONCURRENT_REQUESTS_PER_DOMAIN": str(per_host),
            "LOG_LEVEL": "INFO",
            "HTTPPROXY_ENABLED": "False",
        }
        started = time.perf_counter()
        crawlers = []
        for n in range(workers):
            settings = {**common, "SQLITE_PATH": f"{tmp}/crawler{n}/news.db"}
            args = ["crawl", "baoquocte", "-a", f"sections={SECTION}"]
            args += ["-a", f"max_pages={site.pages()}"]
            args += [a for k, v in settings.items() for a in ("-s", f"{k}={v}")]
            crawlers.append(scrapy(Path(tmp) / f"crawler{n}.log", *args))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # ingest starts once every crawler has joined
            fields = [f.decode() for f in redis.client.hkeys(f"{PREFIX}:workers")]
            if all(
                p.poll() is not None or any(f":{p.pid}:" in f for f in fields) for p in crawlers
            ):
                break
            time.sleep(0.05)
        ingest = scrapy(
            Path(tmp) / "ingest.log",
            "ingest",
            "--until-empty",
            *("-s", f"REDIS_URL={redis.url}", "-s", f"SQLITE_PATH={store}"),
        )
        codes = [p.wait() for p in crawlers]
        crawled = time.perf_counter()
        ingest_code = ingest.wait()
        ingested = time.perf_counter()
        if ingest_code or any(codes):
            logs = "\n".join(p.read_text()[-2000:] for p in Path(tmp).glob("*.log"))
            raise SystemExit(f"exit codes: crawlers {codes}, ingest {ingest_code}\n{logs}")
        import sqlite_utils

        db = sqlite_utils.Database(store)
        runs = [json.loads(r["stats"]) for r in db["crawl_runs"].rows]
        stored = db["articles"].count
        db.close()
    opened = min(datetime.fromisoformat(s["start_time"]) for s in runs)
    closed = max(datetime.fromisoformat(s["finish_time"]) for s in runs)
    span = (closed - opened).total_seconds()
    pages = sum(s.get("response_received_count", 0) for s in runs)
    return {
        "workers": workers,
        "pages": sum(hits.values()),
        "twice": sum(1 for path, n in hits.items() if n > 1 and path != "/robots.txt"),
        "span": span,
        "rate": pages / span,
        "shares": sorted((s.get("response_received_count", 0) for s in runs), reverse=True),
        "wall": crawled - started,
        "stored": stored,
        "ingest_after": ingested - crawled,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=240)
    parser.add_argument("--latency", type=float, default=0.25, help="seconds before each answer")
    parser.add_argument("--per-host", type=int, default=2, help="concurrent requests per process")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    site = Site(args.articles)
    server, _, hits = serve(site, args.latency)
    redis = RedisServer()
    print(
        f"{args.articles} articles + {site.pages()} listings, {args.latency * 1000:.0f} ms per "
        f"answer, {args.per_host} requests at a time per host per process, "
        f"{len(os.sched_getaffinity(0))} cores"
    )
    print("workers  pages  twice  crawl s  pages/s  per worker      wall s  stored  ingest +s")
    results = []
    try:
        for workers in args.workers:
            r = round_(workers, site, server.port, hits, redis, args.per_host)
            results.append(r)
            print(
                f"{r['workers']:>7}  {r['pages']:>5}  {r['twice']:>5}  {r['span']:>7.1f}  "
                f"{r['rate']:>7.1f}  {'/'.join(map(str, r['shares'])):<14}  {r['wall']:>6.1f}  "
                f"{r['stored']:>6}  {r['ingest_after']:>9.1f}"
            )
    finally:
        redis.close()
        server.shutdown()
    base = results[0]
    for r in results[1:]:
        print(
            f"{r['workers']} workers vs {base['workers']}: {r['rate'] / base['rate']:.2f}x pages/s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
