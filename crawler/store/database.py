"""The SQLite store (docs/schema.md is its contract) and the pipeline that writes it.

One row per distinct article (by content hash), one row per URL it was seen at, the last page
fetched at each URL (compressed, for `scrapy reextract`), earlier texts of edited articles,
near-duplicate links, a full-text index, one row per crawl.

Writes go in batches, each batch one `BEGIN IMMEDIATE` transaction that also carries the
article's URLs, page, signature and full-text entry: a crash (even SIGKILL) loses at most the
unwritten batch, never half an article. WAL mode lets readers query while a crawl writes.

Opening migrates an older file (crawler.store.migrations: the file alone) and fills the
derived data today's code computes (crawler.store.derived), in one transaction.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler.registry import Site, default_registry
from crawler.store import derived
from crawler.store.articles import ArticleWriter
from crawler.store.errors import StoreError, explain
from crawler.store.facet_rows import FacetRows
from crawler.store.migrations import MIGRATIONS
from crawler.store.near import NearDuplicates
from crawler.store.reextraction import Reextraction
from crawler.store.runs import RunsAndGone
from crawler.store.schema import BUSY_TIMEOUT_MS, SCHEMA_VERSION, check_not_newer

logger = logging.getLogger(__name__)


class Store(ArticleWriter, NearDuplicates, FacetRows, Reextraction, RunsAndGone):
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
            # one thread at a time may use it: the crawl's pipeline (its writer process dead,
            # or STORE_WRITER_PROCESS off) writes from its writer thread and reads and closes
            # from the reactor thread, never both at once
            self.db = sqlite_utils.Database(sqlite3.connect(self.path, check_same_thread=False))
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.enable_wal()
            # WAL with synchronous=NORMAL never corrupts the file and loses nothing when the
            # crawl is killed; only a power cut may undo the last batches (SQLite's docs),
            # which the next incremental crawl fetches again. FULL synced every batch.
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            migrated = self._migrate()
            self._check_writable()
            if not migrated:
                derived.refresh(self)
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
            self._sites = default_registry()
        return self._sites

    def _version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> bool:
        """Run the steps from the file's version on, then every derived-data step, in one
        transaction; True when it did."""
        version = self._version()
        check_not_newer(self.path, version)
        if version == SCHEMA_VERSION:
            return False
        with self.transaction():
            version = self._version()  # another process may have migrated meanwhile
            if version == SCHEMA_VERSION:
                return False
            for target in sorted(v for v in MIGRATIONS if v > version):
                if version:
                    logger.info("%s: migrating schema %d → %d", self.path, version, target)
                MIGRATIONS[target](self.db)
                self.db.execute(f"PRAGMA user_version = {target}")
                version = target
            derived.refresh(self, after_migration=True)
        return True

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

    def _one(self, sql: str, *params: Any) -> Any:
        found = self.db.conn.execute(sql, params).fetchone()
        return found[0] if found else None
