"""Feed exports (`-O out.jsonl`, `-O out.csv`): the article as downstream readers want it.

Scrapy's feed exports with `FEED_EXPORT_FIELDS` set to the article columns of docs/schema.md,
so the page HTML, discovery hints, date candidates, extraction methods and dedupe sketches,
which the item carries to the store, stay out. In CSV, list and dict cells are JSON text (the
store's own form for `images` and `date_conflicts`), not Python reprs.
"""

from __future__ import annotations

import json
from typing import Any

from scrapy.exporters import (
    CsvItemExporter,
    JsonItemExporter,
    JsonLinesItemExporter,
    XmlItemExporter,
)

from crawler.store.schema import ARTICLE_COLUMNS

# The `articles` columns of docs/schema.md an item carries, in the schema's order, less the
# bookkeeping ones (which method filled each field, which were cut).
ARTICLE_FIELDS = [c for c in ARTICLE_COLUMNS if c not in ("methods", "capped")]


class _EveryField:
    """Every field of FEED_EXPORT_FIELDS in every record, null when the article has none: a
    stable shape for readers (Scrapy leaves a missing field out by default)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("export_empty_fields", True)
        super().__init__(*args, **kwargs)


class JsonLinesArticleExporter(_EveryField, JsonLinesItemExporter):
    pass


class JsonArticleExporter(_EveryField, JsonItemExporter):
    pass


class XmlArticleExporter(_EveryField, XmlItemExporter):
    pass


class JsonCellCsvItemExporter(CsvItemExporter):
    """Scrapy's CSV exporter with lists and dicts written as JSON."""

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, list | tuple | dict):
            return json.dumps(value, ensure_ascii=False)
        return super().serialize_field(field, name, value)
