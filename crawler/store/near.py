"""Near duplicates (MinHash signatures and LSH buckets, crawler.store.minhash) and merging
two rows that turn out to be one article."""

from __future__ import annotations

import logging
from typing import Any

from crawler.store import minhash
from crawler.store.clock import utc_now
from crawler.store.schema import FACET_TABLES
from crawler.text.normalise import content_hash

logger = logging.getLogger(__name__)

NEAR_CANDIDATES_LIMIT = 500


class NearDuplicates:
    """Store's near-duplicate index and merges (a mixin of crawler.store.database.Store)."""

    def index_near_duplicates(
        self,
        article_id: int,
        text: str,
        found_at: str,
        known: Any = minhash.NOT_GIVEN,
        fresh: bool = False,
    ) -> int:
        """(Re)compute the article's signature and LSH buckets and link its near duplicates.

        Candidates come from the article's own buckets (an indexed lookup, no scan); each is
        linked when the estimated Jaccard similarity reaches minhash.THRESHOLD. Returns the
        number of links made. `known` is minhash.sketch(text) when the caller has it already
        (a crawl computes it off the reactor); `fresh`: a new article's id, with nothing to
        replace.
        """
        db = self.db
        if not fresh:
            db.execute("DELETE FROM article_lsh WHERE article_id = ?", [article_id])
            db.execute(
                "DELETE FROM near_duplicates WHERE article_id = ? OR other_id = ?",
                [article_id, article_id],
            )
        sketch = minhash.sketch(text) if known is minhash.NOT_GIVEN else minhash.as_sketch(known)
        if sketch is None:
            db.execute("DELETE FROM article_signatures WHERE article_id = ?", [article_id])
            return 0
        signature, shingle_count = sketch
        db.execute(
            "INSERT OR REPLACE INTO article_signatures (article_id, version, shingles, minhash)"
            " VALUES (?, ?, ?, ?)",
            [article_id, minhash.SIGNATURE_VERSION, shingle_count, minhash.pack(signature)],
        )
        buckets = minhash.buckets(signature)
        marks = ", ".join("?" * len(buckets))
        candidates = db.execute(
            f"""
            SELECT s.article_id, s.minhash FROM article_signatures s
            WHERE s.version = ? AND s.article_id IN (
                SELECT DISTINCT article_id FROM article_lsh WHERE bucket IN ({marks}) LIMIT ?
            )
            """,
            [minhash.SIGNATURE_VERSION, *buckets, NEAR_CANDIDATES_LIMIT],
        ).fetchall()
        db.conn.executemany(
            "INSERT OR IGNORE INTO article_lsh (bucket, article_id) VALUES (?, ?)",
            [(bucket, article_id) for bucket in buckets],
        )
        links = []
        for other_id, blob in candidates:
            score = minhash.similarity(signature, minhash.unpack(blob))
            if score >= minhash.THRESHOLD:
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

