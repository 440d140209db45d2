"""Stored pages read back, and an article updated in place from a fresh extraction of its page
(`scrapy reextract`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlite_utils.db import NotFoundError

from crawler.store.caps import cap_fields
from crawler.store.pages import stored_page_text
from crawler.store.schema import EXTRACTED_COLUMNS, JSON_COLUMNS, folded_for_search
from crawler.text.normalise import content_hash

PREPARED = "folded_for_search"  # the key prepare_replacement adds


def page_text(stored: tuple[Any, Any, Any]) -> str:
    """A page's text from its stored columns (`stored_pages(decode=False)`)."""
    return stored_page_text(*stored)


def prepare_replacement(item: dict[str, Any], hashed: bool = False) -> dict[str, Any]:
    """The item as `replace_extraction` writes it: capped, hashed, folded for search. Pure, so
    that `scrapy reextract` runs it in its worker processes rather than in the writer.
    `hashed`: the item's `content_hash` is its text's (fresh from the normalising pipelines)."""
    item = dict(item)
    if cap_fields(item) or not (hashed and item.get("content_hash")):
        item["content_hash"] = content_hash(item["text"])  # of the stored body, as in a crawl
    item[PREPARED] = folded_for_search(item.get("title"), item.get("lead"), item.get("text"))
    return item


class Reextraction:
    """Store's re-extraction (a mixin of crawler.store.database.Store)."""

    def stored_pages(
        self,
        site: str | None = None,
        limit: int | None = None,
        after_id: int = 0,
        decode: bool = True,
    ) -> Iterator[dict[str, Any]]:
        """One stored page per article (the one that gave its current text, else the article's
        own URL, else its site's latest), articles in id order. With `decode=False` a page
        carries `stored` (its columns as stored, for `page_text`) instead of `html`: worker
        processes decompress it, not the one that reads the store."""
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
                page = {
                    "article_id": article_id,
                    "url": url,
                    "site": page_site,
                    "fetched_at": fetched_at,
                    "hints": json.loads(hints) if hints else {},
                }
                if decode:
                    page["html"] = stored_page_text(html, headers, body)
                else:
                    page["stored"] = (html, headers, body)
                yield page
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
        item = dict(item) if PREPARED in item else prepare_replacement(item)
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
            current = self._article_row(article_id)
            new = {name: item.get(name) for name in EXTRACTED_COLUMNS}
            new["content_hash"] = item["content_hash"]
            new["capped"] = item.get("capped")
            new.update(item[PREPARED])
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

    def _article_row(self, article_id: int) -> dict[str, Any]:
        """The article's row as a dict (sqlite-utils' Table.get reads the table's schema
        again at every call: a tenth of the parent's time in `scrapy reextract`)."""
        for row in self.db.query("SELECT * FROM articles WHERE id = ?", [article_id]):
            return row
        raise NotFoundError(f"no article {article_id}")

    def _set_page_hash(self, item: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE pages SET content_hash = ? WHERE url = ?", [item["content_hash"], item["url"]]
        )

    # -- crawl runs ---------------------------------------------------------------------------
