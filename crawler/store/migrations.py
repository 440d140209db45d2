"""Every schema version's step, v1 (creation) to SCHEMA_VERSION; each runs once, in the
transaction that sets `PRAGMA user_version` (crawler.store.database)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import sqlite_utils

from crawler.discovery.urls import canonical_url
from crawler.extraction.facets.gazetteer import GazetteerError
from crawler.store.schema import enable_fts, folded_for_search
from crawler.text.normalise import content_hash

if TYPE_CHECKING:
    from crawler.store.database import Store

logger = logging.getLogger(__name__)

# v2 to v5: `folded` was a virtual column with only đ/Đ mapped, the tokenizer removed the rest
# (v6 made it a stored column without any diacritic: crawler.store.schema).
V2_FOLDED_SQL = (
    "replace(replace(coalesce(title, '') || char(10) || coalesce(lead, '') || char(10) || "
    "coalesce(text, ''), 'đ', 'd'), 'Đ', 'D')"
)
V2_FTS_TOKENIZE = "unicode61 remove_diacritics 2"
V2_FTS_COLUMNS = ["title", "lead", "text", "folded"]


def _create_v1(db: sqlite_utils.Database) -> None:
    db["articles"].create(
        {
            "id": int,
            "url": str,
            "canonical_url": str,
            "site": str,
            "title": str,
            "lead": str,
            "text": str,
            "author": str,
            "section": str,
            "language": str,
            "published_at": str,
            "published_raw": str,
            "date_precision": str,
            "date_error": str,
            "date_conflicts": str,
            "images": str,
            "methods": str,
            "content_hash": str,
            "fetched_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"url", "site", "title", "text", "content_hash", "fetched_at"},
    )
    db["articles"].create_index(["content_hash"], unique=True)
    db["articles"].create_index(["site", "published_at"])
    db["articles"].create_index(["published_at"])
    db["article_urls"].create(
        {
            "id": int,
            "url": str,
            "article_id": int,
            "site": str,
            "first_seen_at": str,
            "last_seen_at": str,
        },
        pk="id",
        not_null={"url", "article_id", "site", "first_seen_at", "last_seen_at"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_urls"].create_index(["url"], unique=True)
    db["article_urls"].create_index(["article_id"])
    db["article_versions"].create(
        {
            "id": int,
            "article_id": int,
            "content_hash": str,
            "title": str,
            "text": str,
            "seen_at": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_versions"].create_index(["article_id"])
    db["crawl_runs"].create(
        {
            "id": int,
            "spider": str,
            "started_at": str,
            "finished_at": str,
            "finish_reason": str,
            "pages_fetched": int,
            "items_extracted": int,
            "articles_new": int,
            "articles_updated": int,
            "duplicates": int,
            "dropped": str,
            "errors": int,
            "http_status": str,
            "stats": str,
        },
        pk="id",
        not_null={"spider", "started_at"},
    )
    db["crawl_runs"].create_index(["spider", "started_at"])


V2_TABLES = (
    """
    CREATE TABLE pages (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        site TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        content_hash TEXT,
        compression TEXT NOT NULL DEFAULT 'zlib',
        html BLOB NOT NULL,
        html_chars INTEGER NOT NULL,
        hints TEXT
    )
    """,
    "CREATE INDEX idx_pages_article_id ON pages(article_id)",
    """
    CREATE TABLE article_signatures (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id),
        version INTEGER NOT NULL,
        shingles INTEGER NOT NULL,
        minhash BLOB NOT NULL
    )
    """,
    """
    CREATE TABLE article_lsh (
        bucket INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        PRIMARY KEY (bucket, article_id)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX idx_article_lsh_article_id ON article_lsh(article_id)",
    """
    CREATE TABLE near_duplicates (
        article_id INTEGER NOT NULL REFERENCES articles(id),
        other_id INTEGER NOT NULL REFERENCES articles(id),
        similarity REAL NOT NULL,
        found_at TEXT NOT NULL,
        PRIMARY KEY (article_id, other_id),
        CHECK (article_id > other_id)
    )
    """,
    "CREATE INDEX idx_near_duplicates_other_id ON near_duplicates(other_id)",
    """
    CREATE TABLE article_merges (
        article_id INTEGER PRIMARY KEY,
        into_id INTEGER NOT NULL REFERENCES articles(id),
        reason TEXT NOT NULL,
        merged_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_article_merges_into_id ON article_merges(into_id)",
    "CREATE INDEX idx_article_urls_canonical_url ON article_urls(canonical_url)",
    "CREATE INDEX idx_articles_site_fetched_at ON articles(site, fetched_at)",
)


def _rehash_v2(store: Store) -> None:
    """Recompute content hashes with tone-mark placement normalised (new in v2).

    Two v1 articles whose bodies differ only in tone-mark placement or Unicode form become one:
    the later row's URLs and history move to the earlier one, its text is kept in
    `article_versions` and its id in `article_merges`, so no URL, text or id is lost.
    """
    db = store.db
    first: dict[str, int] = {}
    updates: list[tuple[str, int]] = []
    for article_id, text, old_hash in db.execute(
        "SELECT id, text, content_hash FROM articles ORDER BY id"
    ).fetchall():
        new_hash = content_hash(text)
        if new_hash in first:
            store.merge_article(article_id, first[new_hash], "rehash_v2", keep_text=True)
            continue
        first[new_hash] = article_id
        if new_hash != old_hash:
            updates.append((new_hash, article_id))
    db.conn.executemany("UPDATE articles SET content_hash = ? WHERE id = ?", updates)
    versions = [
        (content_hash(text), version_id)
        for version_id, text in db.execute("SELECT id, text FROM article_versions").fetchall()
        if text is not None
    ]
    db.conn.executemany("UPDATE article_versions SET content_hash = ? WHERE id = ?", versions)


def _migrate_v2(store: Store) -> None:
    db = store.db
    db.execute("ALTER TABLE articles ADD COLUMN capped TEXT")
    db.execute(
        f"ALTER TABLE articles ADD COLUMN folded TEXT GENERATED ALWAYS AS ({V2_FOLDED_SQL}) VIRTUAL"
    )
    db.execute("ALTER TABLE article_urls ADD COLUMN canonical_url TEXT")
    db.execute("ALTER TABLE article_versions ADD COLUMN lead TEXT")
    db.execute("ALTER TABLE article_versions ADD COLUMN replaced_at TEXT")
    db.execute("ALTER TABLE crawl_runs ADD COLUMN near_duplicates INTEGER")
    for statement in V2_TABLES:
        db.execute(statement)
    _rehash_v2(store)
    declared = dict(db.execute("SELECT url, canonical_url FROM articles").fetchall())
    db.conn.executemany(
        "UPDATE article_urls SET canonical_url = ? WHERE id = ?",
        [
            (canonical_url(url, declared.get(url), store.sites), url_id)
            for url_id, url in db.execute("SELECT id, url FROM article_urls").fetchall()
        ],
    )
    for article_id, text, fetched_at in db.execute(
        "SELECT id, text, fetched_at FROM articles ORDER BY id"
    ).fetchall():
        store.index_near_duplicates(article_id, text, fetched_at)
    db["articles"].enable_fts(V2_FTS_COLUMNS, create_triggers=True, tokenize=V2_FTS_TOKENIZE)


def _migrate_v3(store: Store) -> None:
    """Each run's verdict for cron: the exit status and its reason (crawler.extensions.health)."""
    store.db.execute("ALTER TABLE crawl_runs ADD COLUMN exit_status INTEGER")
    store.db.execute("ALTER TABLE crawl_runs ADD COLUMN verdict TEXT")


def _migrate_v4(store: Store) -> None:
    """Pages keep what was received, so that a fix to decoding repairs them: the response's
    headers, its bytes when they are not the UTF-8 of `html`, and the codec used. Rows from
    before stay as they were (NULL: the bytes were not kept; `html` is all there is)."""
    for column, kind in (("headers", "TEXT"), ("body", "BLOB"), ("encoding", "TEXT")):
        store.db.execute(f"ALTER TABLE pages ADD COLUMN {column} {kind}")


def _migrate_v5(store: Store) -> None:
    """Links that answered 404/410, and when to try them again (crawler.discovery.gone)."""
    store.db.execute(
        """CREATE TABLE IF NOT EXISTS gone_urls (
            url TEXT PRIMARY KEY,
            site TEXT NOT NULL,
            status INTEGER NOT NULL,
            first_gone_at TEXT NOT NULL,
            last_checked_at TEXT NOT NULL,
            times INTEGER NOT NULL,
            retry_after TEXT NOT NULL
        )"""
    )
    store.db.execute("CREATE INDEX IF NOT EXISTS gone_urls_site ON gone_urls (site, retry_after)")
V7_TABLES = (
    """
    CREATE TABLE article_partners (
        article_id INTEGER NOT NULL REFERENCES articles(id),
        kind TEXT NOT NULL,
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        country TEXT,
        in_title INTEGER NOT NULL,
        in_lead INTEGER NOT NULL,
        in_text INTEGER NOT NULL,
        mentions INTEGER NOT NULL,
        implied INTEGER NOT NULL,
        PRIMARY KEY (article_id, kind, code)
    )
    """,
    "CREATE INDEX idx_article_partners_code ON article_partners(code, article_id)",
    "CREATE INDEX idx_article_partners_country ON article_partners(country, article_id)",
    "CREATE INDEX idx_article_partners_kind ON article_partners(kind)",
    """
    CREATE TABLE article_provinces (
        article_id INTEGER NOT NULL REFERENCES articles(id),
        named_era INTEGER NOT NULL,
        named_code TEXT NOT NULL,
        named TEXT NOT NULL,
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        in_title INTEGER NOT NULL,
        in_lead INTEGER NOT NULL,
        in_text INTEGER NOT NULL,
        mentions INTEGER NOT NULL,
        site INTEGER NOT NULL,
        about INTEGER NOT NULL,
        PRIMARY KEY (article_id, named_era, named_code)
    )
    """,
    "CREATE INDEX idx_article_provinces_code ON article_provinces(code, article_id)",
    "CREATE INDEX idx_article_provinces_named_code ON article_provinces(named_era, named_code)",
    """
    CREATE TABLE article_relevance (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id),
        score REAL NOT NULL,
        foreign_affairs INTEGER NOT NULL,
        signals TEXT NOT NULL,
        activities TEXT NOT NULL,
        gazetteer TEXT NOT NULL,
        computed_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX idx_article_relevance_fa ON article_relevance(foreign_affairs, score)",
    "CREATE INDEX idx_article_relevance_gazetteer ON article_relevance(gazetteer)",
    """
    CREATE TABLE gazetteer_partners (
        code TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        country TEXT
    )
    """,
    """
    CREATE TABLE vn_provinces (
        era INTEGER NOT NULL,
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        full_name TEXT NOT NULL,
        becomes_code TEXT NOT NULL,
        becomes TEXT NOT NULL,
        PRIMARY KEY (era, code)
    )
    """,
)


def _migrate_v7(store: Store) -> None:
    """Who each article is about (crawler.extraction.facets): partners, provinces, relevance.
    A gazetteer that cannot be read leaves them empty (logged): `scrapy facets` fills them in
    later."""
    for statement in V7_TABLES:
        store.db.execute(statement)
    try:
        store.refresh_facets(stale_only=False)
    except GazetteerError as exc:
        logger.error("%s: facets not computed: %s", store.path, exc)



FOLD_BATCH = 500  # rows folded per statement by the v6 step


def _migrate_v6(store: Store) -> None:
    """Search that respects diacritics (see FTS_TOKENIZE): `folded` becomes a stored column
    without any diacritic, the index is rebuilt over the text as written plus `folded`, and
    `published_month` (a virtual column) lets readers group and facet by month."""
    db = store.db
    db["articles"].disable_fts()  # the index and its triggers, which name `folded`
    db.execute("ALTER TABLE articles DROP COLUMN folded")
    db.execute("ALTER TABLE articles ADD COLUMN folded TEXT")
    db.execute("ALTER TABLE articles ADD COLUMN folded_title TEXT")
    db.execute(
        "ALTER TABLE articles ADD COLUMN published_month TEXT"
        " GENERATED ALWAYS AS (substr(published_at, 1, 7)) VIRTUAL"
    )
    last = 0
    while rows := db.execute(
        "SELECT id, title, lead, text FROM articles WHERE id > ? ORDER BY id LIMIT ?",
        [last, FOLD_BATCH],
    ).fetchall():
        db.conn.executemany(
            "UPDATE articles SET folded = :folded, folded_title = :folded_title WHERE id = :id",
            [{**folded_for_search(t, lead, text), "id": i} for i, t, lead, text in rows],
        )
        last = rows[-1][0]
    enable_fts(db)


MIGRATIONS = {
    1: lambda store: _create_v1(store.db),
    2: _migrate_v2,
    3: _migrate_v3,
    4: _migrate_v4,
    5: _migrate_v5,
    6: _migrate_v6,
    7: _migrate_v7,
}
