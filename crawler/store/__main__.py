"""`python -m crawler.store`: the schema a new file has (crawler.store.schema.current_schema),
as SQL, one statement a paragraph."""

from crawler.store.schema import SCHEMA_VERSION, current_schema

print(f"-- the article store, schema version {SCHEMA_VERSION} (docs/schema.md)\n")
for statement in current_schema():
    print(statement.strip() + ";\n")
