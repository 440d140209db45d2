"""The store's tables and columns as this crawler writes them (docs/schema.md is the contract);
how a file reaches them from an older version is crawler.store.migrations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlite_utils

from crawler.store.errors import StoreError
from crawler.text.normalise import fold

SCHEMA_VERSION = 7
BUSY_TIMEOUT_MS = 30_000

ARTICLE_COLUMNS = (
    "url",
    "canonical_url",
    "site",
    "title",
    "lead",
    "text",
    "author",
    "section",
    "language",
    "published_at",
    "published_raw",
    "date_precision",
    "date_error",
    "date_conflicts",
    "images",
    "methods",
    "content_hash",
    "fetched_at",
    "capped",
)
# Columns reextraction may change (the identity columns url, site, fetched_at stay).
EXTRACTED_COLUMNS = tuple(
    c for c in ARTICLE_COLUMNS if c not in ("url", "site", "fetched_at", "content_hash", "capped")
)
REQUIRED = ("url", "site", "title", "text", "fetched_at")
JSON_COLUMNS = ("images", "methods", "date_conflicts", "capped")

# The full-text index (v6): title, lead and text as written, tokenized with case folded but
# diacritics kept, plus `folded`, the same three with every diacritic removed and đ/Đ as d/D.
# A query word typed without diacritics ("nang") matches `folded`, so it finds every accented
# form ("nắng", "nẵng", "nâng"); one typed with them ("Nẵng") can only match the columns as
# written, so "Đà Nẵng" never finds "đã nâng". Plain FTS5 MATCH does this, so sqlite-utils and
# Datasette searching `articles_fts` behave like `scrapy search`. `folded` and `folded_title`
# are stored columns the store fills: SQLite has no function to remove diacritics (v2's
# generated column only mapped đ, and ~130 nested replace() overflow SQLite's parser).
# v2 to v5: `folded` was a virtual column with only đ/Đ mapped, the tokenizer removed the rest.
FTS_COLUMNS = ("title", "lead", "text", "folded", "folded_title")
FTS_TOKENIZE = "unicode61 remove_diacritics 0"
# bm25 weights per FTS column, kept in the index's own configuration so that every reader
# ranking by `articles_fts.rank` (sqlite-utils search, a Datasette query) gets them: a word in
# the title counts most, typed with or without diacritics (`folded_title`).
FTS_RANK = "bm25(10.0, 4.0, 1.0, 1.0, 10.0)"
FACET_TABLES = ("article_partners", "article_provinces", "article_relevance")


def check_not_newer(path: object, version: int) -> None:
    """StoreError when the file's schema is newer than this crawler's (written by a newer
    one): neither the writer nor a reader may use it."""
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: schema version {version} is newer than this crawler's "
            f"({SCHEMA_VERSION}); upgrade the crawler"
        )


def missing_fields(item: Mapping[str, Any]) -> list[str]:
    return [name for name in REQUIRED if not item.get(name)]


def folded_for_search(title: str | None, lead: str | None, text: str | None) -> dict[str, str]:
    """`articles.folded` (title, lead and text, one a line) and `folded_title`, without any
    diacritic."""
    return {
        "folded": fold("\n".join((title or "", lead or "", text or ""))),
        "folded_title": fold(title or ""),
    }


def enable_fts(db: sqlite_utils.Database) -> None:
    db["articles"].enable_fts(list(FTS_COLUMNS), create_triggers=True, tokenize=FTS_TOKENIZE)
    db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', ?)", [FTS_RANK])
