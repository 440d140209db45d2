"""`python -m crawler.store`: the schema a new file has (crawler.store.migrations.current_schema),
as SQL, one statement a paragraph."""

from crawler.store.migrations import current_schema
from crawler.store.schema import SCHEMA_VERSION

print(f"-- the article store, schema version {SCHEMA_VERSION} (docs/schema.md)\n")
for statement in current_schema():
    print(statement.strip() + ";\n")
