"""The v2 migration's one data transform, frozen: content hashes recomputed with the tone mark
placed on the main vowel, and the rows that then collide merged.

Frozen means this module owns a copy of the comparison key as v2 defined it (NFC, invisible
characters removed, whitespace collapsed, one tone placement) and merges with SQL on the v2
tables, so migrating a v1 file gives the same rows whatever `crawler.text.normalise` or
`Store.merge_article` become. Today the two keys agree (tests/test_migrations.py checks it):
a change to `content_hash` is a new schema version whose migration rehashes with the new
key, frozen likewise, since every stored hash and dedupe decision depends on it.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import unicodedata

import sqlite_utils

from crawler.store.clock import utc_now

logger = logging.getLogger(__name__)

INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave, acute, tilde, hook, dot below
VOWELS = frozenset("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
QUALITY_VOWELS = frozenset("ăâêôơưĂÂÊÔƠƯ")
SECOND_VOWEL_PAIRS = frozenset({"oa", "oe", "uy"})
WORD = re.compile(r"[^\W\d_][\w\u0300-\u036f]*")


def _tone_position(letters: str) -> int | None:
    lower = letters.lower()
    onset = lower.startswith("qu") or (lower.startswith("gi") and lower[2:3] in VOWELS)
    positions = [i for i in range(2 if onset else 0, len(letters)) if letters[i] in VOWELS]
    if not positions:
        positions = [i for i in range(len(letters)) if letters[i] in VOWELS][-1:]
    if not positions:
        return None
    marked = [i for i in positions if letters[i] in QUALITY_VOWELS]
    if marked:
        return marked[-1]
    if positions[-1] < len(letters) - 1:
        return positions[-1]
    if len(positions) == 3:
        return positions[1]
    if len(positions) == 2 and lower[positions[0]] + lower[positions[1]] in SECOND_VOWEL_PAIRS:
        return positions[1]
    return positions[0]


def _placed(match: re.Match[str]) -> str:
    word = match.group()
    tones = [c for c in word if c in TONES]
    if len(tones) != 1:
        return word
    letters = unicodedata.normalize("NFC", "".join(c for c in word if c not in TONES))
    position = _tone_position(letters)
    if position is None:
        return word
    return letters[: position + 1] + tones[0] + letters[position + 1 :]


@functools.lru_cache(maxsize=1 << 16)
def _token_key(token: str) -> str:
    return unicodedata.normalize("NFC", WORD.sub(_placed, unicodedata.normalize("NFD", token)))


def v2_hash(text: str) -> str:
    """SHA-256 hex of the v2 comparison key of `text`."""
    tokens = INVISIBLE.sub("", unicodedata.normalize("NFC", text)).split()
    return hashlib.sha256(" ".join(map(_token_key, tokens)).encode("utf-8")).hexdigest()


def _merge(db: sqlite_utils.Database, drop_id: int, keep_id: int) -> None:
    """Fold v1 article `drop_id` into `keep_id`: its text becomes a version of the survivor,
    its URLs and history move, its id goes to `article_merges`."""
    db.execute(
        "INSERT INTO article_versions (article_id, title, lead, text, seen_at)"
        " SELECT ?, title, lead, text, fetched_at FROM articles WHERE id = ?",
        [keep_id, drop_id],
    )
    for table in ("article_urls", "article_versions", "pages"):
        db.execute(f"UPDATE {table} SET article_id = ? WHERE article_id = ?", [keep_id, drop_id])
    db.execute(
        "INSERT INTO article_merges (article_id, into_id, reason, merged_at)"
        " VALUES (?, ?, 'rehash_v2', ?)",
        [drop_id, keep_id, utc_now()],
    )
    db.execute("DELETE FROM articles WHERE id = ?", [drop_id])
    logger.info("article %d merged into %d (rehash_v2)", drop_id, keep_id)


def rehash(db: sqlite_utils.Database) -> None:
    """Every article's and version's hash by v2_hash; of two articles whose bodies now hash
    alike, the later is merged into the earlier, so no URL, text or id is lost."""
    first: dict[str, int] = {}
    updates: list[tuple[str, int]] = []
    for article_id, text, old_hash in db.execute(
        "SELECT id, text, content_hash FROM articles ORDER BY id"
    ).fetchall():
        new_hash = v2_hash(text)
        if new_hash in first:
            _merge(db, article_id, first[new_hash])
            continue
        first[new_hash] = article_id
        if new_hash != old_hash:
            updates.append((new_hash, article_id))
    db.conn.executemany("UPDATE articles SET content_hash = ? WHERE id = ?", updates)
    db.conn.executemany(
        "UPDATE article_versions SET content_hash = ? WHERE id = ?",
        [
            (v2_hash(text), version_id)
            for version_id, text in db.execute("SELECT id, text FROM article_versions")
            if text is not None
        ],
    )
