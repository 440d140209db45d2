"""The SQLite store (docs/schema.md is its contract): a small API in the sqlite-utils style.

`Store(path)` opens (creating and migrating) the file for writing, and fills the derived data
(crawler.store.derived); `open_readonly(path)` is how every command that only reads opens it;
`python -m crawler.store` prints the schema. Nothing here knows Scrapy: the crawl's pipeline
(pipelines/store.py) and `scrapy ingest` both write through `Store.write_batch`.
"""


from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Each name from the module that defines it, imported at first use: the extraction workers
# import the store's pure modules (caps, prep, minhash) and must not pay for sqlite-utils.
_EXPORTS = {
    "FIELD_LIMITS": "caps",
    "MIGRATIONS": "migrations",
    "REQUIRED": "schema",
    "SCHEMA_VERSION": "schema",
    "InvalidItem": "errors",
    "Store": "database",
    "StoreError": "errors",
    "Written": "articles",
    "compress_html": "pages",
    "decompress_html": "pages",
    "explain": "errors",
    "missing_fields": "schema",
    "open_readonly": "readonly",
    "store_prep": "prep",
    "utc_now": "clock",
}
__all__ = [
    "FIELD_LIMITS",
    "MIGRATIONS",
    "REQUIRED",
    "SCHEMA_VERSION",
    "InvalidItem",
    "Store",
    "StoreError",
    "Written",
    "compress_html",
    "decompress_html",
    "explain",
    "missing_fields",
    "open_readonly",
    "store_prep",
    "utc_now",
]

if TYPE_CHECKING:
    from crawler.store.articles import Written
    from crawler.store.caps import FIELD_LIMITS
    from crawler.store.clock import utc_now
    from crawler.store.database import Store
    from crawler.store.errors import InvalidItem, StoreError, explain
    from crawler.store.migrations import MIGRATIONS
    from crawler.store.pages import compress_html, decompress_html
    from crawler.store.prep import store_prep
    from crawler.store.readonly import open_readonly
    from crawler.store.schema import REQUIRED, SCHEMA_VERSION, missing_fields


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
