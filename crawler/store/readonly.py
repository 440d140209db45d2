"""The one way commands that only read (search, report, datasette, runs) open the store: a
read-only connection, at this crawler's schema version (an older file is migrated first, which
needs write access once; a newer one is refused)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crawler.store.database import Store
from crawler.store.errors import StoreError, explain
from crawler.store.schema import SCHEMA_VERSION, check_not_newer


def connect_readonly(path: str | Path, timeout: float = 30) -> sqlite3.Connection:
    """A read-only connection to the file as it is (no version check): sqlite3.Error when it
    cannot be opened."""
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)


def open_readonly(path: str | Path) -> sqlite3.Connection:
    """A read-only connection at SCHEMA_VERSION; StoreError naming the file and the problem."""
    path = Path(path)
    if not path.exists():
        raise StoreError(f"{path}: no article database here (set SQLITE_PATH, or crawl first)")
    try:
        db = connect_readonly(path)
        version = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot read the article database: {explain(exc)}") from exc
    if version < SCHEMA_VERSION:
        db.close()
        Store(path).close()  # migrates, or raises a StoreError naming the problem
        return open_readonly(path)
    try:
        check_not_newer(path, version)
    except StoreError:
        db.close()
        raise
    return db
