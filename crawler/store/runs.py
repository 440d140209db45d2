"""One row per crawl (`crawl_runs`) and links that answered 404/410 (`gone_urls`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any


class RunsAndGone:
    """Store's crawl runs and gone links (a mixin of crawler.store.database.Store)."""

    # -- crawl runs ---------------------------------------------------------------------------

    def start_run(self, spider: str, started_at: str) -> int:
        with self.transaction():
            return (
                self.db["crawl_runs"].insert({"spider": spider, "started_at": started_at}).last_pk
            )

    def finish_run(self, run_id: int, values: dict[str, Any]) -> None:
        with self.transaction():
            self.db["crawl_runs"].update(run_id, values)

    # -- gone links (404/410) -----------------------------------------------------------------

    def gone_urls(self, site: str, now: str) -> set[str]:
        """The site's links that answered 404/410 and are not due for another try at `now`."""
        rows = self.db.execute(
            "SELECT url FROM gone_urls WHERE site = ? AND retry_after > ?", [site, now]
        )
        return {url for (url,) in rows}

    def record_gone(
        self, site: str, gone: Mapping[str, int], back: Iterable[str], now: datetime, base: float
    ) -> None:
        """Note links that answered 404/410 (`url -> status`) with a doubling backoff of `base`
        days (capped at 90), and forget those that answered again (`back`)."""
        stamp = now.isoformat()
        with self.transaction():
            for url, status in gone.items():
                row = self.db.execute(
                    "SELECT first_gone_at, times FROM gone_urls WHERE url = ?", [url]
                ).fetchone()
                first, times = (row[0], row[1] + 1) if row else (stamp, 1)
                wait = timedelta(days=min(base * 2 ** (times - 1), 90))
                self.db["gone_urls"].upsert(
                    {
                        "url": url,
                        "site": site,
                        "status": status,
                        "first_gone_at": first,
                        "last_checked_at": stamp,
                        "times": times,
                        "retry_after": (now + wait).isoformat(),
                    },
                    pk="url",
                )
            for url in back:
                self.db.execute("DELETE FROM gone_urls WHERE url = ?", [url])

