"""The store's pure work on an item, done in the extraction workers before the item reaches
the store (a pool step of the store's pipeline, pipelines/store.py).

Apart from the writer's modules so that a worker imports it without sqlite-utils.
"""

from __future__ import annotations

from typing import Any

from crawler.store.pages import compress_html
from crawler.store.schema import folded_for_search
from crawler.text.decoding import HTML_UTF8


def store_prep(item: dict[str, Any]) -> None:
    """The store's pure work on an item, done in the extraction worker (a pool step of the
    store's pipeline): the search columns folded and the page compressed, so that the writer
    thread only writes, and the page goes back from the worker compressed."""
    item.update(folded_for_search(item.get("title"), item.get("lead"), item.get("text")))
    html = item.pop("html", None)
    source, utf8 = item.pop(HTML_UTF8, None) or (None, None)
    if html is not None:
        utf8 = utf8 if source is html else None  # the bytes of this very text, else encoded
        item["page_zlib"], item["html_chars"] = compress_html(html, utf8), len(html)
