"""The SQLite store (docs/schema.md is its contract) and the pipeline that writes it.

One row per distinct article (by content hash), one row per URL it was seen at, the last page
fetched at each URL (compressed, for `scrapy reextract`), earlier texts of edited articles,
near-duplicate links, a full-text index, one row per crawl.

Writes go in batches, each batch one `BEGIN IMMEDIATE` transaction that also carries the
article's URLs, page, signature and full-text entry: a crash (even SIGKILL) loses at most the
unwritten batch, never half an article. WAL mode lets readers query while a crawl writes.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import sqlite3
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from crawler.facets import analyse as analyse_facets
from crawler.facets.gazetteer import GazetteerError, gazetteer
from crawler.textnorm import content_hash, fold
from crawler.urls import canonical_url, clean_url
from pipelines import dedupe
from pipelines.caps import FIELD_LIMITS as FIELD_LIMITS  # re-exported
from pipelines.caps import cap_fields, limit_of

if TYPE_CHECKING:
    from crawler.registry import Site

logger = logging.getLogger(__name__)

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
V2_FOLDED_SQL = (
    "replace(replace(coalesce(title, '') || char(10) || coalesce(lead, '') || char(10) || "
    "coalesce(text, ''), 'đ', 'd'), 'Đ', 'D')"
)
V2_FTS_TOKENIZE = "unicode61 remove_diacritics 2"
V2_FTS_COLUMNS = ["title", "lead", "text", "folded"]
FTS_COLUMNS = ("title", "lead", "text", "folded", "folded_title")
FTS_TOKENIZE = "unicode61 remove_diacritics 0"
# bm25 weights per FTS column, kept in the index's own configuration so that every reader
# ranking by `articles_fts.rank` (sqlite-utils search, a Datasette query) gets them: a word in
# the title counts most, typed with or without diacritics (`folded_title`).
FTS_RANK = "bm25(10.0, 4.0, 1.0, 1.0, 10.0)"
NEAR_CANDIDATES_LIMIT = 500
FACET_TABLES = ("article_partners", "article_provinces", "article_relevance")

# sqlite3 messages and what they mean for an operator.
PROBLEMS = (
    ("readonly", "the database file or its directory is read-only"),
    ("disk is full", "the disk is full"),
    ("not a database", "the file is not a SQLite database (corrupt, or another kind of file)"),
    ("malformed", "the database file is corrupt"),
    ("unable to open", "the file cannot be opened or created (missing directory or permission)"),
    ("locked", "another process kept the database locked beyond the busy timeout"),
    ("disk i/o error", "the disk reported an I/O error"),
)


class StoreError(RuntimeError):
    """The database cannot be used; the message names the file and the problem."""


class InvalidItem(sqlite3.IntegrityError):
    """An item lacks a required field; like any integrity error, its batch is rolled back."""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def explain(exc: BaseException) -> str:
    """The sqlite3 error in an operator's words, with SQLite's own message after it."""
    message = str(exc)
    lowered = message.lower()
    for key, meaning in PROBLEMS:
        if key in lowered:
            return f"{meaning} ({message})"
    return message


def missing_fields(item: Mapping[str, Any]) -> list[str]:
    return [name for name in REQUIRED if not item.get(name)]


# zlib level 1: 2.6x faster than the default 6 on an 80 KB portal page, for pages 13% larger
# (15.5% of the page instead of 13.7%); on a 2-core crawl the CPU is the scarcer of the two.
PAGE_COMPRESSION_LEVEL = 1


def compress_html(html: str) -> bytes:
    return zlib.compress(html.encode("utf-8"), PAGE_COMPRESSION_LEVEL)


def decompress_html(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


def page_bytes(item: Mapping[str, Any]) -> bytes | None:
    """The page's bytes as received, carried by the item (base64 text after a trip through
    Redis), or None."""
    body = item.get("page_body")
    if isinstance(body, str):
        return base64.b64decode(body)
    return body if isinstance(body, bytes) else None


def page_columns(item: Mapping[str, Any], html: str) -> tuple[str | None, bytes | None, str | None]:
    """The v4 `pages` columns (headers, body, encoding) for an item: the bytes are kept,
    compressed, only when they are not the UTF-8 of the stored html (most pages are)."""
    headers = item.get("page_headers")
    body = page_bytes(item)
    if headers is None and body is None:
        return None, None, item.get("page_encoding")
    kept = None
    if body is not None and body != html.encode("utf-8"):
        kept = zlib.compress(body, PAGE_COMPRESSION_LEVEL)
    headers_json = json.dumps(headers or {}, ensure_ascii=False, sort_keys=True)
    return headers_json, kept, item.get("page_encoding")


def stored_page_text(html_blob: bytes, headers: str | None, body: bytes | None) -> str:
    """A stored page's text as crawler.decoding reads it today: decoded again from its bytes
    (v4 rows; the bytes are the html's UTF-8 when `body` is NULL), or the html as decoded at
    fetch time (rows from before v4, whose bytes were not kept)."""
    html = decompress_html(html_blob)
    if headers is None:
        return html
    from crawler.decoding import content_type_of, decode_html

    raw = zlib.decompress(body) if body is not None else html.encode("utf-8")
    return decode_html(raw, content_type_of(json.loads(headers))).html


# -- schema ---------------------------------------------------------------------------------


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
    """Each run's verdict for cron: the exit status and its reason (crawler.health)."""
    store.db.execute("ALTER TABLE crawl_runs ADD COLUMN exit_status INTEGER")
    store.db.execute("ALTER TABLE crawl_runs ADD COLUMN verdict TEXT")


def _migrate_v4(store: Store) -> None:
    """Pages keep what was received, so that a fix to decoding repairs them: the response's
    headers, its bytes when they are not the UTF-8 of `html`, and the codec used. Rows from
    before stay as they were (NULL: the bytes were not kept; `html` is all there is)."""
    for column, kind in (("headers", "TEXT"), ("body", "BLOB"), ("encoding", "TEXT")):
        store.db.execute(f"ALTER TABLE pages ADD COLUMN {column} {kind}")


def _migrate_v5(store: Store) -> None:
    """Links that answered 404/410, and when to try them again (crawler.gone)."""
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
    """Who each article is about (crawler.facets): partners, provinces, relevance. A gazetteer
    that cannot be read leaves them empty (logged): `scrapy facets` fills them in later."""
    for statement in V7_TABLES:
        store.db.execute(statement)
    try:
        store.refresh_facets(stale_only=False)
    except GazetteerError as exc:
        logger.error("%s: facets not computed: %s", store.path, exc)


def folded_for_search(title: str | None, lead: str | None, text: str | None) -> dict[str, str]:
    """`articles.folded` (title, lead and text, one a line) and `folded_title`, without any
    diacritic."""
    return {
        "folded": fold("\n".join((title or "", lead or "", text or ""))),
        "folded_title": fold(title or ""),
    }


def _enable_fts(db: sqlite_utils.Database) -> None:
    db["articles"].enable_fts(list(FTS_COLUMNS), create_triggers=True, tokenize=FTS_TOKENIZE)
    db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('rank', ?)", [FTS_RANK])


FOLD_BATCH = 500


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
    _enable_fts(db)


MIGRATIONS = {
    1: lambda store: _create_v1(store.db),
    2: _migrate_v2,
    3: _migrate_v3,
    4: _migrate_v4,
    5: _migrate_v5,
    6: _migrate_v6,
    7: _migrate_v7,
}


class Store:
    """A connection to the article database, created and migrated on open.

    `sites` is the registry used to canonicalise URLs (default: crawler/sites.toml).
    """

    def __init__(self, path: str | Path, sites: Mapping[str, Site] | None = None):
        self.path = Path(path)
        self._sites = sites
        self._facets_failed = False
        self.db: sqlite_utils.Database | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # one writer thread at a time may use it: the crawl's pipeline writes from its
            # writer thread and reads and closes from the reactor thread, never both at once
            self.db = sqlite_utils.Database(sqlite3.connect(self.path, check_same_thread=False))
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.enable_wal()
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
            self._check_writable()
        except StoreError:
            self.close()
            raise
        except (sqlite3.Error, OSError) as exc:
            self.close()
            raise StoreError(
                f"{self.path}: cannot open the article database: {explain(exc)}"
            ) from exc

    @property
    def sites(self) -> Mapping[str, Site]:
        if self._sites is None:
            from crawler.registry import default_registry

            self._sites = default_registry()
        return self._sites

    def _version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self._version()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this crawler's "
                f"({SCHEMA_VERSION}); upgrade the crawler"
            )
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            version = self._version()  # another process may have migrated meanwhile
            for target in sorted(v for v in MIGRATIONS if v > version):
                if version:
                    logger.info("%s: migrating schema %d → %d", self.path, version, target)
                MIGRATIONS[target](self)
                self.db.execute(f"PRAGMA user_version = {target}")
                version = target

    def _check_writable(self) -> None:
        """Fail now, not at the first batch, when the file cannot be written."""
        with self.transaction():
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """BEGIN IMMEDIATE … COMMIT (a savepoint when already in a transaction).

        IMMEDIATE takes the write lock first, so a concurrent writer waits (busy timeout)
        instead of failing on a read-to-write upgrade.
        """
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- articles -----------------------------------------------------------------------------

    def write(self, items: list[dict[str, Any]], counter: Counter | None = None) -> list[str]:
        """Write items in one transaction; return each one's outcome.

        Outcomes: "new" (a new article), "duplicate" (its body is already stored, under
        another URL), "seen" (this URL with this body again), "updated" (this URL's article,
        found by its URL or its canonical form, changed its body: the row takes the new text
        and the old one goes to history). `counter` (optional) also counts "near_duplicates"
        (links made) and "capped/FIELD".
        """
        counter = Counter() if counter is None else counter
        with self.transaction():
            return [self._write_one(dict(item), counter) for item in items]

    def _write_one(self, item: dict[str, Any], counter: Counter) -> str:
        missing = missing_fields(item)
        if missing:
            raise InvalidItem(f"{item.get('url')}: missing {', '.join(missing)}")
        for name, size in cap_fields(item).items():
            counter[f"capped/{name}"] += 1
            logger.warning(
                "%s: %s too long (%d), capped to %d (see articles.capped)",
                item["url"],
                name,
                size,
                limit_of(name),
            )
        if not item.get("content_hash"):
            item["content_hash"] = content_hash(item["text"])  # of the stored (capped) body
        db = self.db
        seen_at = item["fetched_at"]
        url = item["url"] = clean_url(item["url"])
        canonical = canonical_url(url, item.get("canonical_url"), self.sites)
        by_hash = self._one("SELECT id FROM articles WHERE content_hash = ?", item["content_hash"])
        by_url = self._one("SELECT article_id FROM article_urls WHERE url = ?", url)
        known = by_url or self._one(
            "SELECT article_id FROM article_urls WHERE canonical_url = ? ORDER BY id LIMIT 1",
            canonical,
        )
        row = {name: item.get(name) for name in ARTICLE_COLUMNS}
        row.update(folded_for_search(row["title"], row["lead"], row["text"]))
        if by_hash:
            article_id = by_hash
            outcome = "seen" if by_url == article_id else "duplicate"
        elif known:
            article_id = known
            db.execute(
                "INSERT INTO article_versions (article_id, content_hash, title, lead, text,"
                " seen_at, replaced_at) SELECT id, content_hash, title, lead, text, fetched_at, ?"
                " FROM articles WHERE id = ?",
                [seen_at, article_id],
            )
            row.pop("url")  # the article keeps the first URL it was seen at
            db["articles"].update(article_id, {**row, "updated_at": seen_at})
            counter["near_duplicates"] += self.index_near_duplicates(
                article_id, item["text"], seen_at, item.get("near_sketch", dedupe.NOT_GIVEN)
            )
            outcome = "updated"
        else:
            # never reuse the id of a deleted (merged) article: article_merges points to it
            row["id"] = 1 + self._one(
                "SELECT max(coalesce((SELECT max(id) FROM articles), 0),"
                " coalesce((SELECT max(article_id) FROM article_merges), 0))"
            )
            article_id = db["articles"].insert(row).last_pk
            counter["near_duplicates"] += self.index_near_duplicates(
                article_id, item["text"], seen_at, item.get("near_sketch", dedupe.NOT_GIVEN)
            )
            outcome = "new"
        db.execute(
            """
            INSERT INTO article_urls
                (url, canonical_url, article_id, site, first_seen_at, last_seen_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(url) DO UPDATE SET
                article_id = excluded.article_id, canonical_url = excluded.canonical_url,
                last_seen_at = excluded.last_seen_at
            """,
            [url, canonical, article_id, item["site"], seen_at, seen_at],
        )
        if item.get("html") is not None:
            self._keep_page(item, article_id)
            counter["pages"] += 1
        if outcome in ("new", "updated") or not self._one(
            "SELECT 1 FROM article_relevance WHERE article_id = ?", article_id
        ):
            given = item.get("facets") if outcome in ("new", "updated") else None
            facets = given or self._analyse(article_id)
            if facets is None:
                counter["facets_failed"] += 1
            else:
                self.write_facets(article_id, facets)
                counter["facets"] += 1
        return outcome

    def _one(self, sql: str, *params: Any) -> Any:
        found = self.db.execute(sql, list(params)).fetchone()
        return found[0] if found else None

    def _keep_page(self, item: dict[str, Any], article_id: int) -> None:
        html = item["html"]
        headers, body, encoding = page_columns(item, html)
        self.db.execute(
            """
            INSERT INTO pages
                (url, article_id, site, fetched_at, content_hash, compression, html,
                 html_chars, hints, headers, body, encoding)
            VALUES (?, ?, ?, ?, ?, 'zlib', ?, ?, ?, ?, ?, ?)
            ON CONFLICT(url) DO UPDATE SET
                article_id = excluded.article_id, site = excluded.site,
                fetched_at = excluded.fetched_at, content_hash = excluded.content_hash,
                compression = excluded.compression, html = excluded.html,
                html_chars = excluded.html_chars, hints = excluded.hints,
                headers = excluded.headers, body = excluded.body, encoding = excluded.encoding
            """,
            [
                item["url"],
                article_id,
                item["site"],
                item["fetched_at"],
                item["content_hash"],
                compress_html(html),
                len(html),
                json.dumps(item.get("hints") or {}, ensure_ascii=False, sort_keys=True),
                headers,
                body,
                encoding,
            ],
        )

    def index_near_duplicates(
        self, article_id: int, text: str, found_at: str, known: Any = dedupe.NOT_GIVEN
    ) -> int:
        """(Re)compute the article's signature and LSH buckets and link its near duplicates.

        Candidates come from the article's own buckets (an indexed lookup, no scan); each is
        linked when the estimated Jaccard similarity reaches dedupe.THRESHOLD. Returns the
        number of links made. `known` is dedupe.sketch(text) when the caller has it already
        (a crawl computes it off the reactor).
        """
        db = self.db
        db.execute("DELETE FROM article_lsh WHERE article_id = ?", [article_id])
        db.execute(
            "DELETE FROM near_duplicates WHERE article_id = ? OR other_id = ?",
            [article_id, article_id],
        )
        sketch = dedupe.sketch(text) if known is dedupe.NOT_GIVEN else dedupe.as_sketch(known)
        if sketch is None:
            db.execute("DELETE FROM article_signatures WHERE article_id = ?", [article_id])
            return 0
        signature, shingle_count = sketch
        db.execute(
            "INSERT OR REPLACE INTO article_signatures (article_id, version, shingles, minhash)"
            " VALUES (?, ?, ?, ?)",
            [article_id, dedupe.SIGNATURE_VERSION, shingle_count, dedupe.pack(signature)],
        )
        buckets = dedupe.buckets(signature)
        marks = ", ".join("?" * len(buckets))
        candidates = db.execute(
            f"""
            SELECT s.article_id, s.minhash FROM article_signatures s
            WHERE s.version = ? AND s.article_id IN (
                SELECT DISTINCT article_id FROM article_lsh WHERE bucket IN ({marks}) LIMIT ?
            )
            """,
            [dedupe.SIGNATURE_VERSION, *buckets, NEAR_CANDIDATES_LIMIT],
        ).fetchall()
        db.conn.executemany(
            "INSERT OR IGNORE INTO article_lsh (bucket, article_id) VALUES (?, ?)",
            [(bucket, article_id) for bucket in buckets],
        )
        links = []
        for other_id, blob in candidates:
            score = dedupe.similarity(signature, dedupe.unpack(blob))
            if score >= dedupe.THRESHOLD:
                pair = (max(article_id, other_id), min(article_id, other_id))
                links.append((*pair, round(score, 4), found_at))
        db.conn.executemany(
            "INSERT OR REPLACE INTO near_duplicates (article_id, other_id, similarity, found_at)"
            " VALUES (?, ?, ?, ?)",
            links,
        )
        return len(links)

    def merge_article(self, drop_id: int, keep_id: int, reason: str, keep_text: bool) -> None:
        """Fold article `drop_id` into `keep_id`: its URLs, pages and history move, its id is
        recorded in `article_merges`, its row goes. With `keep_text`, its text is kept as a
        version of the survivor."""
        db = self.db
        if keep_text:
            title, lead, text, fetched_at = db.execute(
                "SELECT title, lead, text, fetched_at FROM articles WHERE id = ?", [drop_id]
            ).fetchone()
            db["article_versions"].insert(
                {
                    "article_id": keep_id,
                    "content_hash": content_hash(text),
                    "title": title,
                    "lead": lead,
                    "text": text,
                    "seen_at": fetched_at,
                }
            )
        for table in ("article_urls", "article_versions", "pages"):
            db.execute(
                f"UPDATE {table} SET article_id = ? WHERE article_id = ?", [keep_id, drop_id]
            )
        db.execute("DELETE FROM article_lsh WHERE article_id = ?", [drop_id])
        db.execute("DELETE FROM article_signatures WHERE article_id = ?", [drop_id])
        if self._has_facets():
            for table in FACET_TABLES:
                db.execute(f"DELETE FROM {table} WHERE article_id = ?", [drop_id])
        db.execute(
            "DELETE FROM near_duplicates WHERE article_id = ? OR other_id = ?", [drop_id, drop_id]
        )
        db.execute("UPDATE article_merges SET into_id = ? WHERE into_id = ?", [keep_id, drop_id])
        db.execute(
            "INSERT INTO article_merges (article_id, into_id, reason, merged_at)"
            " VALUES (?, ?, ?, ?)",
            [drop_id, keep_id, reason, utc_now()],
        )
        db.execute("DELETE FROM articles WHERE id = ?", [drop_id])
        logger.info("%s: article %d merged into %d (%s)", self.path, drop_id, keep_id, reason)

    # -- facets (crawler.facets): who the article is about --------------------------------------

    def _has_facets(self) -> bool:
        return self._one(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'article_relevance'"
        ) is not None

    def _analyse(self, article_id: int) -> dict[str, Any] | None:
        """The article's facets from its row; None (logged) when the gazetteer cannot be read:
        the article is stored all the same, and `scrapy facets` fills them in later."""
        row = self.db.execute(
            "SELECT title, lead, text, url, section, published_at FROM articles WHERE id = ?",
            [article_id],
        ).fetchone()
        try:
            return analyse_facets(*row)
        except GazetteerError as exc:
            if not self._facets_failed:
                logger.error("%s; articles are stored without their facets", exc)
            self._facets_failed = True
            return None

    def write_facets(self, article_id: int, facets: Mapping[str, Any]) -> None:
        """Replace the article's partners, provinces and relevance with `facets`
        (crawler.facets.analyse's result)."""
        db = self.db
        for table in FACET_TABLES:
            db.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
        db.conn.executemany(
            "INSERT INTO article_partners (article_id, kind, code, name, country, in_title,"
            " in_lead, in_text, mentions, implied) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (article_id, p["kind"], p["code"], p["name"], p["country"], p["in_title"],
                 p["in_lead"], p["in_text"], p["mentions"], p["implied"])
                for p in facets["partners"]
            ],
        )
        db.conn.executemany(
            "INSERT INTO article_provinces (article_id, named_era, named_code, named, code, name,"
            " in_title, in_lead, in_text, mentions, site, about)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (article_id, p["named_era"], p["named_code"], p["named"], p["code"], p["name"],
                 p["in_title"], p["in_lead"], p["in_text"], p["mentions"], int(p["site"]),
                 int(p["about"]))
                for p in facets["provinces"]
            ],
        )
        relevance = facets["relevance"]
        db.execute(
            "INSERT INTO article_relevance (article_id, score, foreign_affairs, signals,"
            " activities, gazetteer, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                article_id,
                relevance["score"],
                int(relevance["foreign_affairs"]),
                json.dumps(relevance["signals"], ensure_ascii=False),
                json.dumps(relevance["activities"]),
                facets["version"],
                utc_now(),
            ],
        )

    def refresh_facets(
        self, stale_only: bool = True, site: str | None = None, batch: int = 500
    ) -> int:
        """Recompute the facets of every article (or, with `stale_only`, of those computed with
        another gazetteer or never), and the reference tables; return how many were computed.
        Each batch is one transaction: readers see an article's facets whole."""
        gaz = gazetteer()  # GazetteerError when it cannot be read
        with self.transaction():
            self._write_references(gaz)
        done, after = 0, 0
        while True:
            rows = self.db.execute(
                "SELECT a.id FROM articles a LEFT JOIN article_relevance r ON r.article_id = a.id"
                " WHERE a.id > ? AND (? IS NULL OR a.site = ?)"
                " AND (? = 0 OR r.gazetteer IS NULL OR r.gazetteer != ?) ORDER BY a.id LIMIT ?",
                [after, site, site, int(stale_only), gaz.version, batch],
            ).fetchall()
            if not rows:
                return done
            with self.transaction():
                for (article_id,) in rows:
                    self.write_facets(article_id, analyse_facets(*self.db.execute(
                        "SELECT title, lead, text, url, section, published_at FROM articles"
                        " WHERE id = ?", [article_id]).fetchone()))
            done += len(rows)
            after = rows[-1][0]

    def _write_references(self, gaz: Any) -> None:
        db = self.db
        db.execute("DELETE FROM gazetteer_partners")
        db.conn.executemany(
            "INSERT INTO gazetteer_partners (code, kind, name, country) VALUES (?, ?, ?, ?)",
            [(code, *label) for code, label in sorted(gaz.labels.items())],
        )
        db.execute("DELETE FROM vn_provinces")
        db.conn.executemany(
            "INSERT INTO vn_provinces (era, code, name, full_name, becomes_code, becomes)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (int(r["era"]), r["code"], r["name"], r["full_name"], r["becomes_code"],
                 r["becomes"])
                for r in gaz.provinces
            ],
        )

    # -- re-extraction ------------------------------------------------------------------------

    def stored_pages(
        self, site: str | None = None, limit: int | None = None, after_id: int = 0
    ) -> Iterator[dict[str, Any]]:
        """One stored page per article (the one that gave its current text, else the article's
        own URL, else its site's latest), articles in id order."""
        sql = """
            SELECT article_id, page_id FROM (
                SELECT a.id AS article_id, (
                    SELECT id FROM (
                        SELECT q.id, q.content_hash = a.content_hash AS same_text,
                               q.url = a.url AS same_url, q.site = a.site AS same_site,
                               q.fetched_at
                        FROM pages q WHERE q.article_id = a.id)
                    ORDER BY same_text DESC, same_url DESC, same_site DESC, fetched_at DESC
                    LIMIT 1) AS page_id
                FROM articles a WHERE a.id > ? AND (? IS NULL OR a.site = ?))
            WHERE page_id IS NOT NULL ORDER BY article_id LIMIT ?
        """
        left = limit if limit is not None else -1
        while left != 0:
            chunk = 50 if left < 0 else min(50, left)
            found = self.db.execute(sql, [after_id, site, site, chunk]).fetchall()
            if not found:
                return
            marks = ", ".join("?" * len(found))
            pages = {
                row[0]: row[1:]
                for row in self.db.execute(
                    "SELECT id, url, site, fetched_at, html, hints, headers, body FROM pages"
                    f" WHERE id IN ({marks})",
                    [page_id for _, page_id in found],
                ).fetchall()
            }
            for article_id, page_id in found:
                after_id = article_id
                if not self._one("SELECT 1 FROM articles WHERE id = ?", article_id):
                    continue  # merged into another article since this chunk was read
                url, page_site, fetched_at, html, hints, headers, body = pages[page_id]
                yield {
                    "article_id": article_id,
                    "url": url,
                    "site": page_site,
                    "fetched_at": fetched_at,
                    "html": stored_page_text(html, headers, body),
                    "hints": json.loads(hints) if hints else {},
                }
            if left > 0:
                left -= len(found)

    def articles_without_page(self, site: str | None = None) -> int:
        return self._one(
            "SELECT count(*) FROM articles a WHERE (? IS NULL OR a.site = ?)"
            " AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.article_id = a.id)",
            site,
            site,
        )

    def replace_extraction(
        self, article_id: int, item: dict[str, Any], dry_run: bool = False
    ) -> str:
        """Update an article in place from a fresh extraction of its stored page.

        Returns "unchanged", "changed" (fields other than the body), "text_changed", or
        "merged" when the new body is another stored article's (the fix shows the two rows are
        one article: the later id is merged into the earlier, see `merge_article`). The row
        keeps its URL, site and fetch time; a re-extraction is not an edit by the site, so it
        writes no `article_versions` row. `dry_run` only tells what would happen.
        """
        item = dict(item)
        cap_fields(item)
        item["content_hash"] = content_hash(item["text"])  # of the stored body, as in a crawl
        with self.transaction():
            other = self._one(
                "SELECT id FROM articles WHERE content_hash = ? AND id != ?",
                item["content_hash"],
                article_id,
            )
            if other and dry_run:
                return "merged"
            if other and other < article_id:  # the earlier row already holds this text
                self.merge_article(article_id, other, "reextract", keep_text=False)
                self._set_page_hash(item)
                return "merged"
            if other:
                self.merge_article(other, article_id, "reextract", keep_text=False)
            current = self.db["articles"].get(article_id)
            new = {name: item.get(name) for name in EXTRACTED_COLUMNS}
            new["content_hash"] = item["content_hash"]
            new["capped"] = item.get("capped")
            new.update(folded_for_search(new["title"], new["lead"], new["text"]))
            for name in JSON_COLUMNS:
                if isinstance(current.get(name), str):
                    current[name] = json.loads(current[name])
            changes = {k: v for k, v in new.items() if current.get(k) != v}
            outcome = "text_changed" if "content_hash" in changes else "changed"
            if not changes or dry_run:
                return outcome if changes else "merged" if other else "unchanged"
            self.db["articles"].update(article_id, changes)
            facets = self._analyse(article_id)
            if facets is not None:
                self.write_facets(article_id, facets)
            if "content_hash" in changes:
                self.index_near_duplicates(article_id, item["text"], current["fetched_at"])
                self._set_page_hash(item)
            return "merged" if other else outcome

    def _set_page_hash(self, item: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE pages SET content_hash = ? WHERE url = ?", [item["content_hash"], item["url"]]
        )

    # -- crawl runs ---------------------------------------------------------------------------

    def start_run(self, spider: str, started_at: str) -> int:
        with self.transaction():
            return (
                self.db["crawl_runs"].insert({"spider": spider, "started_at": started_at}).last_pk
            )

    def finish_run(self, run_id: int, values: dict[str, Any]) -> None:
        with self.transaction():
            self.db["crawl_runs"].update(run_id, values)

    # -- gone links (404/410) -----------------------------------------------------------------

    def gone_urls(self, site: str, now: str) -> set[str]:
        """The site's links that answered 404/410 and are not due for another try at `now`."""
        rows = self.db.execute(
            "SELECT url FROM gone_urls WHERE site = ? AND retry_after > ?", [site, now]
        )
        return {url for (url,) in rows}

    def record_gone(
        self, site: str, gone: Mapping[str, int], back: Iterable[str], now: datetime, base: float
    ) -> None:
        """Note links that answered 404/410 (`url -> status`) with a doubling backoff of `base`
        days (capped at 90), and forget those that answered again (`back`)."""
        stamp = now.isoformat()
        with self.transaction():
            for url, status in gone.items():
                row = self.db.execute(
                    "SELECT first_gone_at, times FROM gone_urls WHERE url = ?", [url]
                ).fetchone()
                first, times = (row[0], row[1] + 1) if row else (stamp, 1)
                wait = timedelta(days=min(base * 2 ** (times - 1), 90))
                self.db["gone_urls"].upsert(
                    {
                        "url": url,
                        "site": site,
                        "status": status,
                        "first_gone_at": first,
                        "last_checked_at": stamp,
                        "times": times,
                        "retry_after": (now + wait).isoformat(),
                    },
                    pk="url",
                )
            for url in back:
                self.db.execute("DELETE FROM gone_urls WHERE url = ?", [url])


@dataclass
class _Written:
    """What one batch write did, reported back to the reactor thread (which owns the stats)."""

    outcomes: list[str] = field(default_factory=list)
    counter: Counter = field(default_factory=Counter)
    failed: list[dict[str, Any]] = field(default_factory=list)  # lost from here on: the crawl stops
    error: sqlite3.Error | None = None


class SQLiteStorePipeline:
    """Buffer items and write them in batches (STORE_BATCH_SIZE, or every few seconds).

    A full batch is written by one writer thread while the reactor goes on (SQLite and zlib
    release the GIL); at most one batch is in flight, so a slow disk holds the crawl back
    instead of filling memory. The stats are only touched on the reactor thread.

    A store that cannot open fails the crawl at start (StoreError, naming the file). A batch
    that cannot be written stops the crawl (finish reason `store_error`) with every lost URL
    logged and counted (`store/lost_items`); an item the database refuses is retried alone so
    that it does not take its batch down with it.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = crawler.settings.get("SQLITE_PATH")
        if not self.path:
            raise NotConfigured("SQLITE_PATH is empty")
        self.batch_size = crawler.settings.getint("STORE_BATCH_SIZE", 50)
        self.max_wait = crawler.settings.getfloat("STORE_FLUSH_SECONDS", 5.0)
        self.pending: list[dict[str, Any]] = []
        self.oldest = 0.0
        self.store: Store | None = None
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="store-writer")
        self.in_flight: Future[_Written] | None = None
        self.flushing = asyncio.Lock()
        # Opened here, when the crawler is built, rather than in open_spider: a store that
        # cannot open then fails the crawl before the spider starts (exit status 1, one
        # error line naming the file and the problem).
        self.open_spider()
        crawler.signals.connect(self.flush, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SQLiteStorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.store is not None:
            return
        try:
            self.store = Store(self.path)
        except StoreError as exc:
            logger.error("%s", exc)
            raise StoreError(str(exc)) from None

    def close_spider(self) -> None:
        self.flush()
        self.writer.shutdown()
        if self.store is not None:
            self.store.close()
            self.store = None

    async def process_item(self, item: Any) -> Any:
        record = dict(item)
        missing = missing_fields(record)
        if missing:
            for name in missing:
                self.stats.inc_value(f"store/invalid/{name}")
            raise DropItem(
                f"not stored, missing {', '.join(missing)}: {record.get('url')}",
                log_level="ERROR",
            )
        if not self.pending:
            self.oldest = time.monotonic()
        self.pending.append(record)
        if len(self.pending) >= self.batch_size or time.monotonic() - self.oldest > self.max_wait:
            async with self.flushing:
                if self.in_flight is not None:
                    written = self.in_flight
                    await asyncio.wrap_future(written)
                    self._settle(written)
                if self.pending and self.store is not None:
                    batch, self.pending = self.pending, []
                    self.in_flight = self.writer.submit(self._write, batch)
        return item

    def flush(self) -> None:
        """Write everything now, on this thread (spider idle, close, tests)."""
        if self.in_flight is not None:
            self._settle(self.in_flight)  # waits for it
        if not self.pending or self.store is None:
            return
        batch, self.pending = self.pending, []
        self._account(self._write(batch))

    def _settle(self, written: Future[_Written]) -> None:
        """Account for the batch in flight once, whoever waited for it."""
        result = written.result()
        if self.in_flight is written:
            self.in_flight = None
            self._account(result)

    def _account(self, written: _Written) -> None:
        for outcome in written.outcomes:
            self.stats.inc_value(f"store/{outcome}")
        for key, count in written.counter.items():
            self.stats.inc_value(f"store/{key}", count)
        if written.error is not None:
            self._fail(written.failed, written.error)

    def _write(self, batch: list[dict[str, Any]]) -> _Written:
        written = _Written()
        try:
            written.outcomes = self.store.write(batch, written.counter)
        except sqlite3.IntegrityError as exc:
            logger.warning(
                "%s: a batch was refused (%s); writing its items one by one", self.path, exc
            )
            self._write_one_by_one(batch, written)
        except sqlite3.Error as exc:
            written.failed, written.error = batch, exc
        return written

    def _write_one_by_one(self, batch: list[dict[str, Any]], written: _Written) -> None:
        for number, record in enumerate(batch):
            try:
                written.outcomes += self.store.write([record], written.counter)
            except sqlite3.IntegrityError as exc:
                written.counter["errors"] += 1
                written.counter["lost_items"] += 1
                logger.error(
                    "%s: not stored, refused by the database (%s): %s",
                    self.path,
                    exc,
                    record.get("url"),
                )
            except sqlite3.Error as exc:
                written.failed, written.error = batch[number:], exc
                break

    def _fail(self, batch: list[dict[str, Any]], exc: sqlite3.Error) -> None:
        self.stats.inc_value("store/errors")
        self.stats.inc_value("store/lost_items", len(batch))
        logger.error(
            "%s: writing %d articles failed, the crawl stops: %s",
            self.path,
            len(batch),
            explain(exc),
        )
        for record in batch:
            logger.warning("not stored: %s", record.get("url"))
        try:
            engine = self.crawler.engine
        except RuntimeError:  # no crawl running (the pipeline used on its own)
            return
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason="store_error"))
