"""Distributed mode end to end: a real redis-server, two crawler processes, one writer.

Two `scrapy crawl` (or `scrapy crawlall`) processes run at once against one local mirror with
`-s REDIS_URL=...`; one `scrapy ingest --until-empty` writes the store. Every page must be
fetched once across both crawlers (the mirror counts requests per path), every article stored
once, with the same rows a single-process crawl stores.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from tests.conftest import FETCH_TIME, ROOT, clean_env, crawl, fast_settings, scrapy
from tests.mirror.server import MirrorServer

REDIS_SERVER = shutil.which("redis-server")
needs_redis = pytest.mark.skipif(
    REDIS_SERVER is None,
    reason="redis-server is not installed (apt-get install redis-server; .ci/run installs it)",
)
PREFIX = "vnnews"
ARTICLE_COLUMNS = (
    "url, canonical_url, site, title, lead, text, author, section, language, published_at, "
    "published_raw, date_precision, images, methods, content_hash, fetched_at"
)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A private redis-server on a unix socket, no persistence, stopped after the test."""
    import redis

    directory = tempfile.mkdtemp(prefix="redis-")  # short: a socket path has at most 107 bytes
    sock = f"{directory}/redis.sock"
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700"]
        + ["--save", "", "--appendonly", "no", "--dir", directory],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"unix://{sock}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except (redis.ConnectionError, FileNotFoundError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(directory, ignore_errors=True)


def start(log: Path, *args: str) -> subprocess.Popen:
    """`scrapy ARGS` in the background, its output to a file (a pipe could fill and block)."""
    with log.open("w") as handle:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "scrapy", *args],
            cwd=ROOT,
            env=clean_env(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            text=True,
        )


def finish(process: subprocess.Popen, log: Path, timeout: float = 120) -> tuple[int, str]:
    code = process.wait(timeout)
    output = log.read_text()
    tb = output.find("Traceback")
    assert tb < 0, output[max(0, tb - 2000) : tb + 3000]
    return code, output


def worker_settings(mirror: MirrorServer, data: Path, url: str) -> list[str]:
    # One data directory per crawler, as on separate machines: `scrapy crawl` keeps its
    # one-run-per-spider lock beside SQLITE_PATH, and a crawler never writes that file here.
    return [*fast_settings(mirror.hosts_map(), data / "news.db"), "-s", f"REDIS_URL={url}"]


def wait_until_registered(url: str, crawlers: list[subprocess.Popen], timeout: float = 60):
    """Until each crawler has joined the frontier (or already left): then `ingest
    --until-empty` cannot see an empty list and no crawler before they pushed anything."""
    import redis

    server = redis.Redis.from_url(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fields = [f.decode() for f in server.hkeys(f"{PREFIX}:workers")]
        if all(p.poll() is not None or any(f":{p.pid}:" in f for f in fields) for p in crawlers):
            return
        time.sleep(0.05)
    raise AssertionError("the crawlers did not register in Redis")


def run_distributed(
    tmp_path: Path, url: str, mirror: MirrorServer, commands: list[list[str]], store: Path
) -> tuple[list[tuple[int, str]], tuple[int, str]]:
    """Start the crawlers together, then one `ingest --until-empty`; wait for all of them."""
    crawlers = []
    for number, command in enumerate(commands):
        data = tmp_path / f"crawler{number}-{time.monotonic_ns()}"
        crawlers.append(
            (start(data.with_suffix(".log"), *command, *worker_settings(mirror, data, url)), data)
        )
    wait_until_registered(url, [p for p, _ in crawlers])
    log = tmp_path / f"ingest-{time.monotonic_ns()}.log"
    ingest = start(
        log, "ingest", "--until-empty", "-s", f"REDIS_URL={url}", "-s", f"SQLITE_PATH={store}"
    )
    results = [finish(p, data.with_suffix(".log")) for p, data in crawlers]
    return results, finish(ingest, log)


def articles(db: Path) -> dict[str, dict]:
    return {
        r["content_hash"]: r
        for r in sqlite_utils.Database(db).query(f"SELECT {ARTICLE_COLUMNS} FROM articles")
    }


def pages(db: Path) -> dict[str, str]:
    return {
        r["url"]: zlib.decompress(r["html"]).decode()
        for r in sqlite_utils.Database(db).query("SELECT url, html FROM pages")
    }


def redis_keys(url: str) -> set[str]:
    import redis

    server = redis.Redis.from_url(url)
    return {k.decode() for k in server.keys("*") if not k.startswith(f"{PREFIX}:run:".encode())}


def assert_worker_finished(code: int, log: str) -> None:
    """Exit 0; or 2 for a worker that the others left nothing to fetch: not one request, so
    crawler.extensions.health judges that spider as a site that did not answer, with no fetch error
    (as long as the verdict does not tell such a distributed worker from a dead site)."""
    if code == 0:
        return
    failed = [line for line in log.splitlines() if re.search(r": exit [1-9]\d*: ", line)]
    assert code == 2 and failed, log[-3000:]
    assert all(line.endswith("exit 2: the site did not answer (0 fetch errors)") for line in failed)


def assert_fetched_once(hits: dict[tuple[str, str], int]) -> None:
    twice = {key: n for key, n in hits.items() if n != 1 and key[1] != "/robots.txt"}
    assert not twice, f"fetched more than once across the crawlers: {twice}"
    assert all(n <= 2 for (_, path), n in hits.items() if path == "/robots.txt")


@needs_redis
def test_two_crawlers_fetch_each_article_once_and_one_writer_stores_it(
    tmp_path: Path, redis_url: str
):
    store = tmp_path / "store" / "news.db"
    with MirrorServer() as mirror:
        crawlers, (ingest_code, ingest_log) = run_distributed(
            tmp_path, redis_url, mirror, [["crawl", "baoquocte"]] * 2, store
        )
        hits = dict(mirror.hits)
    for code, log in crawlers:
        assert_worker_finished(code, log)
        assert "SQLiteStorePipeline" not in log and "CrawlRunLog" not in log
    assert ingest_code == 0, ingest_log[-3000:]
    assert_fetched_once(hits)

    expected = [e for e in MirrorServer.expected("baoquocte") if e["foreign_affairs"]]
    stored = articles(store)
    urls = {r["url"] for r in sqlite_utils.Database(store)["article_urls"].rows}
    assert {e["url"] for e in expected} <= urls
    # The same rows as one process writing the store itself (REDIS_URL unset: normal mode).
    single = tmp_path / "single" / "news.db"
    with MirrorServer() as mirror:
        assert crawl(mirror, "baoquocte", single).returncode == 0
    assert stored == articles(single)
    assert pages(store) == pages(single)  # the page HTML travelled through Redis

    runs = list(sqlite_utils.Database(store)["crawl_runs"].rows)
    assert [r["spider"] for r in runs] == ["baoquocte"] * 2
    assert all(r["finish_reason"] == "finished" and r["finished_at"] for r in runs)
    assert sum(r["articles_new"] for r in runs) == len(stored)
    assert sum(r["pages_fetched"] for r in runs) == sum(hits.values())
    workers = {json.loads(r["stats"])["distributed/worker"] for r in runs}
    assert len(workers) == 2
    # Drained: nothing queued, no worker, fingerprints cleared by the last worker out.
    assert redis_keys(redis_url) == set()

    # The next crawl starts afresh (fingerprints cleared) and finds every article known.
    with MirrorServer() as mirror:
        crawlers, (ingest_code, ingest_log) = run_distributed(
            tmp_path, redis_url, mirror, [["crawl", "baoquocte"]], store
        )
        again = dict(mirror.hits)
    assert crawlers[0][0] == 0 and ingest_code == 0, ingest_log[-3000:]
    assert again[("baoquocte.vn", "/")] == 1
    assert articles(store) == stored
    last = list(sqlite_utils.Database(store)["crawl_runs"].rows)[-1]
    assert last["articles_new"] == 0 and last["finish_reason"] == "finished"


@needs_redis
def test_two_crawlall_processes_share_one_frontier_per_site(tmp_path: Path, redis_url: str):
    sites = "thoidai,baoquocte"  # the republication trap: one article at two sites' URLs
    store = tmp_path / "store" / "news.db"
    with MirrorServer() as mirror:
        crawlers, (ingest_code, ingest_log) = run_distributed(
            tmp_path, redis_url, mirror, [["crawlall", "--only", sites]] * 2, store
        )
        hits = dict(mirror.hits)
    for code, log in crawlers:
        assert_worker_finished(code, log)
    assert ingest_code == 0, ingest_log[-3000:]
    assert_fetched_once(hits)
    assert {host for host, _ in hits} >= {"thoidai.com.vn", "baoquocte.vn"}

    single = tmp_path / "single" / "news.db"
    with MirrorServer() as mirror:
        result = scrapy("crawlall", "--only", sites, *fast_settings(mirror.hosts_map(), single))
    assert result.returncode == 0, result.stderr[-3000:]
    stored = articles(store)
    assert set(stored) == set(articles(single))  # the same articles, each stored once
    url_rows = "SELECT url FROM article_urls ORDER BY url"
    assert list(sqlite_utils.Database(store).query(url_rows)) == list(
        sqlite_utils.Database(single).query(url_rows)
    )
    runs = list(sqlite_utils.Database(store)["crawl_runs"].rows)
    assert sorted(r["spider"] for r in runs) == ["baoquocte"] * 2 + ["thoidai"] * 2
    assert redis_keys(redis_url) == set()


@needs_redis
def test_one_writer_only_and_an_interrupted_batch_is_written_again(tmp_path: Path, redis_url: str):
    import redis

    from crawler.commands.ingest import Ingest, IngestLocked
    from crawler.extensions.distributed import Keys, encode
    from crawler.store import Store

    server = redis.Redis.from_url(redis_url)
    keys = Keys(PREFIX)
    item = {
        "url": "https://baoquocte.vn/gap-mat-huu-nghi-1.html",
        "site": "baoquocte",
        "title": "Gặp mặt hữu nghị",
        "text": "Ngày 12/3, Liên hiệp các tổ chức hữu nghị tổ chức buổi gặp mặt.",
        "fetched_at": FETCH_TIME,
    }
    # What an ingest killed after taking a batch leaves: the batch in the processing list.
    server.rpush(keys.processing, encode({"type": "item", "run": None, "item": item}))
    store = Store(tmp_path / "news.db")
    try:
        writer = Ingest(server, keys, store)
        writer.acquire()
        with pytest.raises(IngestLocked, match="one writer only"):
            Ingest(server, keys, store).acquire()
        writer.release()
        writer.run(until_empty=True)
        assert writer.outcomes == {"new": 1}
        assert not server.exists(keys.processing, keys.ingest_lock)
        server.rpush(keys.items, encode({"type": "item", "run": None, "item": item}))
        writer.run(until_empty=True)  # delivered twice: stored once
        assert writer.outcomes == {"new": 1, "seen": 1}
        assert store.db["articles"].count == 1
    finally:
        store.close()


def test_without_redis_url_the_addon_changes_nothing_and_imports_no_redis():
    code = """
import sys
from scrapy.utils.project import get_project_settings
from crawler.extensions.distributed import DistributedAddon
settings = get_project_settings()
before = settings.copy_to_dict()
DistributedAddon().update_settings(settings)
assert settings.copy_to_dict() == before
assert not {"redis", "scrapy_redis"} & set(sys.modules), "redis imported"
"""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean_env(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_with_redis_url_the_addon_makes_a_worker_of_the_shared_frontier():
    from scrapy.utils.misc import load_object
    from scrapy.utils.project import get_project_settings

    from crawler.extensions.distributed import DistributedAddon, Frontier, RedisItemPipeline
    from crawler.extensions.runlog import CrawlRunLog
    from pipelines.store import SQLiteStorePipeline

    settings = get_project_settings()
    settings.set("REDIS_URL", "redis://127.0.0.1:6379/0", "cmdline")
    DistributedAddon().update_settings(settings)

    def components(name: str) -> dict:
        return {load_object(k): v for k, v in settings.getdict(name).items()}

    # wraps scrapy-redis's
    assert settings["SCHEDULER"] == "crawler.extensions.distributed.Scheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings.getbool("SCHEDULER_PERSIST")
    assert settings["SCHEDULER_QUEUE_KEY"] == "vnnews:%(spider)s:requests"
    pipelines = components("ITEM_PIPELINES")
    assert SQLiteStorePipeline not in pipelines and pipelines[RedisItemPipeline] == 900
    extensions = components("EXTENSIONS")
    assert extensions[CrawlRunLog] is None and extensions[Frontier] == 500


@needs_redis
def test_ingest_runs_until_sigterm_and_writes_what_arrives(tmp_path: Path, redis_url: str):
    import redis

    from crawler.extensions.distributed import Keys, encode

    server = redis.Redis.from_url(redis_url)
    keys = Keys(PREFIX)
    store = tmp_path / "news.db"
    log = tmp_path / "ingest.log"
    ingest = start(log, "ingest", "-s", f"REDIS_URL={redis_url}", "-s", f"SQLITE_PATH={store}")
    item = {
        "url": "https://thoidai.com.vn/giao-luu-huu-nghi-2.html",
        "site": "thoidai",
        "title": "Giao lưu hữu nghị",
        "text": "Chiều 13/4, đoàn đại biểu đã có buổi giao lưu hữu nghị với bạn bè quốc tế.",
        "fetched_at": FETCH_TIME,
    }
    server.rpush(keys.items, encode({"type": "item", "run": None, "item": item}))
    deadline = time.monotonic() + 60
    while server.exists(keys.items) or not server.exists(keys.ingest_lock):
        assert time.monotonic() < deadline and ingest.poll() is None, log.read_text()[-3000:]
        time.sleep(0.05)
    ingest.send_signal(signal.SIGTERM)
    code, output = finish(ingest, log, timeout=30)
    assert code == 0, output[-3000:]
    assert "1 item written (new 1)" in output
    assert not server.exists(keys.ingest_lock, keys.processing)
    assert [r["url"] for r in sqlite_utils.Database(store)["articles"].rows] == [item["url"]]


def test_ingest_needs_redis_url(tmp_path: Path):
    result = scrapy("ingest", "-s", f"SQLITE_PATH={tmp_path / 'news.db'}")
    assert result.returncode == 2
    assert "REDIS_URL" in result.stderr


class SlowMirror(MirrorServer):
    """The mirror answering after a delay, so that a crawl can be stopped halfway."""

    def dispatch(self, req):  # type: ignore[no-untyped-def]
        time.sleep(0.25)
        return super().dispatch(req)


@needs_redis
def test_a_crawl_stopped_halfway_is_resumed_by_the_next_worker(tmp_path: Path, redis_url: str):
    import redis

    server = redis.Redis.from_url(redis_url)
    store = tmp_path / "store" / "news.db"
    with SlowMirror() as mirror:
        settings = [*worker_settings(mirror, tmp_path / "first", redis_url)]
        settings += ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]
        log = tmp_path / "first.log"
        first = start(log, "crawl", "baoquocte", *settings)
        deadline = time.monotonic() + 60
        while server.llen(f"{PREFIX}:items") < 4:  # run start and three articles
            assert time.monotonic() < deadline and first.poll() is None, log.read_text()[-3000:]
            time.sleep(0.05)
        first.send_signal(signal.SIGINT)
        code, output = finish(first, log)
        assert code == 1 and "Closing spider (shutdown)" in output, output[-3000:]
        assert server.zcard(f"{PREFIX}:baoquocte:requests") > 0  # kept for the next worker

        [(code, output)], (ingest_code, ingest_log) = run_distributed(
            tmp_path, redis_url, mirror, [["crawl", "baoquocte"]], store
        )
        hits = dict(mirror.hits)
    assert code == 0 and "resuming a crawl stopped early" in output, output[-3000:]
    assert ingest_code == 0, ingest_log[-3000:]
    assert_fetched_once(hits)
    expected = {e["url"] for e in MirrorServer.expected("baoquocte") if e["foreign_affairs"]}
    stored = {r["url"] for r in sqlite_utils.Database(store)["article_urls"].rows}
    assert expected <= stored
    runs = [
        (r["finish_reason"], r["articles_new"])
        for r in sqlite_utils.Database(store)["crawl_runs"].rows
    ]
    assert [reason for reason, _ in runs] == ["shutdown", "finished"]
    assert sum(new for _, new in runs) == len(stored)
    assert redis_keys(redis_url) == set()
