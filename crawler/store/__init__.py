"""The SQLite store (docs/schema.md is its contract): a small API in the sqlite-utils style.

`Store(path)` opens (creating and migrating) the file for writing, and fills the derived data
(crawler.store.derived); `open_readonly(path)` is how every command that only reads opens it;
`python -m crawler.store` prints the schema. Nothing here knows Scrapy: the crawl's pipeline
(pipelines/store.py) and `scrapy ingest` both write through `Store.write_batch`.
"""

from crawler.store.articles import Written, store_prep
from crawler.store.caps import FIELD_LIMITS
from crawler.store.clock import utc_now
from crawler.store.database import Store
from crawler.store.errors import InvalidItem, StoreError, explain
from crawler.store.migrations import MIGRATIONS
from crawler.store.pages import compress_html, decompress_html
from crawler.store.readonly import open_readonly
from crawler.store.schema import REQUIRED, SCHEMA_VERSION, missing_fields

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
