"""Rewrite the column descriptions of crawler/browse/metadata.yml from docs/schema.md.

    python -m tests.browse_metadata

docs/schema.md is the contract; Datasette shows the same words. Run this after editing a
column's row there (tests/test_browse.py fails until the two agree). Comments and every other
key of the file are kept: only the `columns:` blocks of documented tables are rewritten.
"""

from __future__ import annotations

import json
import re

import yaml

from tests.test_browse import METADATA, schema_doc


def sync() -> list[str]:
    doc = schema_doc()
    text = METADATA.read_text(encoding="utf-8")
    out: list[str] = []
    table, skipping = None, False
    for line in text.splitlines(True):
        if heading := re.match(r"      (\w+):\n$", line):
            table = heading.group(1)
        if skipping and line.startswith("          "):
            continue
        skipping = False
        out.append(line)
        if line == "        columns:\n" and table in doc:
            for column, meaning in doc[table].items():
                if meaning:
                    out.append(f"          {column}: {json.dumps(meaning, ensure_ascii=False)}\n")
            skipping = True
    new = "".join(out)
    yaml.safe_load(new)  # still valid
    METADATA.write_text(new, encoding="utf-8")
    return [t for t in doc if t not in yaml.safe_load(new)["databases"]["news"]["tables"]]


if __name__ == "__main__":
    missing = sync()
    if missing:
        print("documented but not configured (add a table entry by hand):", ", ".join(missing))
