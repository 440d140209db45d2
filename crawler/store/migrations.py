"""Every schema version's step, v1 (creation) to SCHEMA_VERSION; each runs once, in the
transaction that sets `PRAGMA user_version` (crawler.store.database).

A step depends only on the file it migrates: SQL and DDL, and transforms computed from the
file alone with what the step itself defines (v2's rehash, frozen in crawler.store.rehash_v2).
It never calls the registry, the gazetteer or the text code of the day, so one old file
migrates to the same schema and rows whenever and wherever it is opened.

What today's code computes from a row (canonical URLs, near-duplicate signatures, the folded
search columns, facets) is derived data: a step leaves it empty, and crawler.store.derived
fills it right after, in the same transaction, exactly as rows written today are filled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import sqlite_utils

from crawler.store import rehash_v2

# v2 to v5: `folded` was a virtual column with only đ/Đ mapped, the tokenizer removed the rest
# (v6 made it a stored column without any diacritic).
V2_FOLDED_SQL = (
    "replace(replace(coalesce(title, '') || char(10) || coalesce(lead, '') || char(10) || "
    "coalesce(text, ''), 'đ', 'd'), 'Đ', 'D')"
)
V2_FTS_TOKENIZE = "unicode61 remove_diacritics 2"
V2_FTS_COLUMNS = ["title", "lead", "text", "folded"]

# The full-text index from v6: title, lead and text as written, tokenized with case folded but
# diacritics kept, plus `folded`, the same three with every diacritic removed and đ/Đ as d/D.
# A query word typed without diacritics ("nang") matches `folded`, so it finds every accented
# form ("nắng", "nẵng", "nâng"); one typed with them ("Nẵng") can only match the columns as
# written, so "Đà Nẵng" never finds "đã nâng". Plain FTS5 MATCH does this, so sqlite-utils and
# Datasette searching `articles_fts` behave like `scrapy search`. `folded` and `folded_title`
# are stored columns the store fills (crawler.store.schema.folded_for_search): SQLite has no
# function to remove diacritics (v2's generated column only mapped đ, and ~130 nested
# replace() overflow SQLite's parser).
V6_FTS_COLUMNS = ["title", "lead", "text", "folded", "folded_title"]
V6_FTS_TOKENIZE = "unicode61 remove_diacritics 0"
# bm25 weights per FTS column, kept in the index's own configuration so that every reader
# ranking by `articles_fts.rank` (sqlite-utils search, a Datasette query) gets them: a word in
# the title counts most, typed with or without diacritics (`folded_title`).
V6_FTS_RANK = "bm25(10.0, 4.0, 1.0, 1.0, 10.0)"


def fts_statements(columns: Sequence[str], tokenize: str) -> list[str]:
    """The full-text index over `articles`, filled from its rows, and the triggers that keep it
    current: the SQL sqlite-utils' `enable_fts` writes (4.2), so sqlite-utils and Datasette
    find the index, written here so that no library version changes a step."""
    cols = ", ".join(f'"{c}"' for c in columns)
    insert = (
        f'INSERT INTO "articles_fts" (rowid, {cols}) VALUES (new.rowid, '
        + ", ".join(f'new."{c}"' for c in columns)
        + ");"
    )
    delete = (
        f'INSERT INTO "articles_fts" ("articles_fts", rowid, {cols}) VALUES(\'delete\', old.rowid, '
        + ", ".join(f'old."{c}"' for c in columns)
        + ");"
    )
    return [
        f'CREATE VIRTUAL TABLE "articles_fts" USING FTS5 (\n    {cols},\n'
        f"    tokenize='{tokenize}',\n    content=\"articles\"\n)",
        f'INSERT INTO "articles_fts" (rowid, {cols})\n    SELECT rowid, {cols} FROM "articles"',
        f'CREATE TRIGGER "articles_ai" AFTER INSERT ON "articles" BEGIN\n  {insert}\nEND',
        f'CREATE TRIGGER "articles_ad" AFTER DELETE ON "articles" BEGIN\n  {delete}\nEND',
        f'CREATE TRIGGER "articles_au" AFTER UPDATE ON "articles" BEGIN'
        f"\n  {delete}\n  {insert}\nEND",
    ]


V1_TABLES = (
    """CREATE TABLE "articles" (
   "id" INTEGER PRIMARY KEY,
   "url" TEXT NOT NULL,
   "canonical_url" TEXT,
   "site" TEXT NOT NULL,
   "title" TEXT NOT NULL,
   "lead" TEXT,
   "text" TEXT NOT NULL,
   "author" TEXT,
   "section" TEXT,
   "language" TEXT,
   "published_at" TEXT,
   "published_raw" TEXT,
   "date_precision" TEXT,
   "date_error" TEXT,
   "date_conflicts" TEXT,
   "images" TEXT,
   "methods" TEXT,
   "content_hash" TEXT NOT NULL,
   "fetched_at" TEXT NOT NULL,
   "updated_at" TEXT
)""",
    'CREATE UNIQUE INDEX "idx_articles_content_hash"\n    ON "articles" ("content_hash")',
    'CREATE INDEX "idx_articles_site_published_at"\n    ON "articles" ("site", "published_at")',
    'CREATE INDEX "idx_articles_published_at"\n    ON "articles" ("published_at")',
    """CREATE TABLE "article_urls" (
   "id" INTEGER PRIMARY KEY,
   "url" TEXT NOT NULL,
   "article_id" INTEGER NOT NULL REFERENCES "articles"("id"),
   "site" TEXT NOT NULL,
   "first_seen_at" TEXT NOT NULL,
   "last_seen_at" TEXT NOT NULL
)""",
    'CREATE UNIQUE INDEX "idx_article_urls_url"\n    ON "article_urls" ("url")',
    'CREATE INDEX "idx_article_urls_article_id"\n    ON "article_urls" ("article_id")',
    """CREATE TABLE "article_versions" (
   "id" INTEGER PRIMARY KEY,
   "article_id" INTEGER REFERENCES "articles"("id"),
   "content_hash" TEXT,
   "title" TEXT,
   "text" TEXT,
   "seen_at" TEXT
)""",
    'CREATE INDEX "idx_article_versions_article_id"\n    ON "article_versions" ("article_id")',
    """CREATE TABLE "crawl_runs" (
   "id" INTEGER PRIMARY KEY,
   "spider" TEXT NOT NULL,
   "started_at" TEXT NOT NULL,
   "finished_at" TEXT,
   "finish_reason" TEXT,
   "pages_fetched" INTEGER,
   "items_extracted" INTEGER,
   "articles_new" INTEGER,
   "articles_updated" INTEGER,
   "duplicates" INTEGER,
   "dropped" TEXT,
   "errors" INTEGER,
   "http_status" TEXT,
   "stats" TEXT
)""",
    'CREATE INDEX "idx_crawl_runs_spider_started_at"\n    ON "crawl_runs" ("spider", "started_at")',
)


def _create_v1(db: sqlite_utils.Database) -> None:
    """The first tables, as sqlite-utils' `.create()` wrote them (the same SQL text, so a file
    created today and one created then have one `sqlite_master`)."""
    for statement in V1_TABLES:
        db.execute(statement)


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


def _migrate_v2(db: sqlite_utils.Database) -> None:
    """Capped fields, canonical URLs, kept pages, near duplicates, merges, the full-text index;
    content hashes with tone-mark placement normalised (rehash_v2). `canonical_url` and the
    signatures are derived data (crawler.store.derived)."""
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
    rehash_v2.rehash(db)
    for statement in fts_statements(V2_FTS_COLUMNS, V2_FTS_TOKENIZE):
        db.execute(statement)


def _migrate_v3(db: sqlite_utils.Database) -> None:
    """Each run's verdict for cron: the exit status and its reason (crawler.extensions.health)."""
    db.execute("ALTER TABLE crawl_runs ADD COLUMN exit_status INTEGER")
    db.execute("ALTER TABLE crawl_runs ADD COLUMN verdict TEXT")


def _migrate_v4(db: sqlite_utils.Database) -> None:
    """Pages keep what was received, so that a fix to decoding repairs them: the response's
    headers, its bytes when they are not the UTF-8 of `html`, and the codec used. Rows from
    before stay as they were (NULL: the bytes were not kept; `html` is all there is)."""
    for column, kind in (("headers", "TEXT"), ("body", "BLOB"), ("encoding", "TEXT")):
        db.execute(f"ALTER TABLE pages ADD COLUMN {column} {kind}")


def _migrate_v5(db: sqlite_utils.Database) -> None:
    """Links that answered 404/410, and when to try them again (crawler.discovery.gone)."""
    db.execute(
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
    db.execute("CREATE INDEX IF NOT EXISTS gone_urls_site ON gone_urls (site, retry_after)")


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


def _migrate_v6(db: sqlite_utils.Database) -> None:
    """Search that respects diacritics (see V6_FTS_COLUMNS): `folded` becomes a stored column
    without any diacritic (derived data), the index is rebuilt over the text as written plus
    `folded`, and `published_month` (a virtual column) lets readers group and facet by month."""
    db.execute("DROP TABLE IF EXISTS articles_fts")  # the index and its triggers: they name
    for trigger in ("articles_ai", "articles_ad", "articles_au"):  # the `folded` dropped here
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("ALTER TABLE articles DROP COLUMN folded")
    db.execute("ALTER TABLE articles ADD COLUMN folded TEXT")
    db.execute("ALTER TABLE articles ADD COLUMN folded_title TEXT")
    db.execute(
        "ALTER TABLE articles ADD COLUMN published_month TEXT"
        " GENERATED ALWAYS AS (substr(published_at, 1, 7)) VIRTUAL"
    )
    for statement in fts_statements(V6_FTS_COLUMNS, V6_FTS_TOKENIZE):
        db.execute(statement)
    db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', ?)", [V6_FTS_RANK])


def _migrate_v7(db: sqlite_utils.Database) -> None:
    """Who each article is about (crawler.extraction.facets): partners, provinces, relevance,
    and the gazetteer's reference tables; their rows are derived data."""
    for statement in V7_TABLES:
        db.execute(statement)


MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], None]] = {
    1: _create_v1,
    2: _migrate_v2,
    3: _migrate_v3,
    4: _migrate_v4,
    5: _migrate_v5,
    6: _migrate_v6,
    7: _migrate_v7,
}


def created() -> sqlite_utils.Database:
    """An in-memory database at SCHEMA_VERSION, built by the migrations as a new file is."""
    db = sqlite_utils.Database(memory=True)
    for version in sorted(MIGRATIONS):
        MIGRATIONS[version](db)
    return db


def current_schema() -> Iterator[str]:
    """The SQL of every table, index and trigger a file at SCHEMA_VERSION has, in creation
    order (the full-text index's own shadow tables left out)."""
    for (sql,) in created().execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND NOT (name LIKE 'articles_fts_%'"
        " AND type = 'table') ORDER BY rowid"
    ):
        yield sql
