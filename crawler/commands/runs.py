"""`scrapy runs`: the last crawls per site, as a table (from the store's `crawl_runs`)."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.cli import Strict
from crawler.store.readonly import connect_readonly
from crawler.terminal import SQLITE_MAX_INT, printable

COLUMNS = (
    "id",
    "spider",
    "started_at",
    "finished_at",
    "finish_reason",
    "exit_status",
    "pages_fetched",
    "articles_new",
    "articles_updated",
    "duplicates",
    "errors",
)


class Command(Strict, ScrapyCommand):
    max_args = 0
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "Show the last crawl runs per site"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", help="only this spider")
        parser.add_argument("--last", type=int, default=5, help="runs per site (default 5)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not 1 <= opts.last <= SQLITE_MAX_INT:
            raise UsageError(f"--last {opts.last}: expected a number from 1 to {SQLITE_MAX_INT}")
        assert self.settings is not None
        path = Path(self.settings["SQLITE_PATH"])
        if not path.exists():
            raise UsageError(f"{path}: no database yet (run a crawl first)")
        try:
            conn = connect_readonly(path)
        except sqlite3.Error as exc:
            raise UsageError(f"{path}: cannot read crawl_runs: {exc}") from exc
        try:
            rows = conn.execute(
                f"""
                SELECT {", ".join(COLUMNS)} FROM (
                    SELECT *, row_number() OVER (PARTITION BY spider ORDER BY id DESC) AS n
                    FROM crawl_runs WHERE (? IS NULL OR spider = ?)
                ) WHERE n <= ? ORDER BY spider, id DESC
                """,
                [opts.site, opts.site, opts.last],
            ).fetchall()
        except sqlite3.Error as exc:
            raise UsageError(f"{path}: cannot read crawl_runs: {exc}") from exc
        finally:
            conn.close()
        table = [COLUMNS] + [tuple(printable(v) for v in row) for row in rows]
        widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS))]
        for row in table:
            print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
