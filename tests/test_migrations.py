"""Migrations depend only on the file they migrate; derived data (canonical URLs, signatures,
folded search columns, facets) is filled after them by today's code; the schema is SQL, the
same as the first crawler created, and docs/schema.md documents all of it."""

from __future__ import annotations

import dataclasses
import re
import shutil
import sqlite3
import unicodedata
from pathlib import Path

import sqlite_utils

from crawler.discovery.urls import canonical_url
from crawler.registry import load_registry
from crawler.store import SCHEMA_VERSION, Store
from crawler.store.migrations import MIGRATIONS, _create_v1, created
from crawler.store.rehash_v2 import v2_hash
from crawler.store.schema import folded_for_search
from crawler.text.normalise import content_hash
from tests.conftest import ROOT, v3_store

FETCHED = "2026-11-23T08:00:00+00:00"
SEEDS = ROOT / "tests" / "mirror" / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
BODY = SEED_FILES[3].read_text(encoding="utf-8")  # old-style tone marks: hòa, hóa
assert "hòa" in BODY and "hóa" in BODY
# ... and the same story as another site writes it: new-style marks (hoà, hoá), decomposed
NEW_STYLE = unicodedata.normalize("NFD", BODY.replace("hòa", "hoà").replace("hóa", "hoá"))
V1_TABLES = ("articles", "article_urls", "article_versions", "crawl_runs")
# time of the run, not of the file: differ between two opens of one file
CLOCK_COLUMNS = {("article_merges", "merged_at"), ("article_relevance", "computed_at")}


def v1_file(path: Path) -> None:
    """A v1 file: three articles at alias hosts, two of them one story in two tone
    conventions, as the first crawler (NFC + whitespace hash) stored them."""
    import hashlib

    db = sqlite_utils.Database(path)
    _create_v1(db)
    db.execute("PRAGMA user_version = 1")
    other = SEED_FILES[0].read_text(encoding="utf-8")
    for article_id, url, site, text in (
        (1, "https://tacnghiep.thoidai.com.vn/a-1.html", "thoidai", BODY),
        (2, "https://www.baoquocte.vn/b-2.html?utm_source=x", "baoquocte", NEW_STYLE),
        (3, "https://www.thoidai.com.vn/c-3.html", "thoidai", other),
    ):
        key = " ".join(unicodedata.normalize("NFC", text).split())
        db["articles"].insert(
            {
                "id": article_id, "url": url, "site": site, "title": f"Bài {article_id}",
                "text": text, "content_hash": hashlib.sha256(key.encode()).hexdigest(),
                "fetched_at": FETCHED,
            }
        )
        db["article_urls"].insert(
            {
                "url": url, "article_id": article_id, "site": site,
                "first_seen_at": FETCHED, "last_seen_at": FETCHED,
            }
        )
    db.conn.commit()
    db.close()


def dump(path: Path, leave_out: set[tuple[str, str]]) -> dict[str, object]:
    """The file's schema and every row of every table but the columns left out."""
    db = sqlite3.connect(path)
    found: dict[str, object] = {
        "schema": db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    }
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        columns = [
            c for (c,) in db.execute(f"SELECT name FROM pragma_table_info('{table}')")
            if (table, c) not in leave_out
        ]
        found[table] = sorted(
            db.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall(), key=repr
        )
    db.close()
    return found


def other_registry() -> dict:
    """The registry with thoidai's and baoquocte's canonical host moved to `www.`."""
    sites = load_registry()
    for name in ("thoidai", "baoquocte"):
        hosts = sites[name].hosts
        www = next(h for h in hosts if h.startswith("www."))
        sites[name] = dataclasses.replace(sites[name], hosts=(www, *(h for h in hosts if h != www)))
    return sites


def test_a_migrated_file_is_the_same_whatever_the_registry(tmp_path: Path):
    today, other = load_registry(), other_registry()
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    v1_file(a)
    shutil.copy(a, b)
    Store(a, sites=today).close()
    Store(b, sites=other).close()
    derived = {("article_urls", "canonical_url")}
    assert dump(a, CLOCK_COLUMNS | derived) == dump(b, CLOCK_COLUMNS | derived)
    # the derived column follows the registry each open was given, as a write would
    for path, sites in ((a, today), (b, other)):
        found = sqlite3.connect(path).execute(
            "SELECT url, canonical_url FROM article_urls ORDER BY id"
        ).fetchall()
        assert found == [(url, canonical_url(url, None, sites)) for url, _ in found]
    assert dump(a, CLOCK_COLUMNS)["article_urls"] != dump(b, CLOCK_COLUMNS)["article_urls"]


def test_the_steps_leave_derived_data_to_the_store_which_fills_it_as_a_write_does(
    tmp_path: Path,
):
    path = tmp_path / "news.db"
    v1_file(path)
    db = sqlite_utils.Database(path)
    for version in range(2, SCHEMA_VERSION + 1):
        MIGRATIONS[version](db)
    # the steps alone: schema, v2's frozen rehash and merge; nothing computed by today's code
    assert db.execute("SELECT id FROM articles ORDER BY id").fetchall() == [(1,), (3,)]
    assert db.execute("SELECT count(*) FROM article_urls WHERE canonical_url IS NULL").fetchone()[
        0
    ] == 3
    assert db["article_signatures"].count == db["article_relevance"].count == 0
    assert db["gazetteer_partners"].count == 0
    assert db.execute("SELECT count(*) FROM articles WHERE folded IS NULL").fetchone()[0] == 2
    db.close()

    v1_file(other := tmp_path / "other.db")
    with Store(other) as store:  # migrates, then fills the derived data
        rows = store.db.execute(
            "SELECT id, title, lead, text, folded, folded_title FROM articles"
        ).fetchall()
        assert rows and all(
            (f, ft) == tuple(folded_for_search(t, lead, text).values())
            for _, t, lead, text, f, ft in rows
        )
        assert store.db["article_signatures"].count == store.db["article_relevance"].count == 2
        assert store.db["gazetteer_partners"].count > 0
        assert store.db.execute(
            "SELECT count(*) FROM article_urls WHERE canonical_url IS NULL"
        ).fetchone()[0] == 0
        assert store.db.execute(
            "INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')"
        ).fetchall() == []
        assert store.write(
            [{"url": "https://thoidai.com.vn/new.html", "site": "thoidai", "title": "Mới",
              "text": NEW_STYLE, "fetched_at": FETCHED}]
        ) == ["duplicate"]


def test_derived_data_left_stale_is_filled_at_the_next_open_and_nothing_else_is_written(
    tmp_path: Path,
):
    path = v3_store(tmp_path / "news.db")
    Store(path).close()
    db = sqlite_utils.Database(path)
    filled = dump(path, CLOCK_COLUMNS)
    db.execute("UPDATE article_urls SET canonical_url = NULL WHERE id <= 2")
    db.execute("UPDATE article_signatures SET version = version - 1 WHERE article_id <= 2")
    db.execute("DELETE FROM article_lsh WHERE article_id <= 2")
    db.execute("DELETE FROM article_relevance WHERE article_id = 3")
    db.execute("DELETE FROM article_partners WHERE article_id = 3")
    db.execute("DELETE FROM article_provinces WHERE article_id = 3")
    db.conn.commit()
    db.close()
    with Store(path) as store:
        assert store.db.conn.total_changes > 0
    assert dump(path, CLOCK_COLUMNS) == filled
    with Store(path) as store:  # nothing stale: no row written
        assert store.db.conn.total_changes == 0


def test_the_frozen_v2_hash_is_todays_content_hash():
    """While they agree, v2 migrates as it always did; when content_hash changes, this fails:
    stored hashes then need a new migration that rehashes (crawler.store.rehash_v2)."""
    texts = [p.read_text(encoding="utf-8") for p in SEED_FILES]
    texts += [BODY, NEW_STYLE, unicodedata.normalize("NFD", BODY), "quỳ gì khuya thuỷ\u200b"]
    assert [v2_hash(t) for t in texts] == [content_hash(t) for t in texts]
    assert v2_hash(BODY) == v2_hash(NEW_STYLE)


def table_shape(db: sqlite3.Connection, table: str) -> tuple:
    return (
        db.execute(
            f"SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{table}')"
        ).fetchall(),
        db.execute(f"SELECT * FROM pragma_foreign_key_list('{table}')").fetchall(),
    )


def test_v1_tables_are_those_the_first_crawler_created(tmp_path: Path):
    """The v1 SQL against a file the old code (sqlite-utils `.create()` calls) wrote."""
    old = sqlite3.connect(v3_store(tmp_path / "v3.db"))
    new = sqlite_utils.Database(memory=True)
    _create_v1(new)
    for table in V1_TABLES:
        (columns, keys), (old_columns, old_keys) = table_shape(new.conn, table), table_shape(
            old, table
        )
        assert old_columns[: len(columns)] == columns and old_keys == keys
        sql = new.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
        old_sql = old.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()
        assert old_sql[0].startswith(sql.rstrip(")"))  # later versions' ALTERs append
    indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
    for table in V1_TABLES:
        assert set(new.execute(indexes, [table]).fetchall()) <= set(old.execute(indexes, [table]))


def documented(doc: str, table: str) -> str:
    """The sections of docs/schema.md about `table`: those whose heading names it, else those
    that mention it (the migrations table and example queries aside)."""
    sections = re.split(r"\n(?=#+ )", doc)
    named = [s for s in sections if f"`{table}`" in s.splitlines()[0]]
    return "\n".join(
        named
        or [
            s for s in sections
            if f"`{table}`" in s and not s.startswith(("## Migrations", "## Example"))
        ]
    )


def test_docs_describe_every_table_and_column_a_new_file_has():
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    db = created()
    assert f"currently **{SCHEMA_VERSION}**" in doc
    tables = [
        t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not t.startswith("articles_fts")
    ]
    missing = [
        f"{table}.{column}"
        for table in tables
        for (column,) in db.execute(f"SELECT name FROM pragma_table_xinfo('{table}')")
        if f"`{column}`" not in documented(doc, table)
    ]
    assert tables and not missing, missing
    for (column,) in db.execute("SELECT name FROM pragma_table_xinfo('articles_fts')"):
        assert f"`{column}`" in documented(doc, "articles_fts")


def test_an_old_file_migrated_has_the_schema_of_a_new_one(tmp_path: Path):
    master = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    with Store(v3_store(tmp_path / "v3.db")) as store:
        assert store.db.execute(master).fetchall() == created().execute(master).fetchall()
