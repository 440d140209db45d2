"""Derived data: what today's code or registry computes from a stored row, kept apart from the
migrations (which depend only on the file, crawler.store.migrations) and filled here by the
very code that fills a row written today.

- canonical_urls: `article_urls.canonical_url IS NULL`; `canonical_url()` with the Store's
  registry.
- signatures: an article without an `article_signatures` row, or with one of another
  `minhash.SIGNATURE_VERSION`; `Store.index_near_duplicates`, in id order.
- folded: `articles.folded` or `folded_title` NULL; `schema.folded_for_search`.
- facets: an article without `article_relevance`, or no reference rows;
  `Store.refresh_facets(missing_only=True)`.

The writer (`Store`) runs it on open: after a migration, every step in the migration's own
transaction, so a reader sees the old file or the migrated and filled one, never holes; on
any other open, the steps whose check is an index probe or a primary-key anti-join (all but
`folded`, whose check would read every body: only a migration leaves it empty), each batch its
own transaction, and nothing at all written when nothing is stale. Readers never run it.

Cost: what the old data steps cost, but `folded` is filled after v6 built the full-text index,
so its UPDATEs go through the index's triggers (about three times v6's old fill, once).

Not stale by this definition: a canonical URL computed under an older registry (a row keeps
the form it was written with, as the write path does), facets of another gazetteer (an
operator's `scrapy facets`), an article whose text has no syllable (no signature: checked
again at each open, which costs nothing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crawler.discovery.urls import canonical_url
from crawler.extraction.facets.gazetteer import GazetteerError
from crawler.store import minhash
from crawler.store.schema import folded_for_search

if TYPE_CHECKING:
    from crawler.store.database import Store

logger = logging.getLogger(__name__)

BATCH = 500  # rows a transaction


@dataclass(frozen=True)
class Step:
    name: str
    stale: str  # SQL: a row when anything is stale
    fill: Callable[[Store], int]  # rows filled
    every_open: bool  # `stale` is cheap enough to run at every writer open


def _fill_canonical_urls(store: Store) -> int:
    db = store.db
    declared = dict(
        db.execute(
            "SELECT url, canonical_url FROM articles WHERE canonical_url IS NOT NULL"
            " AND url IN (SELECT url FROM article_urls WHERE canonical_url IS NULL)"
        ).fetchall()
    )
    done, after = 0, 0
    while rows := db.execute(
        "SELECT id, url FROM article_urls WHERE canonical_url IS NULL AND id > ?"
        " ORDER BY id LIMIT ?",
        [after, BATCH],
    ).fetchall():
        with store.transaction():
            db.conn.executemany(
                "UPDATE article_urls SET canonical_url = ? WHERE id = ? AND canonical_url IS NULL",
                [(canonical_url(url, declared.get(url), store.sites), i) for i, url in rows],
            )
        done, after = done + len(rows), rows[-1][0]
    return done


STALE_SIGNATURES = (
    "SELECT a.id FROM articles a LEFT JOIN article_signatures s ON s.article_id = a.id"
    f" WHERE (s.article_id IS NULL OR s.version != {minhash.SIGNATURE_VERSION})"
)


def _fill_signatures(store: Store) -> int:
    """In id order, as the crawl wrote them: each article is linked to the earlier ones."""
    db = store.db
    done, after = 0, 0
    while ids := [
        i
        for (i,) in db.execute(
            f"{STALE_SIGNATURES} AND a.id > ? ORDER BY a.id LIMIT ?", [after, BATCH]
        ).fetchall()
    ]:
        with store.transaction():
            for article_id in ids:
                text, fetched_at = db.execute(
                    "SELECT text, fetched_at FROM articles WHERE id = ?", [article_id]
                ).fetchone()
                store.index_near_duplicates(article_id, text, fetched_at)
        done, after = done + len(ids), ids[-1]
    return done


def _fill_folded(store: Store) -> int:
    db = store.db
    done, after = 0, 0
    while rows := db.execute(
        "SELECT id, title, lead, text FROM articles"
        " WHERE id > ? AND (folded IS NULL OR folded_title IS NULL) ORDER BY id LIMIT ?",
        [after, BATCH],
    ).fetchall():
        with store.transaction():
            db.conn.executemany(
                "UPDATE articles SET folded = :folded, folded_title = :folded_title"
                " WHERE id = :id",
                [{**folded_for_search(t, lead, text), "id": i} for i, t, lead, text in rows],
            )
        done, after = done + len(rows), rows[-1][0]
    return done


def _fill_facets(store: Store) -> int:
    """A gazetteer that cannot be read leaves them empty (logged): `scrapy facets` fills them
    in once it is fixed, and so does the next open."""
    try:
        return store.refresh_facets(missing_only=True, batch=BATCH)
    except GazetteerError as exc:
        logger.error("%s: facets not computed: %s", store.path, exc)
        return 0


STEPS = (
    Step(
        "canonical_urls",
        "SELECT 1 FROM article_urls WHERE canonical_url IS NULL",
        _fill_canonical_urls,
        every_open=True,
    ),
    Step("signatures", STALE_SIGNATURES, _fill_signatures, every_open=True),
    Step(
        "folded",
        "SELECT 1 FROM articles WHERE folded IS NULL OR folded_title IS NULL",
        _fill_folded,
        every_open=False,
    ),
    Step(
        "facets",
        "SELECT 1 FROM articles a WHERE NOT EXISTS"
        " (SELECT 1 FROM article_relevance r WHERE r.article_id = a.id)"
        " UNION ALL SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM gazetteer_partners)",
        _fill_facets,
        every_open=True,
    ),
)


def refresh(store: Store, after_migration: bool = False) -> dict[str, int]:
    """Fill what is stale (every step after a migration, else the cheap ones); return the rows
    filled by step."""
    filled = {}
    for step in STEPS:
        if not (after_migration or step.every_open):
            continue
        if store.db.execute(f"SELECT EXISTS ({step.stale})").fetchone()[0]:
            filled[step.name] = step.fill(store)
            logger.info("%s: %s filled for %d rows", store.path, step.name, filled[step.name])
    return filled
