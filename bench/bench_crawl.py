"""End-to-end crawl benchmark on a local mirror of a MasterCMS magazine, in one run.

    python -m bench.bench_crawl                       # 2,000 articles: rules, generic, peer
    python -m bench.bench_crawl --articles 10000
    python -m bench.bench_crawl --scale 2000,20000    # peak RSS side by side
    python -m bench.bench_crawl --workloads rules --profile /tmp/prof   # + py-spy stacks
    python -m bench.profile_share /tmp/prof/rules.txt                   # where the CPU went

Serves a mirror of `baoquocte.vn` with N article pages (~80 KB each, the real template with a
portal's worth of chrome) and their section listings, each page joined from the template's
pieces when asked (no page is held: 20,000 pages would be 1.6 GB), and crawls it into a fresh
store three times over:

* `rules`: the registry as shipped (the MasterCMS profile's rules: ~2-4 ms a page);
* `generic`: the same site declared as the generic family, so every page goes through
  trafilatura: the workload of a site added without rules (~15-20 ms a page);
* `peer`: the crawler a user would otherwise write (bench/peer_crawler.py: a CrawlSpider with a
  LinkExtractor, trafilatura in the callback, sqlite-utils upserts in a pipeline).

For each it prints pages/s end to end, the ratio to plain trafilatura's pages/s on the same
pages in one process (the one-core limit) and to the peer's, where the CPU went per page
(extraction, fingerprints and the pipelines' other steps as the worker pool measured them, the
rest of the workers, the reactor process, the store's writer process, the mirror server), and
the share of the crawl's time spent outside extraction, read two ways over the whole run from
start-up to exit:

* CPU: 1 - extraction CPU / (cores x wall time), everything else on the machine counting
  against it (Scrapy, the pipelines, the store, the mirror server);
* workers: 1 - the workers' wall time inside extraction calls / (workers x wall time): how
  long the extraction workers had no page to work on.

For `rules` it also prints peak RSS (crawler plus workers) and the second, incremental run's
time against the first. Ratios are what to read: machines (virtual ones above all) are noisy,
so plain trafilatura is timed between the workloads and each ratio uses the mean of the two
timings around its workload (this machine's speed drifts by a third within minutes), and the
load average is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import asyncio
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
from dataclasses import dataclass
from pathlib import Path

from bench import plain_trafilatura
from crawler.extraction.article import extract_article
from crawler.registry import DEFAULT_REGISTRY, default_registry, load_registry
from crawler.store.writer import INITIALIZER

ROOT = Path(__file__).resolve().parent.parent
WRITER_MARK = INITIALIZER.encode()  # in the writer's command line (crawler.extraction.workers)
TEMPLATE = ROOT / "tests" / "corpus" / "baoquocte" / "nhiem-vu-doi-ngoai.html"
GOLD = TEMPLATE.with_suffix(".json")
HOST = "baoquocte.vn"
HOST_SITE = "baoquocte"
SECTION = "ngoai-giao"
PAGE_SIZE = 15
TARGET_BYTES = 80_000
LINKS = 140


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
        """Real portal pages carry ~140 links and weigh 75-100 KB: a "Tin khác" box of
        title-and-picture teasers brings the links up to that, and the rest is the inline
        CSS and ad-slot scripts such pages carry, half in <head>, half at the end.

        Teasers carry no sapo: a box of 60 sentences would outweigh the article itself, and
        the generic path would then (rightly) extract the box instead of the story.
        """
        items = [
            f'<li class="item"><a href="/tin-khac-{n}-{900000 + n}.html" title="Tin khác {n}">'
            f'<img src="/stores/news_dataimages/2023/012023/{n % 28 + 1:02d}/x{n}.jpg" '
            f'alt="Tin khác {n}"></a><h3><a href="/tin-khac-{n}-{900000 + n}.html">'
            f"Hoạt động đối ngoại nhân dân số {n} tại các địa phương</a></h3></li>\n"
            for n in range(1, max(0, LINKS - page.count("<a ")) // 2 + 1)
        ]
        box = '<div class="box-more"><h2>Tin khác</h2><ul>' + "".join(items) + "</ul></div>"
        rnd = random.Random(0)
        chrome: list[str] = []
        size = len(page) + len(box)
        while size < TARGET_BYTES:
            k = len(chrome)
            if k % 2 == 0:
                rules = "".join(
                    f".b{k}-{j}{{margin:{rnd.randint(0, 20)}px;color:#{rnd.randrange(16**6):06x};"
                    f"font-size:{rnd.randint(10, 20)}px}}\n"
                    for j in range(40)
                )
                block = f"<style>{rules}</style>\n"
            else:
                slots = {
                    f"slot{j}": {
                        "id": rnd.randrange(10**9),
                        "sizes": [[300, 250], [728, 90]],
                        "targeting": {"section": SECTION, "pos": j},
                    }
                    for j in range(15)
                }
                block = f"<script>window.adSlots{k} = {json.dumps(slots)};</script>\n"
            chrome.append(block)
            size += len(block)
        half = len(chrome) // 2
        page = page.replace("</head>", "".join(chrome[:half]) + "</head>", 1)
        return page.replace("</body>", box + "".join(chrome[half:]) + "</body>", 1)

    def article_path(self, i: int) -> str:
        return f"/bai-doi-ngoai-so-{i}-{500000 + i}.html"

    def prerender(self) -> None:
        """Cut the template once at the places an article changes, so that serving a page is
        a join of ~30 pieces (about 0.05 ms), not a render: the mirror holds no page in
        memory, whatever the number of articles (20,000 pages of 80 KB would be 1.6 GB)."""
        marked = self.template.replace(self.title, "\0T\0").replace(self.url, "\0U\0")
        for j, old in enumerate(self.paragraphs):
            marked = marked.replace(old, f"\0P{j}\0")
        self.pieces = marked.split("\0")

    def article_bytes(self, i: int) -> bytes:
        return self.article(i).encode()

    def article(self, i: int) -> str:
        pieces = getattr(self, "pieces", None)
        if pieces is None:
            self.prerender()
            pieces = self.pieces
        chosen = random.Random(i).sample(self.pool, len(self.paragraphs))
        out = list(pieces)
        for k in range(1, len(out), 2):  # the markers sit at the odd places
            mark = out[k]
            if mark == "T":
                out[k] = f"{self.title} (kỳ {i})"
            elif mark == "U":
                out[k] = f"https://{HOST}{self.article_path(i)}"
            else:
                j = int(mark[1:])
                out[k] = f"{chosen[j]} (Bản tin {i}, đoạn {j + 1}.)"
        return "".join(out)

    def listing(self, page: int) -> str:
        start = (page - 1) * PAGE_SIZE
        links = "".join(
            f'<div class="article"><a href="{self.article_path(i)}">Bài {i}</a></div>'
            for i in range(start, min(start + PAGE_SIZE, self.articles))
        )
        return f"<html><body><div class='list'>{links}</div></body></html>"

    def pages(self) -> int:
        return -(-self.articles // PAGE_SIZE)


def one_core_rate(pages: list[str], url: str) -> float:
    """Plain trafilatura on `pages`, one core: pages/s (bench.plain_trafilatura)."""
    return len(pages) / plain_trafilatura.seconds([(page, url) for page in pages])


ARTICLE = re.compile(r"^/bai-doi-ngoai-so-(\d+)-\d+\.html$")
PAGING = re.compile(rf"^/{SECTION}&s_cond=&BRSR=(\d+)$")


class Mirror:
    """The magazine on 127.0.0.1 (HTTP/1.1, keep-alive, GET only), `latency` s before each
    answer; `hits` counts the requests per path.

    It stands in for a server on another machine, yet its CPU is this machine's, shared with
    the crawl it measures: an asyncio protocol on a thread of its own, which answers a page in
    a fifth of the CPU http.server's handler took (header parsing through the email package,
    a thread per connection).
    """

    def __init__(self, site: Site, latency: float = 0.0):
        self.site = site
        self.latency = latency
        self.hits: Counter = Counter()
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self.thread.start()
        started.wait()

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            self.loop.create_server(lambda: _MirrorConnection(self), "127.0.0.1", 0, backlog=128)
        )
        self.port = self.server.sockets[0].getsockname()[1]
        started.set()
        self.loop.run_forever()

    def answer(self, path: str) -> tuple[int, str, bytes]:
        self.hits[path] += 1
        site, kind = self.site, "text/html; charset=utf-8"
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow:\n"
        if path == "/":
            home = f"<html><body><a href='/{SECTION}'>Ngoai giao</a></body></html>"
            return 200, kind, home.encode()
        if path == f"/{SECTION}":
            return 200, kind, site.listing(1).encode()
        if m := PAGING.match(path):
            return 200, kind, site.listing(int(m.group(1)) // PAGE_SIZE + 1).encode()
        if (m := ARTICLE.match(path)) and int(m.group(1)) < site.articles:
            return 200, kind, site.article_bytes(int(m.group(1)))
        return 404, kind, b""

    def shutdown(self) -> None:
        def stop() -> None:
            self.server.close()
            self.loop.stop()

        self.loop.call_soon_threadsafe(stop)
        self.thread.join(5)


class _MirrorConnection(asyncio.Protocol):
    def __init__(self, mirror: Mirror):
        self.mirror = mirror
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:  # a GET has no body
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            parts = head.split(b" ", 2)
            path = parts[1].decode("latin-1") if len(parts) > 2 else "/"
            status, kind, body = self.mirror.answer(path)
            response = b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (
                status, b"OK" if status == 200 else b"Not Found", kind.encode(), len(body)
            ) + body
            if self.mirror.latency:
                self.mirror.loop.call_later(self.mirror.latency, self._send, response)
            else:
                self._send(response)

    def _send(self, response: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(response)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


def serve(site: Site, latency: float = 0.0) -> tuple[Mirror, int, Counter]:
    """The magazine on 127.0.0.1 (see Mirror): the server, its port and its hits."""
    mirror = Mirror(site, latency)
    return mirror, mirror.port, mirror.hits


def process_rss(pid: int) -> int:
    """RSS in bytes of one process (Linux /proc), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (FileNotFoundError, ProcessLookupError):
        return 0


def children(pid: int) -> list[int]:
    """A process's children, whichever of its threads started them (Linux /proc lists them
    per thread: the store's writer process is started by the pipeline's thread)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def tree_rss(pid: int) -> int:
    """RSS in bytes of a process and all its descendants (Linux /proc)."""
    return sum(process_rss(p) for p in descendants(pid))


def generic_registry(directory: Path) -> Path:
    """The shipped registry with baoquocte declared as the generic family (no extraction
    rules), keeping its URL scheme so that discovery is the same."""
    text = DEFAULT_REGISTRY.read_text("utf-8")
    block = '[sites.baoquocte]\nlabel = "Thế giới & Việt Nam"\nfamily = "mastercms"\n'
    if block not in text:
        raise SystemExit(f"bench: {DEFAULT_REGISTRY} changed; update generic_registry()")
    generic = block.replace('"mastercms"', '"generic"') + (
        "article = '^/[a-z0-9-]+-\\d+\\.html$'\n"
        'paging = "{section_url}&s_cond=&BRSR={offset}"\n'
        "max_pages = 3\n"
    )
    path = directory / "sites-generic.toml"
    path.write_text(text.replace(block, generic), "utf-8")
    load_registry(path)  # fails loudly here rather than in the crawl
    return path


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def is_store_writer(pid: int) -> bool:
    """The store's writer process (crawler.store.writer), told apart by its command line."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return WRITER_MARK in f.read()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False


def descendants(pid: int) -> list[int]:
    """The process and all its descendants."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children(p))
    return found


@dataclass
class Run:
    wall: float
    peak_rss: int
    stats: dict
    reactor_cpu: float  # the crawl process: Scrapy, pipelines, store
    worker_cpu: float  # its extraction workers, last reading before each exited
    mirror_cpu: float  # this process: the mirror server's threads
    peak_reactor_rss: int = 0  # the crawl process alone
    writer_cpu: float = 0.0  # the store's writer process

    @property
    def stored(self) -> int:
        return self.stats.get("store/new", 0)


# /proc read every POLL s: each reading costs this process ~1 ms of CPU, the crawl's machine's
POLL = 0.1


def watch(args: list[str], env: dict[str, str], profile: Path | None = None) -> Run:
    """Run a crawl process to its end: wall time, peak RSS of its tree, CPU per process.

    With `profile`, py-spy samples the crawl process itself (not its workers) into a file of
    collapsed stacks (one `frame;frame;… count` line per stack), for `bench.profile_share`;
    BENCH_PYSPY_ARGS adds py-spy options (`--gil`: only the thread holding the GIL).
    """
    mirror_start = time.process_time()
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    spy = None
    if profile is not None:
        spy = subprocess.Popen(
            ["py-spy", "record", "--pid", str(proc.pid), "--rate", "200", "--format", "raw"]
            + ["--nonblocking", "-o", str(profile)]
            + os.environ.get("BENCH_PYSPY_ARGS", "").split(),  # e.g. --gil
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    # stderr is read by a thread: a chatty crawl must not block on a full pipe
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
    reader.start()
    peak, peak_reactor, cpu, writers = 0, 0, {}, set()
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        peak_reactor = max(peak_reactor, process_rss(proc.pid))
        for pid in descendants(proc.pid):
            try:
                # read each time: a child read between its fork and its exec still shows
                # the crawl's command line
                if pid not in writers and is_store_writer(pid):
                    writers.add(pid)
                cpu[pid] = process_cpu(pid)
            except (FileNotFoundError, ProcessLookupError):
                continue
        time.sleep(POLL)
    elapsed = time.perf_counter() - start
    mirror = time.process_time() - mirror_start
    reader.join()
    if spy is not None:
        spy.wait(timeout=60)
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed ({proc.returncode}):\n{''.join(err)[-3000:]}")
    reactor = cpu.pop(proc.pid, 0.0)
    writer = sum(cpu.pop(pid) for pid in writers)
    return Run(elapsed, peak, {}, reactor, sum(cpu.values()), mirror, peak_reactor, writer)


def clean_env() -> dict[str, str]:
    """The environment without proxies, and with bytecode caching on as in any installation
    (a PYTHONDONTWRITEBYTECODE=1 shell would make every crawl compile the project again)."""
    return {
        k: v
        for k, v in os.environ.items()
        if "proxy" not in k.lower() and k != "PYTHONDONTWRITEBYTECODE"
    }


def crawl(
    port: int, db: Path, pages: int, registry: Path | None = None, profile: Path | None = None
) -> Run:
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
    args = [sys.executable, "-m", "scrapy", "crawl", HOST_SITE]
    args += ["-a", f"sections={SECTION}", "-a", f"max_pages={pages}"]
    for key, value in settings.items():
        args += ["-s", f"{key}={value}"]
    env = clean_env()
    if registry is not None:
        env["CRAWLER_REGISTRY"] = str(registry)
    run = watch(args, env, profile)
    import sqlite_utils

    row = list(sqlite_utils.Database(db).query("select * from crawl_runs order by id desc"))[0]
    run.stats = json.loads(row["stats"])
    return run


def peer(port: int, db: Path, pages: int) -> Run:
    """The peer crawler (bench/peer_crawler.py) on the same mirror; stats: pages stored."""
    listing = f"http://127.0.0.1:{port}/{SECTION}"
    args = [sys.executable, "-m", "bench.peer_crawler", listing, str(pages)]
    args += [r"/[a-z0-9-]+-\d+\.html$", str(db)]
    run = watch(args, clean_env())
    import sqlite_utils

    stored = sqlite_utils.Database(db)["articles"].count
    run.stats = {"extract/pages": stored, "store/new": stored}
    return run


def report(name: str, run: Run, traf_rate: float, cores: int, peer_rate: float | None) -> None:
    """Print one workload's figures."""
    pages = run.stats.get("extract/pages", 0)
    n = max(1, pages)
    pool_cpu = {
        key.rsplit("/", 1)[1]: value
        for key, value in run.stats.items()
        if key.startswith("pool/cpu_seconds/")
    }
    extraction = pool_cpu.pop("page_item", 0.0)
    fingerprints = pool_cpu.pop("fingerprint", 0.0)
    rate = pages / run.wall
    outside = 1 - min(1.0, extraction / (cores * run.wall))
    in_calls = run.stats.get("pool/wall_seconds/page_item", 0.0)
    idle = 1 - min(1.0, in_calls / (cores * run.wall))
    rest = run.worker_cpu - extraction - fingerprints - sum(pool_cpu.values())
    per_page = {
        "extraction": extraction,
        "fingerprints": fingerprints,
        **{f"{step} (a pipeline's step, in the workers)": cpu for step, cpu in pool_cpu.items()},
        "rest of the workers (start-up, IPC)": max(0.0, rest),
        "reactor process (Scrapy, pipelines, store)": run.reactor_cpu,
        "store writer process (SQLite writes)": run.writer_cpu,
        "mirror server (same machine)": run.mirror_cpu,
    }
    print(
        f"[{name}] end to end: {n} article pages crawled, extracted and stored in "
        f"{run.wall:.1f} s = {rate:.1f} pages/s ({run.stored} distinct articles)"
    )
    print(f"[{name}] ratio end to end / plain trafilatura one core: {rate / traf_rate:.2f}x")
    if peer_rate and name != "peer":
        print(f"[{name}] ratio end to end / peer crawler: {rate / peer_rate:.2f}x")
    print(f"[{name}] CPU per page:")
    for label, seconds in per_page.items():
        if seconds or label.startswith(("reactor", "store writer", "mirror")):
            print(f"[{name}]   {label:45s} {seconds / n * 1000:6.2f} ms")
    used = sum(per_page.values()) / (cores * run.wall)
    print(f"[{name}] CPU busy: {used:.0%} of {cores} cores x {run.wall:.1f} s")
    if name == "peer":
        return
    print(f"[{name}] share of crawl time outside extraction, CPU: {outside:.0%}")
    print(f"[{name}] share of crawl time outside the workers' calls: {idle:.0%}")
    # a pool call runs on one thread: its wall time covers its CPU (moved here from
    # tests/test_crawl_e2e.py, where a loaded machine made the ratio flake)
    cpu = sum(v for k, v in run.stats.items() if k.startswith("pool/cpu_seconds/"))
    wall = run.stats.get("pool/wall_seconds/page_item", 0.0)  # the call, steps included
    ratio = wall / cpu if cpu else float("nan")
    print(f"[{name}] wall / CPU in the workers' calls {ratio:.2f} (expected >= 0.9)")


def scale(sizes: list[int], tmp: Path, profile: Path | None) -> None:
    """The shipped registry at each size, peak RSS (crawler + workers) side by side."""
    runs = []
    for size in sizes:
        site = Site(size)
        server, port, _ = serve(site)
        prof = profile / f"rules-{size}.txt" if profile else None
        runs.append(crawl(port, tmp / f"scale-{size}.db", site.pages(), None, prof))
        server.shutdown()
    print("articles  " + "".join(f"{size:>12,d}" for size in sizes))
    print("pages/s   " + "".join(f"{r.stats.get('extract/pages', 0) / r.wall:12.1f}" for r in runs))
    print("wall      " + "".join(f"{r.wall:10.0f} s" for r in runs))
    print("peak RSS  " + "".join(f"{r.peak_rss / 2**20:8.0f} MiB" for r in runs))
    print("  crawler " + "".join(f"{r.peak_reactor_rss / 2**20:8.0f} MiB" for r in runs))
    per_page = [r.reactor_cpu / max(1, r.stats.get("extract/pages", 0)) * 1000 for r in runs]
    print("reactor   " + "".join(f"{ms:9.2f} ms" for ms in per_page))
    first, last = runs[0].peak_rss, runs[-1].peak_rss
    print(f"peak RSS growth {sizes[0]:,d} -> {sizes[-1]:,d} articles: {last / first - 1:+.0%}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=300, help="pages timed in one process")
    parser.add_argument(
        "--workloads",
        default="rules,generic,peer",
        help="comma-separated: rules, generic, peer",
    )
    parser.add_argument(
        "--scale",
        metavar="N,M",
        help="instead: crawl with the shipped registry at these sizes (peak RSS side by side)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="py-spy the crawl processes into DIR/<workload>.txt (python -m bench.profile_share)",
    )
    args = parser.parse_args(argv)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    if args.scale:
        with tempfile.TemporaryDirectory() as tmp:
            scale([int(n) for n in args.scale.split(",")], Path(tmp), args.profile)
        return 0
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    site = Site(args.articles)
    server, port, _ = serve(site)
    cores = len(os.sched_getaffinity(0))
    sample = [site.article(i) for i in range(min(args.sample, args.articles))]
    url = f"https://{HOST}/x-1.html"
    print(f"{args.articles} articles of {len(sample[0]) / 1000:.0f} KB, {site.pages()} listings")
    print(f"{cores} cores, load average {os.getloadavg()[0]:.2f} at the start")

    # This machine's speed drifts by a third within minutes (a shared host): each workload's
    # reference is plain trafilatura measured right before and right after it, averaged.
    rates = [one_core_rate(sample, url)]
    print(f"plain trafilatura, one process: {rates[0]:.1f} pages/s (one-core limit)")

    with tempfile.TemporaryDirectory() as tmp:
        registries = {"rules": None, "generic": generic_registry(Path(tmp)), "peer": None}
        for name in ("rules", "generic"):
            entry = (load_registry(registries[name]) if registries[name] else default_registry())[
                HOST_SITE
            ]
            t = time.perf_counter()
            for page in sample:
                extract_article(page, url, entry.profile)
            ms = (time.perf_counter() - t) / len(sample) * 1000
            print(f"our extraction, {name} profile, one process: {ms:.2f} ms/page")
        runs, references = {}, {}
        for name in workloads:
            db = Path(tmp) / f"{name}.db"
            prof = args.profile / f"{name}.txt" if args.profile else None
            if name == "peer":
                runs[name] = peer(port, db, site.pages()), db
            else:
                runs[name] = crawl(port, db, site.pages(), registries[name], prof), db
            rates.append(one_core_rate(sample, url))
            references[name] = (rates[-2] + rates[-1]) / 2
            print(
                f"plain trafilatura, one process, after {name}: {rates[-1]:.1f} pages/s; "
                f"{references[name]:.1f} pages/s around it, the rate its ratio uses"
            )
        peer_rate = None
        if "peer" in runs:
            peer_run = runs["peer"][0]
            peer_rate = peer_run.stats["extract/pages"] / peer_run.wall
        for name in workloads:
            first, db = runs[name]
            report(name, first, references[name], cores, peer_rate)
            if name != "rules":
                continue
            second = crawl(port, db, site.pages(), registries[name])
            print(
                f"[{name}] peak RSS, crawler + workers: {first.peak_rss / 2**20:.0f} MiB "
                f"(the crawler alone {first.peak_reactor_rss / 2**20:.0f} MiB)"
            )
            print(
                f"[{name}] incremental second run: {second.wall:.1f} s "
                f"({second.wall / first.wall:.0%} of the first), "
                f"{second.stats.get('downloader/request_count', 0)} requests vs "
                f"{first.stats.get('downloader/request_count', 0)}, {second.stored} new"
            )
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
