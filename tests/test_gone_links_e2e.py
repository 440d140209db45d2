"""Dead links (404/410) are "gone", not fetch errors; backed off in the store; progress lines."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.conftest import crawl, v3_store

# The Drupal template phutho's profile is written for (a page it does not know would make the
# crawl's verdict "profile stopped matching", exit 6).
ARTICLE = """<html><head><title>Bài {n}</title></head><body><article>
<h1 class="page-title">Hội nghị hợp tác quốc tế số {n}</h1>
<div class="field--name-created">20/11/2026 08:30</div>
<div class="field--name-body">
<p>Ngày 20/11/2026, tỉnh Phú Thọ tổ chức hội nghị hợp tác quốc tế lần thứ {n} với các đối tác
nước ngoài, bàn về đầu tư, giáo dục và giao lưu nhân dân giữa các địa phương.</p>
<p>Các đại biểu đã trao đổi nhiều nội dung thiết thực, thống nhất kế hoạch triển khai những
chương trình hợp tác cụ thể trong năm tới, góp phần nâng cao hiệu quả công tác đối ngoại.</p>
<p>Phát biểu tại hội nghị, lãnh đạo tỉnh cảm ơn sự quan tâm của các đối tác và khẳng định tỉnh
luôn tạo điều kiện thuận lợi để các dự án hợp tác được triển khai hiệu quả, bền vững.</p>
</div>
</article></body></html>"""


class DeadLinksSite:
    """phutho.gov.vn whose pages link to six articles: three live, two 404, one 410."""

    STATUS = {3: 404, 4: 404, 5: 410}

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        links = "".join(f'<a href="/tin-tuc/bai-viet-{i}">Bài {i}</a>' for i in range(6))
        home = f"<html><body>{links}</body></html>".encode()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                site.hits[self.path] += 1
                status, body = 200, home
                if self.path.startswith("/tin-tuc/bai-viet-"):
                    n = int(self.path.rsplit("-", 1)[1])
                    status = site.STATUS.get(n, 200)
                    body = ARTICLE.format(n=n).encode() if status == 200 else b"Not Found"
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

    def dead_hits(self) -> int:
        return sum(self.hits[f"/tin-tuc/bai-viet-{n}"] for n in self.STATUS)


def _gone_rows(db: Path) -> dict[str, tuple]:
    rows = sqlite3.connect(db).execute(
        "SELECT url, status, times, first_gone_at, retry_after FROM gone_urls"
    )
    return {row[0].rsplit("/", 1)[1]: row[1:] for row in rows}


def test_dead_links_are_gone_not_errors_and_backed_off(tmp_path: Path):
    site = DeadLinksSite()
    db = tmp_path / "news.db"
    try:
        first = crawl(site, "phutho", db, "-s", "PROGRESS_FIRST=0")
        assert first.returncode == 0, first.stderr[-3000:]
        last = first.stderr.strip().splitlines()[-1]
        assert "phutho: exit 0: finished (3 dead links: 404/410)" in last
        summary = next(line for line in first.stderr.splitlines() if "phutho summary" in line)
        assert "gone 3, errors 0" in summary
        assert site.dead_hits() == 3
        rows = _gone_rows(db)
        assert {k: v[:2] for k, v in rows.items()} == {
            "bai-viet-3": (404, 1),
            "bai-viet-4": (404, 1),
            "bai-viet-5": (410, 1),
        }
        assert rows["bai-viet-3"][3].startswith("2026-11-30T08:00:00")  # 7 days after the fetch

        # the next run, within the backoff: the dead links are not requested
        second = crawl(site, "phutho", db)
        assert second.returncode == 0, second.stderr[-3000:]
        assert site.dead_hits() == 3
        assert "'fetch/gone_skipped': 3" in second.stderr

        # eight days later: tried again, still dead, the backoff doubles
        later = crawl(site, "phutho", db, "-s", "FETCH_TIME=2026-12-01T08:00:00+00:00")
        assert later.returncode == 0, later.stderr[-3000:]
        assert site.dead_hits() == 6
        again = _gone_rows(db)
        assert again["bai-viet-3"][1] == 2
        assert again["bai-viet-3"][2] == rows["bai-viet-3"][2]  # first_gone_at kept
        assert again["bai-viet-3"][3].startswith("2026-12-15T08:00:00")  # 14 days

        # a link that answers again is forgotten
        site.STATUS = {4: 404, 5: 410}
        back = crawl(site, "phutho", db, "-s", "FETCH_TIME=2027-01-01T08:00:00+00:00")
        assert back.returncode == 0, back.stderr[-3000:]
        assert set(_gone_rows(db)) == {"bai-viet-4", "bai-viet-5"}
    finally:
        site.server.shutdown()


def test_first_progress_line_gives_rate_queue_and_what_is_left(mirror, tmp_path: Path):
    result = crawl(mirror, "baoquocte", tmp_path / "news.db", "-s", "PROGRESS_FIRST=0")
    lines = [line for line in result.stderr.splitlines() if "baoquocte progress:" in line]
    assert lines, result.stderr[-3000:]
    first = lines[0]
    assert "pages/min" in first and "left: " in first and " queued, " in first
    assert "downloading" in first and "gone 0" in first


def test_a_v3_store_gains_the_gone_urls_table_on_open(tmp_path: Path):
    from crawler.store import SCHEMA_VERSION, Store

    with Store(v3_store(tmp_path / "news.db")) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.gone_urls("phutho", "2026-01-01T00:00:00+00:00") == set()
