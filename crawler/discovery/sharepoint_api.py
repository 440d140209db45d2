"""SharePoint DSTinTuc API answers (`{"data": [records], ...}`), read as a stream.

An API page that ignores `length` (a million records, 12 MB: within DOWNLOAD_MAXSIZE) cost
3.3 GB as a million dicts; streamed (ijson), only the records kept are built and memory stays
flat. Record fields are checked one by one: a wrong type costs that field, not the page.
"""

from __future__ import annotations

from typing import Any

import ijson


class BadApiAnswer(ValueError):
    """The API answered something that is not its JSON (an error page, a cut body)."""


def api_records(body: bytes, limit: int) -> tuple[list[Any], int]:
    """The first `limit` records of a SharePoint API answer's "data" array, and how many more
    it held. Streamed (ijson): an answer of a million records costs the records kept, not a
    million dicts. Raises BadApiAnswer for anything but a JSON object with a "data" list."""
    kept: list[Any] = []
    extra = 0
    seen_data = False
    events = ijson.parse(body, use_float=True)
    try:
        for prefix, event, value in events:
            if prefix == "data":
                if event == "start_array":
                    seen_data = True
                elif event != "end_array":
                    raise BadApiAnswer("'data' is not a list")
                continue
            if prefix != "data.item":
                continue
            keep = len(kept) < limit
            if event in ("start_map", "start_array"):
                builder = ijson.ObjectBuilder() if keep else None
                end = "end_map" if event == "start_map" else "end_array"
                if builder is not None:
                    builder.event(event, value)
                for inner_prefix, inner_event, inner_value in events:
                    if builder is not None:
                        builder.event(inner_event, inner_value)
                    if inner_prefix == "data.item" and inner_event == end:
                        break
                record = builder.value if builder is not None else None
            else:
                record = value
            if keep:
                kept.append(record)
            else:
                extra += 1
    except ijson.JSONError as exc:
        raise BadApiAnswer(f"not JSON: {exc}") from None
    if not seen_data:
        raise BadApiAnswer("no 'data' list")
    return kept, extra


def api_text(record: dict[str, Any], key: str) -> str | None:
    """A text field of an API record: a string, else None (a number, object or list there is
    not the text the field should hold)."""
    value = record.get(key)
    return value if isinstance(value, str) else None
