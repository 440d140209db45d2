"""Who each article is about (crawler.extraction.facets' analysis) as rows: article_partners,
article_provinces, article_relevance, and the gazetteer's reference tables."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from crawler.extraction.facets import analyse as analyse_facets
from crawler.extraction.facets.gazetteer import GazetteerError, gazetteer
from crawler.store.clock import utc_now
from crawler.store.schema import FACET_TABLES

logger = logging.getLogger(__name__)


class FacetRows:
    """Store's facet tables (a mixin of crawler.store.database.Store)."""

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

    def write_facets(
        self, article_id: int, facets: Mapping[str, Any], fresh: bool = False
    ) -> None:
        """Replace the article's partners, provinces and relevance with `facets`
        (crawler.extraction.facets.analyse's result); `fresh`: a new article, nothing to
        replace."""
        db = self.db
        if not fresh:
            for table in FACET_TABLES:
                db.conn.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
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
        self,
        stale_only: bool = True,
        site: str | None = None,
        batch: int = 500,
        missing_only: bool = False,
    ) -> int:
        """Recompute the facets of every article (or, with `stale_only`, of those computed with
        another gazetteer or never; with `missing_only`, never), and the reference tables;
        return how many were computed. Each batch is one transaction: readers see an article's
        facets whole."""
        gaz = gazetteer()  # GazetteerError when it cannot be read
        with self.transaction():
            self._write_references(gaz)
        done, after = 0, 0
        while True:
            rows = self.db.execute(
                "SELECT a.id FROM articles a LEFT JOIN article_relevance r ON r.article_id = a.id"
                " WHERE a.id > ? AND (? IS NULL OR a.site = ?)"
                " AND (? = 0 OR r.gazetteer IS NULL OR (? = 0 AND r.gazetteer != ?))"
                " ORDER BY a.id LIMIT ?",
                [after, site, site, int(stale_only or missing_only), int(missing_only),
                 gaz.version, batch],
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
