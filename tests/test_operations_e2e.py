"""Operating the crawler: the per-spider lock, progress lines, `scrapy runs`, `crawlall`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crawler.extensions.locks import SpiderLock
from tests.conftest import crawl, fast_settings, scrapy


def test_second_run_of_a_spider_exits_at_once_with_its_own_code(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    with SpiderLock(db, "phutho"):  # a run of phutho is "in progress"
        result = crawl(mirror, "phutho", db)
    assert result.returncode == 75
    assert "not started" in result.stderr and "held by a running crawl" in result.stderr
    assert not db.exists()  # nothing was crawled or written
    assert crawl(mirror, "thainguyen", db).returncode == 0  # other spiders are not blocked


def test_stale_lock_of_a_killed_run_is_taken_over(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    lock = tmp_path / "locks" / "phutho.lock"
    lock.parent.mkdir()
    lock.write_text("999999")  # left behind by a run killed with SIGKILL: no flock held
    result = crawl(mirror, "phutho", db)
    assert result.returncode == 0
    assert lock.read_text() != "999999"


def test_progress_lines_and_summary(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    result = crawl(mirror, "baoquocte", db, "-s", "PROGRESS_INTERVAL=0.05")
    assert "baoquocte progress: pages" in result.stderr
    summary = [line for line in result.stderr.splitlines() if "baoquocte summary" in line]
    assert len(summary) == 1 and "new articles" in summary[0] and "errors 0" in summary[0]


def test_runs_command_shows_the_last_runs(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    crawl(mirror, "phutho", db)
    crawl(mirror, "phutho", db)
    result = scrapy("runs", "-s", f"SQLITE_PATH={db}")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["id", "spider", "started_at"]
    assert [line.split()[1] for line in lines[1:]] == ["phutho", "phutho"]
    assert "finished" in lines[1]


def test_crawlall_runs_every_site_in_one_process(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    args = fast_settings(mirror.hosts_map(), db)
    result = scrapy("crawlall", "--only", "phutho,thainguyen", *args)
    assert result.returncode == 0, result.stderr[-3000:]
    out = scrapy("runs", "-s", f"SQLITE_PATH={db}").stdout
    assert "phutho" in out and "thainguyen" in out
    assert os.path.exists(db)


class HostileSite:
    """phutho.gov.vn as a hostile host: every page 403, a challenge page, or 500s."""

    CHALLENGE = (
        b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
        b'<div id="challenge-platform">Checking your browser before accessing.</div></body></html>'
    )

    def __init__(self, mode: str):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        links = "".join(f'<a href="/tin-tuc/bai-viet-{i}">Bài {i}</a>' for i in range(10))
        home = f"<html><body>{links}</body></html>".encode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                status, body = 200, home
                if mode == "403":
                    status, body = 403, b"<html><body>Forbidden</body></html>"
                elif mode == "challenge":
                    status, body = 503, HostileSite.CHALLENGE
                elif mode == "errors" and self.path not in ("/", "/robots.txt"):
                    status, body = 500, b"<html><body>Server Error</body></html>"
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hosts_map(self) -> dict[str, str]:
        return {"phutho.gov.vn": f"127.0.0.1:{self.server.server_address[1]}"}


@pytest.mark.parametrize(
    ("mode", "code", "reason"),
    [
        ("403", 3, "the site refused"),
        ("challenge", 3, "challenge pages: "),
        ("errors", 5, "errors for"),
    ],
)
def test_blocked_and_failing_sites_exit_non_zero(tmp_path: Path, mode: str, code: int, reason):
    site = HostileSite(mode)
    try:
        result = crawl(site, "phutho", tmp_path / "news.db", "-s", "RETRY_TIMES=0")
    finally:
        site.server.shutdown()
    assert result.returncode == code, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert f"exit {code}" in last and reason in last
    if mode == "challenge":
        assert result.stderr.count("anti-bot challenge page") == 1
