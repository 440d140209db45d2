"""`scrapy report`: write the store's report, one HTML file with charts that works offline."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.cli import Strict
from crawler.store import StoreError, open_readonly


class Command(Strict, ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[-o FILE] [--db FILE]"

    def short_desc(self) -> str:
        return "Write an HTML report: articles per month, crawl health, field provenance"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-o", "--output", help="HTML file to write (default: report.html next to the store)"
        )
        parser.add_argument("--db", help="database file (default: the SQLITE_PATH setting)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected argument {args[0]!r}")
        try:
            from crawler.report import render  # plotly (the browse extra): only for a report
        except ImportError as exc:
            print(f"error: {exc}; pip install 'vn-news-crawler[browse]'", file=sys.stderr)
            self.exitcode = 2
            return
        assert self.settings is not None
        path = Path(opts.db or self.settings.get("SQLITE_PATH"))
        output = Path(opts.output) if opts.output else path.parent / "report.html"
        try:
            db = open_readonly(path)
        except StoreError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        try:
            page = render(db, str(path))
        except sqlite3.Error as exc:
            print(f"error: {path}: cannot read the store: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        finally:
            db.close()
        try:
            output.write_text(page, encoding="utf-8")
        except OSError as exc:
            print(f"error: cannot write {output}: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        print(output)
