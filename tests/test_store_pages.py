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


def _retitled(item: dict) -> None:
    """A step that changes the page's text (none of the crawl's does): the store must then
    compress that text, not the bytes it was decoded from."""
    item["html"] = item["html"].replace("<title>", "<title>Bản lưu: ", 1)


def test_the_worker_stores_the_page_as_decoded_whichever_way_it_is_compressed(
    tmp_path: Path,
) -> None:
    """The extraction worker's call with the store's step (store_prep) compresses the page
    from its bytes when they are the html's UTF-8: the stored page reads back as the html, by
    any zlib, for a UTF-8 page, a windows-1258 one, and after a step changed the html."""
    from crawler.extraction.calls import extract_with_steps
    from crawler.store.prep import store_prep
    from crawler.text.decoding import HTML_UTF8

    utf8 = PAGE.read_bytes()
    legacy = pages.to_cp1258(decode_html(utf8).html)
    cases = [
        (utf8, (("store_prep", store_prep),), decode_html(utf8).html),
        (legacy, (("store_prep", store_prep),), decode_html(legacy).html),
        (
            utf8,
            (("retitled", _retitled), ("store_prep", store_prep)),
            decode_html(utf8).html.replace("<title>", "<title>Bản lưu: ", 1),
        ),
    ]
    with Store(tmp_path / "news.db") as store:
        for number, (body, steps, html) in enumerate(cases):
            url = URL.replace(".html", f"-{number}.html")
            item, _ = extract_with_steps(
                body, "text/html", url, SITES["baoquocte"], {}, FETCHED, None, steps
            )
            assert HTML_UTF8 not in item and "html" not in item
            assert zlib.decompress(item["page_zlib"]).decode("utf-8") == html
            assert item["html_chars"] == len(html)
            item.pop("memory_sample")
            needed = item.pop("page_body_needed")
            store.write([{**normalise(item), "page_body": body if needed else None,
                          "page_headers": {"Content-Type": "text/html"}}])
            (blob,) = store.db.execute("SELECT html FROM pages WHERE url = ?", [url]).fetchone()
            assert zlib.decompress(blob).decode("utf-8") == html
