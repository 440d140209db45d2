"""`scrapy search QUERY`: full-text search of the store, ranked by relevance.

Prints one line per matching article, best match first: id, date, site, title, URL, separated
by tabs. A word typed without diacritics finds every accented form ("da nang" finds "Đà Nẵng"
and "đã nâng"); a word typed with them finds what was written ("Đà Nẵng" does not find
"đã nâng"), in either tone-mark convention ("thủy" finds "thuỷ") and either Unicode form (see
docs/schema.md, `articles_fts`). Every word is required, and articles where the words form the
phrase come first; `--raw` passes an FTS5 query through as it is (phrases in double quotes, OR,
NOT, prefix*).
"""

from __future__ import annotations

import argparse
import itertools
import re
import sqlite3
import sys
import unicodedata
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.cli import Strict
from crawler.store import StoreError, open_readonly
from crawler.terminal import SQLITE_MAX_INT, printable
from crawler.text.normalise import tone_placements

TOKEN = re.compile(r"\w+")
# Phrase spellings tried for "phrase first" (tone placements multiply per word).
PHRASE_SPELLINGS = 16


def _words(text: str) -> list[str]:
    return TOKEN.findall(unicodedata.normalize("NFC", text))


def _term(word: str) -> str:
    spellings = tone_placements(word)
    if len(spellings) == 1:
        return f'"{word}"'
    return "(" + " OR ".join(f'"{s}"' for s in spellings) + ")"


def fts_query(text: str) -> str:
    """Each word of the user's text as a quoted FTS5 term (all required); punctuation ignored.

    "Việt Nam - Lào" → '"Việt" AND "Nam" AND "Lào"'; quoting keeps FTS5 syntax (AND, NEAR, -, :, *)
    from being read in what the user typed. A word with a tone mark may be spelled with the
    mark on another vowel: "thủy" → '("thủy" OR "thuỷ")'.
    """
    return " AND ".join(_term(word) for word in _words(text))


def phrase_query(text: str) -> str:
    """The user's words as one FTS5 phrase, in each tone-mark spelling:
    "hòa bình" → '"hòa bình" OR "hoà bình"'."""
    spellings = itertools.islice(
        itertools.product(*(tone_placements(w) for w in _words(text))), PHRASE_SPELLINGS
    )
    return " OR ".join('"' + " ".join(words) + '"' for words in spellings)


def search(
    db: sqlite3.Connection,
    text: str,
    site: str | None = None,
    limit: int = 20,
    raw: bool = False,
) -> list[tuple]:
    """(id, date, site, title, url) of the articles matching `text`, best first.

    Articles with every word come out; those with the words as a phrase first (Vietnamese
    words are several syllables: "đối ngoại" is one word, "đội ... ngoài" is not), then by
    relevance (bm25, the index's weights: the title counts most). With `raw`, `text` is an
    FTS5 query, ranked by relevance alone.
    """
    params = {"query": text if raw else fts_query(text), "site": site, "limit": limit}
    phrase_first = ""
    if not raw:
        params["phrase"] = phrase_query(text)
        phrase_first = (
            "a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :phrase) DESC,"
        )
    return db.execute(
        f"""
        SELECT a.id, coalesce(substr(a.published_at, 1, 10), '-'), a.site, a.title, a.url
        FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
        WHERE articles_fts MATCH :query AND (:site IS NULL OR a.site = :site)
        ORDER BY {phrase_first} articles_fts.rank, a.published_at DESC
        LIMIT :limit
        """,
        params,
    ).fetchall()


class Command(Strict, ScrapyCommand):
    max_args = None
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "QUERY [--site NAME] [--limit N] [--raw]"

    def short_desc(self) -> str:
        return "Full-text search of the stored articles (with or without diacritics)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", help="only this registry site (e.g. baoquocte)")
        parser.add_argument("--limit", type=int, default=20, help="at most N results (20)")
        parser.add_argument(
            "--raw", action="store_true", help="QUERY is FTS5 syntax, passed through as it is"
        )
        parser.add_argument("--db", help="database file (default: the SQLITE_PATH setting)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give a query, e.g. scrapy search doi ngoai")
        if not 1 <= opts.limit <= SQLITE_MAX_INT:
            raise UsageError(f"--limit {opts.limit}: expected a number from 1 to {SQLITE_MAX_INT}")
        text = " ".join(args)
        if not (text.strip() if opts.raw else fts_query(text)):
            raise UsageError(f"{text!r}: no word to search for")
        assert self.settings is not None
        path = Path(opts.db or self.settings.get("SQLITE_PATH"))
        try:
            db = open_readonly(path)
        except StoreError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        try:
            rows = search(db, text, opts.site, opts.limit, opts.raw)
        except sqlite3.OperationalError as exc:
            print(f"error: {path}: cannot search for {printable(text)!r}: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        finally:
            db.close()
        for row in rows:
            print("\t".join(printable(value) for value in row))
        if not rows:
            print(f"no article matches {printable(text)!r}", file=sys.stderr)
            self.exitcode = 1
