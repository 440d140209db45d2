"""Stopping a crawl with signals: the real `scrapy crawl` against the local fault server.

One SIGTERM asks for a graceful stop (Scrapy waits for the downloads in flight); a second one
forces an unclean shutdown, in which Scrapy never closes the spider. The run must still end
with its `crawl_runs` row finished, the reason `shutdown` and a non-zero exit status.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from crawler.extensions.health import EXIT_FAILED
from tests.conftest import ROOT, clean_env, fast_settings
from tests.faults import FaultServer


def test_a_second_sigterm_finishes_the_run_as_shutdown(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with FaultServer(links=("slow_drip",)) as server:  # a download that outlasts the signals
        crawl = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "scrapy",
                "crawl",
                "baoquocte",
                *fast_settings(server.hosts_map(), db),
                "-s",
                "DOWNLOAD_TIMEOUT=120",
            ],  # fmt: skip
            cwd=ROOT,
            env=clean_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        assert crawl.stderr is not None
        log = []
        for line in crawl.stderr:
            log.append(line)
            if "Spider opened" in line:
                break
        deadline = time.monotonic() + 60
        while server.count("/nho-giot-900004.html") == 0 and time.monotonic() < deadline:
            time.sleep(0.1)  # the slow page is being downloaded: a graceful stop waits for it
        crawl.send_signal(signal.SIGTERM)
        time.sleep(1)
        crawl.send_signal(signal.SIGTERM)
        log.append(crawl.stderr.read())
        status = crawl.wait(timeout=60)
    stderr = "".join(log)
    assert "Traceback" not in stderr, stderr[-3000:]
    assert "forcing unclean shutdown" in stderr
    assert status == EXIT_FAILED
    last = stderr.strip().splitlines()[-1]
    assert "stopped early (shutdown, forced by a second signal)" in last
    with sqlite3.connect(db) as conn:
        finished_at, reason, exit_status, verdict, stats = conn.execute(
            "SELECT finished_at, finish_reason, exit_status, verdict, stats FROM crawl_runs"
        ).fetchone()
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        pages = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
    assert finished_at is not None
    assert reason == "shutdown"
    assert exit_status == EXIT_FAILED
    assert "forced" in verdict
    assert json.loads(stats)["shutdown/forced"] == 1
    assert pages == articles  # the pending batch, if any, was written whole
