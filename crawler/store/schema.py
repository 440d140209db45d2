"""The store's tables and columns as this crawler writes them (docs/schema.md is the contract).

The schema is what the migrations build (crawler.store.migrations, v1 to SCHEMA_VERSION, all
SQL): `python -m crawler.store` prints it as a new file has it, and a test checks that
docs/schema.md documents every table and column of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
