"""Pages as fetched, kept compressed (`pages` table) so that `scrapy reextract` can run a fixed
extraction on them again."""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Mapping
from typing import Any

from crawler.text.decoding import content_type_of, decode_html

try:  # ISA-L's deflate writes the same zlib format, about 4x faster than zlib's level 1
    from isal.isal_zlib import compress as _deflate
except ImportError:  # a platform without its wheel: zlib itself, the same format
    _deflate = zlib.compress

# Level 1. On 237 real pages (shared/realpages, AEB, the corpus; 144 KB on average) ISA-L took
# 0.24 ms a page where zlib's level 1 took 0.93 ms (its default, 6: 2.6 ms), for 23.2% of the
# page against 23.6% (6: 19.9%). Any zlib reads it back (`zlib.decompress`).
PAGE_COMPRESSION_LEVEL = 1


def compress_bytes(data: bytes) -> bytes:
    """A page's bytes in the zlib format the `pages` table keeps."""
    return _deflate(data, PAGE_COMPRESSION_LEVEL)


def compress_html(html: str, utf8: bytes | None = None) -> bytes:
    """The page's text, UTF-8, compressed; `utf8`, when given, is that UTF-8 already made
    (the page's bytes as fetched, when they are exactly that: no second encoding)."""
    return compress_bytes(html.encode("utf-8") if utf8 is None else utf8)


def decompress_html(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


def page_bytes(item: Mapping[str, Any]) -> bytes | None:
    """The page's bytes as received, carried by the item (base64 text after a trip through
    Redis), or None."""
    body = item.get("page_body")
    if isinstance(body, str):
        return base64.b64decode(body)
    return body if isinstance(body, bytes) else None


def page_columns(
    item: Mapping[str, Any], html: str | None
) -> tuple[str | None, bytes | None, str | None]:
    """The v4 `pages` columns (headers, body, encoding) for an item: the bytes are kept,
    compressed, only when they are not the UTF-8 of the stored html (most pages are; without
    the html, the page went through the worker compressed, and the crawl sent the bytes only
    when they differ)."""
    headers = item.get("page_headers")
    body = page_bytes(item)
    if headers is None and body is None:
        return None, None, item.get("page_encoding")
    kept = None
    if body is not None and (html is None or body != html.encode("utf-8")):
        kept = compress_bytes(body)
    headers_json = json.dumps(headers or {}, ensure_ascii=False, sort_keys=True)
    return headers_json, kept, item.get("page_encoding")


def stored_page_text(html_blob: bytes, headers: str | None, body: bytes | None) -> str:
    """A stored page's text as crawler.text.decoding reads it today: decoded again from its bytes
    (v4 rows; the bytes are the html's UTF-8 when `body` is NULL), or the html as decoded at
    fetch time (rows from before v4, whose bytes were not kept)."""
    html = decompress_html(html_blob)
    if headers is None:
        return html
    raw = zlib.decompress(body) if body is not None else html.encode("utf-8")
    return decode_html(raw, content_type_of(json.loads(headers))).html


