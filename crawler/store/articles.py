"""The write path: items to articles, their URLs, pages and history, one transaction a batch;
a batch the database refuses is written again item by item (`write_batch`), the one fallback
that the crawl's pipeline and `scrapy ingest` share."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils.db import jsonify_if_needed

from crawler.discovery.urls import canonical_url, clean_url
from crawler.store import minhash
from crawler.store.caps import cap_fields, limit_of
from crawler.store.errors import InvalidItem
from crawler.store.pages import compress_html, page_columns
from crawler.store.schema import ARTICLE_COLUMNS, folded_for_search, missing_fields
from crawler.text.normalise import content_hash

logger = logging.getLogger(__name__)


@dataclass
class Written:
    """What one batch write did: each written item's outcome, the counts (`capped/FIELD`,
    `near_duplicates`, `errors`, `lost_items`…), the items the database refused (lost), and
    the items not written because the database (or the writer process) failed (`error`)."""

    outcomes: list[str] = field(default_factory=list)
    counter: Counter = field(default_factory=Counter)
    refused: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    error: Exception | None = None


class ArticleWriter:
    """Store's write path (a mixin of crawler.store.database.Store)."""

    def write_batch(self, items: list[dict[str, Any]]) -> Written:
        """Write the batch in one transaction, else item by item: an item the database refuses
        (an integrity error) is lost alone, counted and logged; any other database error stops
        there, and the items from the one that failed on are returned in `failed`."""
        written = Written()
        try:
            written.outcomes = self.write(items, written.counter)
        except sqlite3.IntegrityError as exc:
            logger.warning(
                "%s: a batch was refused (%s); writing its items one by one", self.path, exc
            )
            for number, item in enumerate(items):
                try:
                    written.outcomes += self.write([item], written.counter)
                except sqlite3.IntegrityError as one:
                    written.refused.append(item)
                    written.counter["errors"] += 1
                    written.counter["lost_items"] += 1
                    logger.error(
                        "%s: not stored, refused by the database (%s): %s",
                        self.path,
                        one,
                        item.get("url"),
                    )
                except sqlite3.Error as failure:
                    written.failed, written.error = items[number:], failure
                    break
        except sqlite3.Error as exc:
            written.failed, written.error = items, exc
        return written

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
        capped = cap_fields(item)
        for name, size in capped.items():
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
        if capped or item.get("folded") is None:  # else folded in the worker (store_prep)
            row.update(folded_for_search(row["title"], row["lead"], row["text"]))
        else:
            row["folded"], row["folded_title"] = item["folded"], item.get("folded_title") or ""
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
            row["updated_at"] = seen_at
            self._update_article(article_id, row)
            counter["near_duplicates"] += self.index_near_duplicates(
                article_id, item["text"], seen_at, item.get("near_sketch", minhash.NOT_GIVEN)
            )
            outcome = "updated"
        else:
            # never reuse the id of a deleted (merged) article: article_merges points to it
            row["id"] = 1 + self._one(
                "SELECT max(coalesce((SELECT max(id) FROM articles), 0),"
                " coalesce((SELECT max(article_id) FROM article_merges), 0))"
            )
            article_id = self._insert_article(row)
            counter["near_duplicates"] += self.index_near_duplicates(
                article_id, item["text"], seen_at, item.get("near_sketch", minhash.NOT_GIVEN),
                fresh=True,
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
        if item.get("html") is not None or item.get("page_zlib") is not None:
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
                self.write_facets(article_id, facets, fresh=outcome == "new")
                counter["facets"] += 1
        return outcome

    def _insert_article(self, row: dict[str, Any]) -> int:
        columns = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        sql = f"INSERT INTO articles ({columns}) VALUES ({marks})"
        return self.db.conn.execute(sql, _sql_values(row)).lastrowid

    def _update_article(self, article_id: int, row: dict[str, Any]) -> None:
        sets = ", ".join(f"{name} = :{name}" for name in row)
        sql = f"UPDATE articles SET {sets} WHERE id = :id"
        self.db.conn.execute(sql, {**_sql_values(row), "id": article_id})

    def _keep_page(self, item: dict[str, Any], article_id: int) -> None:
        html = item.get("html")
        if html is None:  # compressed in the worker (store_prep)
            blob, chars = item["page_zlib"], item["html_chars"]
        else:
            blob, chars = compress_html(html), len(html)
        headers, body, encoding = page_columns(item, html)
        self.db.conn.execute(
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
                blob,
                chars,
                json.dumps(item.get("hints") or {}, ensure_ascii=False, sort_keys=True),
                headers,
                body,
                encoding,
            ],
        )


def _sql_values(row: dict[str, Any]) -> dict[str, Any]:
    """Lists and dicts as JSON text, as sqlite-utils' insert stores them."""
    return {name: jsonify_if_needed(value) for name, value in row.items()}

