"""Feed exporters give every record the same fields, null where an article has none."""

from __future__ import annotations

import io
import json

from crawler.feeds import ARTICLE_FIELDS, JsonArticleExporter, JsonLinesArticleExporter


def _export(exporter_class: type, items: list[dict]) -> bytes:
    out = io.BytesIO()
    exporter = exporter_class(out, fields_to_export=ARTICLE_FIELDS)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    exporter.finish_exporting()
    return out.getvalue()


ARTICLE = {"url": "https://baoquocte.vn/a-1.html", "site": "baoquocte", "title": "Tiêu đề",
           "text": "Nội dung.", "html": "<html>…</html>", "methods": {"title": "rule"}}  # fmt: skip


def test_json_lines_records_carry_every_field_and_no_internals():
    [row] = [json.loads(line) for line in _export(JsonLinesArticleExporter, [ARTICLE]).splitlines()]
    assert list(row) == ARTICLE_FIELDS
    assert row["images"] is None and row["title"] == "Tiêu đề"


def test_json_array_records_carry_every_field():
    [row] = json.loads(_export(JsonArticleExporter, [ARTICLE]))
    assert list(row) == ARTICLE_FIELDS
