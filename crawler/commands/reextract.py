"""`scrapy reextract`: run extraction again over the stored pages, without re-crawling.

After an extractor or registry fix, every article is re-extracted from the page kept in the
`pages` table (the one that gave its current text), through the same normalising pipelines as
a crawl, and its row is updated in place: its id, URL, site and fetch time stay, and so do its
URLs and history. An article whose page now fails validation is left as it was and reported;
one whose new body is another stored article's is merged with it (the later id goes, recorded
in `article_merges`).

Each site's memory (what its pages repeat: its name in <title>, chrome lines, other articles'
titles as teasers) is learnt from the store first and passed to extraction, so a portal name
stored as every title, or a teaser list stored in every body, is repaired.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.batch import extracted
from crawler.cli import Strict
from crawler.extraction.pool import default_workers
from crawler.registry import Site, default_registry
from crawler.site_memory import learn_from_store
from crawler.store import Store, StoreError


def reextract(
    store: Store,
    sites: Mapping[str, Site],
    site: str | None = None,
    limit: int | None = None,
    dry_run: bool = False,
    report: Any = None,
    workers: int = 0,
) -> Counter:
    """Re-extract the store's articles; return the count of each outcome.

    Outcomes: unchanged, changed (fields other than the body), text_changed, merged (the new
    body is another article's: the two became one), rejected (the page no longer passes
    validation: row kept), error (extraction raised: row kept).
    """
    counts: Counter = Counter()
    query = "SELECT DISTINCT site FROM articles"
    names = [site] if site else [name for (name,) in store.db.execute(query)]
    memories = {name: learn_from_store(store.db, name) for name in names if name}
    pages = store.stored_pages(site=site, limit=limit, decode=workers <= 1)
    for page, item in extracted(pages, sites, workers, memories):
        article_id = page["article_id"]
        if isinstance(item, str):
            counts["error"] += 1
            if report:
                report(f"{article_id}\terror\t{page['url']}\t{item}")
            continue
        if item["rejected"]:
            counts["rejected"] += 1
            if report:
                report(f"{article_id}\trejected ({item['rejected']})\t{page['url']}")
            continue
        gone = not store.db.execute("SELECT 1 FROM articles WHERE id = ?", [article_id]).fetchone()
        if gone:  # merged into an earlier article while its page was being extracted
            continue
        outcome = store.replace_extraction(article_id, item, dry_run=dry_run)
        counts[outcome] += 1
        if report and outcome != "unchanged":
            report(f"{article_id}\t{outcome}\t{page['url']}")
    counts["without_page"] = store.articles_without_page(site)
    return counts


class Command(Strict, ScrapyCommand):
    max_args = 0
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--site NAME] [--limit N] [--dry-run]"

    def short_desc(self) -> str:
        return "Re-extract the stored pages and update the articles in place (no crawl)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", help="only this registry site's articles")
        parser.add_argument("--limit", type=int, help="at most N articles (in id order)")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, write nothing"
        )
        parser.add_argument("--db", help="database file (default: the SQLITE_PATH setting)")
        parser.add_argument(
            "--workers", type=int, help="extraction processes (default: one per core)"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected argument(s): {' '.join(args)}")
        sites = default_registry()
        if opts.site and opts.site not in sites:
            raise UsageError(f"unknown site {opts.site!r}; known: {', '.join(sorted(sites))}")
        if opts.limit is not None and opts.limit < 1:
            raise UsageError(f"--limit {opts.limit}: expected a positive number")
        assert self.settings is not None
        path = Path(opts.db or self.settings.get("SQLITE_PATH"))
        if not path.exists():
            print(f"error: {path}: no article database here", file=sys.stderr)
            self.exitcode = 2
            return
        try:
            store = Store(path)
        except StoreError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        try:
            workers = default_workers() if opts.workers is None else opts.workers
            counts = reextract(
                store, sites, opts.site, opts.limit, opts.dry_run, print, workers=workers
            )
        finally:
            store.close()
        done = sum(v for k, v in counts.items() if k != "without_page")
        verb = "would change" if opts.dry_run else "changed"
        print(
            f"{path}: {done} articles re-extracted: {counts['text_changed']} text {verb}, "
            f"{counts['changed']} other fields {verb}, {counts['merged']} merged with the "
            f"article holding the same text, {counts['unchanged']} unchanged, "
            f"{counts['rejected']} rejected (kept as they were), {counts['error']} errors; "
            f"{counts['without_page']} articles have no stored page"
        )
        if counts["error"]:
            self.exitcode = 1
