"""`scrapy facets`: recompute who each stored article is about (after a gazetteer change).

Crawls compute the facets of the articles they store; this recomputes them from the stored
title, lead and text: by default only those computed with another version of the gazetteer
(crawler/extraction/facets/data) or never, with `--all` every article. No page is fetched
or re-extracted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.cli import Strict
from crawler.extraction.facets.gazetteer import GazetteerError, gazetteer
from crawler.store import Store, StoreError


class Command(Strict, ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--all] [--site NAME] [--db FILE]"

    def short_desc(self) -> str:
        return "Recompute the stored articles' partners, provinces and relevance"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--all", action="store_true", help="every article, not only those out of date"
        )
        parser.add_argument("--site", help="only this site's articles")
        parser.add_argument("--db", help="database file (default: the SQLITE_PATH setting)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected argument(s): {' '.join(args)}")
        assert self.settings is not None
        path = Path(opts.db or self.settings.get("SQLITE_PATH"))
        if not path.exists():
            print(f"error: {path}: no article database here", file=sys.stderr)
            self.exitcode = 2
            return
        try:
            with Store(path) as store:
                done = store.refresh_facets(stale_only=not opts.all, site=opts.site)
                flagged = store.db.execute(
                    "SELECT count(*) FROM article_relevance WHERE foreign_affairs"
                ).fetchone()[0]
                total = store.db.execute("SELECT count(*) FROM article_relevance").fetchone()[0]
        except (StoreError, GazetteerError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        print(
            f"{path}: facets computed for {done} articles (gazetteer {gazetteer().version}); "
            f"{flagged} of {total} articles are foreign affairs"
        )
