"""Search with and without diacritics, on a store filled by a real crawl of the mirror (real
Vietnamese texts) and on a file of the previous schema: `scrapy search` and `sqlite-utils
search` agree, a query with diacritics finds what was written, one without finds every form."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import sqlite_utils

from crawler.store import MIGRATIONS, SCHEMA_VERSION, Store
from crawler.text.normalise import content_hash, fold
from tests.conftest import ROOT, clean_env, crawl, scrapy

SITES = ("thoidai", "baoquocte", "vinhphuc")
SEEDS = ROOT / "tests" / "mirror" / "seeds"
WORD = re.compile(r"\w+")


@pytest.fixture(scope="module")
def crawled(mirror, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("accents") / "news.db"
    for site in SITES:
        assert crawl(mirror, site, db).returncode == 0
    return db


def articles(db: Path) -> dict[int, str]:
    """id → title, lead and text, lower-cased, as the store holds them."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, title, lead, text FROM articles").fetchall()
    return {i: "\n".join(filter(None, fields)).lower() for i, *fields in rows}


def words(text: str) -> set[str]:
    return set(WORD.findall(text))


def scrapy_search(db: Path, query: str) -> list[int]:
    result = scrapy("search", query, "--db", str(db), "--limit", "100", timeout=60)
    assert result.returncode in (0, 1), result.stderr
    return [int(line.split("\t")[0]) for line in result.stdout.splitlines()]


def sqlite_utils_search(db: Path, query: str) -> list[int]:
    """The `sqlite-utils search` command as a reader runs it (its FTS table found by itself)."""
    result = subprocess.run(
        [shutil.which("sqlite-utils") or "sqlite-utils", "search", str(db), "articles", query]
        + ["-c", "id", "-c", "title"],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [row["id"] for row in json.loads(result.stdout or "[]")]


def test_accented_query_finds_what_was_written_and_nothing_else(crawled: Path):
    texts = articles(crawled)
    written = {i for i, text in texts.items() if "đà nẵng" in text}
    near_miss = {i for i, text in texts.items() if {"đã", "nâng"} <= words(text)} - written
    assert written and near_miss  # the crawl holds both, or this test proves nothing
    assert set(scrapy_search(crawled, "Đà Nẵng")) == written
    assert set(sqlite_utils_search(crawled, "Đà Nẵng")) == written
    assert set(sqlite_utils_search(crawled, "ĐÀ NẴNG")) == written
    assert set(scrapy_search(crawled, "đã nâng")) == near_miss | {
        i for i in written if {"đã", "nâng"} <= words(texts[i])
    }


def test_plain_query_finds_every_accented_form(crawled: Path):
    texts = articles(crawled)
    every_form = {i for i, text in texts.items() if {"da", "nang"} <= words(fold(text))}
    assert {i for i, text in texts.items() if "đà nẵng" in text} < every_form
    assert set(scrapy_search(crawled, "da nang")) == every_form
    assert set(sqlite_utils_search(crawled, "da nang")) == every_form


def test_results_are_ranked_by_relevance_title_first(crawled: Path):
    texts = articles(crawled)
    with sqlite3.connect(crawled) as conn:
        titled = {
            i for (i,) in conn.execute("SELECT id FROM articles WHERE title LIKE '%Đà Nẵng%'")
        }
    assert titled and len(articles(crawled)) > len(titled)
    for query in ("da nang", "Đà Nẵng"):
        assert set(sqlite_utils_search(crawled, query)[: len(titled)]) == titled, query
        assert set(scrapy_search(crawled, query)[: len(titled)]) == titled, query
    assert texts  # ranking came from bm25 over a real crawl


def test_tone_mark_convention_does_not_narrow_an_accented_query(crawled: Path):
    texts = articles(crawled)
    for old, new in (("thủy", "thuỷ"), ("hòa", "hoà"), ("hóa", "hoá")):
        either = {i for i, text in texts.items() if words(text) & {old, new}}
        if either:
            assert set(scrapy_search(crawled, old)) == set(scrapy_search(crawled, new)) == either


# -- a file of the previous schema ------------------------------------------------------------


def seed_paragraph(wanted: str, unwanted: tuple[str, ...] = ()) -> str:
    """A real paragraph from the mirror's seed texts holding the word `wanted`."""
    for seed in sorted(SEEDS.glob("*.txt")):
        for line in seed.read_text(encoding="utf-8").splitlines():
            found = words(line.lower())
            if wanted in found and not found & set(unwanted) and len(line) > 80:
                return line
    raise AssertionError(f"no seed paragraph with {wanted!r}")


def old_store(path: Path) -> None:
    """A v3 file as the previous crawler left it: built by the migrations of that time."""
    db = sqlite_utils.Database(path)
    for version in (1, 2, 3):
        MIGRATIONS[version](db)
    db.execute("PRAGMA user_version = 3")
    db.conn.commit()


def test_previous_schema_file_is_reindexed_on_open(tmp_path: Path):
    path = tmp_path / "news.db"
    old_store(path)
    place = seed_paragraph("nẵng")
    unrelated = seed_paragraph("đã", ("nâng", "nẵng")) + "\n\n" + seed_paragraph("nâng", ("đã",))
    db = sqlite_utils.Database(path)
    for article_id, title, text in ((1, "Đà Nẵng", place), (2, "Tin tức", unrelated)):
        db["articles"].insert(
            {
                "id": article_id,
                "url": f"https://thoidai.com.vn/a-{article_id}.html",
                "site": "thoidai",
                "title": title,
                "text": text,
                "content_hash": content_hash(text),
                "fetched_at": "2026-11-23T08:00:00+00:00",
                "published_at": "2025-10-30",
            }
        )
    db.conn.commit()
    match = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid"
    assert db.execute(match, ['"Đà" "Nẵng"']).fetchall() == [(1,), (2,)]  # the old index
    db.close()

    with Store(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.db.execute(match, ['"Đà" "Nẵng"']).fetchall() == [(1,)]
        assert store.db.execute(match, ['"da" "nang"']).fetchall() == [(1,), (2,)]
        assert store.db.execute(match, ['"đã" "nâng"']).fetchall() == [(2,)]
        folded, month = store.db.execute(
            "SELECT folded, published_month FROM articles WHERE id = 1"
        ).fetchone()
        assert folded == fold(f"Đà Nẵng\n\n{place}") and month == "2025-10"
        assert (
            store.db.execute(
                "INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')"
            ).fetchall()
            == []
        )
        assert store.db["articles"].detect_fts() == "articles_fts"


def test_fold_by_table_equals_folding_the_whole_text():
    """fold looks characters up one at a time; the definition is NFD, drop every combining
    mark, NFC over the whole text: both agree on mixed scripts, decomposed input, stray marks."""
    import random
    import unicodedata

    from crawler.text.normalise import _fold_exact

    rng = random.Random(7)
    blocks = [(0x20, 0x250), (0x300, 0x370), (0x1100, 0x1200), (0xAC00, 0xAC40),
              (0x1E00, 0x1F00), (0x0900, 0x0980), (0x2000, 0x3000), (0x1D160, 0x1D170)]
    chars = [c for lo, hi in blocks for c in range(lo, hi)]
    for _ in range(5000):
        text = "".join(chr(rng.choice(chars)) for _ in range(rng.randint(1, 12)))
        for form in (text, unicodedata.normalize("NFD", text)):
            assert fold(form) == _fold_exact(form), repr(form)
    assert fold("Đối ngoại Thủ tướng") == "Doi ngoai Thu tuong"
