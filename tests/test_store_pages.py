"""Stored pages keep the response's headers and bytes; v3 files migrate and stay readable.

Real SQLite files and a real corpus page: a v3 store (what the previous crawler wrote) opens,
migrates, and its old pages re-extract from their stored html; new pages keep their bytes
when those are not the html's UTF-8, so that re-extraction decodes them again.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

from crawler.commands.reextract import reextract
from crawler.extraction.item import page_item_from_bytes
from crawler.registry import default_registry
from crawler.store import SCHEMA_VERSION, Store
from crawler.text.decoding import decode_html
from pipelines.chain import normalise
from tests.conftest import v3_store
from tests.faults import pages

SITES = default_registry()
PAGE = Path(__file__).parent / "corpus" / "baoquocte" / "gia-ca-phe.html"
URL = json.loads(PAGE.with_suffix(".json").read_text("utf-8"))["url"]
FETCHED = "2026-11-23T08:00:00+00:00"


def crawled(body: bytes, content_type: str, url: str = URL) -> dict:
    """The item a crawl stores for these bytes (as the spider builds it)."""
    fields = page_item_from_bytes(body, content_type, url, SITES["baoquocte"], {}, FETCHED)
    needed = fields.pop("page_body_needed")
    fields = normalise(fields)
    return {
        **fields,
        "page_headers": {"Content-Type": content_type},
        "page_body": body if needed else None,
    }


def test_v3_store_migrates_and_its_pages_stay_readable(tmp_path: Path) -> None:
    with Store(v3_store(tmp_path / "news.db")) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = {c.name for c in store.db["pages"].columns}
        assert {"headers", "body", "encoding"} <= columns
        stored = list(store.stored_pages())
        assert len(stored) == 8 and all(page["html"] for page in stored)  # html is all there is
        assert sum(reextract(store, SITES).values()) == 8  # every pre-v4 page re-extracts


def test_pages_keep_the_bytes_only_when_the_html_is_not_them(tmp_path: Path) -> None:
    utf8 = PAGE.read_bytes()
    legacy = pages.to_cp1258(decode_html(utf8).html)
    with Store(tmp_path / "news.db") as store:
        store.write([crawled(utf8, "text/html; charset=iso-8859-1")])
        other = URL.replace(".html", "-cp1258.html")
        store.write([crawled(legacy, "text/html", other)])
        rows = {
            url: (headers, body, encoding)
            for url, headers, body, encoding in store.db.execute(
                "SELECT url, headers, body, encoding FROM pages"
            )
        }
        assert rows[URL][1] is None and rows[URL][2] == "utf-8"
        assert json.loads(rows[URL][0]) == {"Content-Type": "text/html; charset=iso-8859-1"}
        assert zlib.decompress(rows[other][1]) == legacy and rows[other][2] == "cp1258"
        texts = {page["url"]: page["html"] for page in store.stored_pages()}
        assert texts[URL] == decode_html(utf8).html


def test_page_bytes_survive_the_trip_through_redis(tmp_path: Path) -> None:
    """Distributed mode sends items as JSON: the bytes go as base64 and are stored as bytes."""
    from crawler.extensions.distributed import decode, encode

    legacy = pages.to_cp1258(decode_html(PAGE.read_bytes()).html)
    item = crawled(legacy, "text/html")
    received = decode(encode({"type": "item", "item": item}))["item"]
    assert isinstance(received["page_body"], str)
    with Store(tmp_path / "news.db") as store:
        store.write([received])
        [body] = store.db.execute("SELECT body FROM pages").fetchone()
    assert zlib.decompress(body) == legacy
