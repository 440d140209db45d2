"""End-to-end crawl benchmark on a local mirror of a MasterCMS magazine, in one run.

    python -m bench.bench_crawl                # 2,000 articles
    python -m bench.bench_crawl --articles 10000

Builds a mirror of `baoquocte.vn` with N article pages (~80 KB each, the real template with a
portal's worth of chrome) and their section listings, crawls it with the real spider into a
fresh store, and prints: pages/s end to end; plain trafilatura's pages/s on the same pages in
one process (the one-core limit) and the ratio; our extraction's own cost; the share of the
crawl's time spent outside extraction; peak RSS of the crawl (crawler plus workers); and the
second, incremental run's time against the first. Ratios are what to read: machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import trafilatura

from crawler.extraction import extract_article
from crawler.registry import default_registry

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "tests" / "corpus" / "baoquocte" / "nhiem-vu-doi-ngoai.html"
GOLD = TEMPLATE.with_suffix(".json")
HOST = "baoquocte.vn"
SECTION = "ngoai-giao"
PAGE_SIZE = 15
TARGET_BYTES = 80_000


class Site:
    """Article pages made from one real template: same chrome, distinct bodies and titles."""

    def __init__(self, articles: int):
        self.articles = articles
        gold = json.loads(GOLD.read_text("utf-8"))
        self.template = TEMPLATE.read_text("utf-8")
        self.title = gold["title"]
        self.url = gold["url"]
        self.paragraphs = gold["paragraphs"]
        self.template = self._pad(self.template)
        self.pool = sorted(
            {
                para
                for path in TEMPLATE.parent.parent.glob("*/*.json")
                for para in json.loads(path.read_text("utf-8"))["paragraphs"]
                if len(para) > 80
            }
        )

    @staticmethod
    def _pad(page: str) -> str:
        """Real portals carry ~140 links and 75-100 KB of chrome: add teaser lists to match."""
        items = []
        n = 0
        while len(page) + sum(map(len, items)) < TARGET_BYTES:
            n += 1
            items.append(
                f'<li class="item"><a href="/tin-khac-{n}-{900000 + n}.html" title="Tin khác {n}">'
                f'<img src="/stores/news_dataimages/2023/012023/{n % 28 + 1:02d}/x{n}.jpg" '
                f'alt="Tin khác {n}"></a><h3><a href="/tin-khac-{n}-{900000 + n}.html">'
                f"Hoạt động đối ngoại nhân dân số {n} tại các địa phương</a></h3>"
                f'<div class="sapo">Các hoạt động giao lưu hữu nghị tiếp tục được đẩy mạnh '
                f"trong tháng {n % 12 + 1}.</div></li>\n"
            )
        block = '<div class="box-more"><h2>Tin mới</h2><ul>' + "".join(items) + "</ul></div>"
        return page.replace("</body>", block + "</body>")

    def article_path(self, i: int) -> str:
        return f"/bai-doi-ngoai-so-{i}-{500000 + i}.html"

    def article(self, i: int) -> str:
        page = self.template.replace(self.title, f"{self.title} (kỳ {i})")
        page = page.replace(self.url, f"https://{HOST}{self.article_path(i)}")
        chosen = random.Random(i).sample(self.pool, len(self.paragraphs))
        for j, (old, new) in enumerate(zip(self.paragraphs, chosen, strict=True)):
            page = page.replace(old, f"{new} (Bản tin {i}, đoạn {j + 1}.)")
        return page

    def listing(self, page: int) -> str:
        start = (page - 1) * PAGE_SIZE
        links = "".join(
            f'<div class="article"><a href="{self.article_path(i)}">Bài {i}</a></div>'
            for i in range(start, min(start + PAGE_SIZE, self.articles))
        )
        return f"<html><body><div class='list'>{links}</div></body></html>"

    def pages(self) -> int:
        return -(-self.articles // PAGE_SIZE)


def serve(site: Site, latency: float = 0.0) -> tuple[ThreadingHTTPServer, int, Counter]:
    """The magazine on 127.0.0.1, `latency` s before each answer; counts hits per path."""
    article = re.compile(r"^/bai-doi-ngoai-so-(\d+)-\d+\.html$")
    paging = re.compile(rf"^/{SECTION}&s_cond=&BRSR=(\d+)$")
    hits: Counter = Counter()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            path = self.path
            with lock:
                hits[path] += 1
            if latency:
                time.sleep(latency)
            body, status, kind = b"", 200, "text/html; charset=utf-8"
            if path == "/robots.txt":
                body, kind = b"User-agent: *\nDisallow:\n", "text/plain"
            elif path == "/":
                body = f"<html><body><a href='/{SECTION}'>Ngoai giao</a></body></html>".encode()
            elif path == f"/{SECTION}":
                body = site.listing(1).encode()
            elif m := paging.match(path):
                body = site.listing(int(m.group(1)) // PAGE_SIZE + 1).encode()
            elif (m := article.match(path)) and int(m.group(1)) < site.articles:
                body = site.article(int(m.group(1))).encode()
            else:
                status = 404
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1], hits


def tree_rss(pid: int) -> int:
    """RSS in bytes of a process and all its descendants (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def crawl(port: int, db: Path, pages: int) -> tuple[float, int, dict]:
    settings = {
        "MIRROR_HOSTS": json.dumps({HOST: f"127.0.0.1:{port}"}),
        "SQLITE_PATH": str(db),
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS": "32",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
        "REVISIT_HOURS": "0",
        "LOG_LEVEL": "WARNING",
        "HTTPPROXY_ENABLED": "False",
    }
    args = [sys.executable, "-m", "scrapy", "crawl", "baoquocte"]
    args += ["-a", f"sections={SECTION}", "-a", f"max_pages={pages}"]
    for key, value in settings.items():
        args += ["-s", f"{key}={value}"]
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.1)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed ({proc.returncode}):\n{stderr[-3000:]}")
    import sqlite_utils

    run = list(sqlite_utils.Database(db).query("select * from crawl_runs order by id desc"))[0]
    return elapsed, peak, json.loads(run["stats"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=300, help="pages timed in one process")
    args = parser.parse_args(argv)
    site = Site(args.articles)
    server, port, _ = serve(site)
    profile = default_registry()["baoquocte"].profile
    sample = [site.article(i) for i in range(min(args.sample, args.articles))]
    url = f"https://{HOST}/x-1.html"
    print(f"{args.articles} articles of {len(sample[0]) / 1000:.0f} KB, {site.pages()} listings")

    t = time.perf_counter()
    for page in sample:
        trafilatura.bare_extraction(page, url=url, with_metadata=True, include_comments=False)
    traf_rate = len(sample) / (time.perf_counter() - t)
    t = time.perf_counter()
    for page in sample:
        extract_article(page, url, profile)
    ours_ms = (time.perf_counter() - t) / len(sample) * 1000

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "news.db"
        first, peak, stats = crawl(port, db, site.pages())
        stored = stats.get("store/new", 0)
        second, _, stats2 = crawl(port, db, site.pages())
    server.shutdown()

    rate = stored / first
    workers = len(os.sched_getaffinity(0))
    extraction_share = min(1.0, stored * ours_ms / 1000 / workers / first)
    print(f"store outcomes: { {k: v for k, v in stats.items() if k.startswith('store/')} }")
    print(f"end to end: {stored} articles stored in {first:.1f} s = {rate:.1f} pages/s")
    print(f"plain trafilatura, one process: {traf_rate:.1f} pages/s (one-core limit)")
    print(f"ratio end to end / trafilatura one core: {rate / traf_rate:.2f}x")
    print(f"our extraction in one process: {ours_ms:.2f} ms/page = {1000 / ours_ms:.0f} pages/s")
    print(f"share of crawl time outside extraction ({workers} workers): {1 - extraction_share:.0%}")
    print(f"peak RSS, crawler + workers: {peak / 2**20:.0f} MiB")
    print(
        f"incremental second run: {second:.1f} s ({second / first:.0%} of the first), "
        f"{stats2.get('downloader/request_count', 0)} requests vs "
        f"{stats.get('downloader/request_count', 0)}, {stats2.get('store/new', 0)} new"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
