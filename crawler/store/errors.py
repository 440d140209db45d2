"""What the store says when the database cannot be used, in an operator's words."""

from __future__ import annotations

import sqlite3

# sqlite3 messages and what they mean for an operator.
PROBLEMS = (
    ("readonly", "the database file or its directory is read-only"),
    ("disk is full", "the disk is full"),
    ("not a database", "the file is not a SQLite database (corrupt, or another kind of file)"),
    ("malformed", "the database file is corrupt"),
    ("unable to open", "the file cannot be opened or created (missing directory or permission)"),
    ("locked", "another process kept the database locked beyond the busy timeout"),
    ("disk i/o error", "the disk reported an I/O error"),
)


class StoreError(RuntimeError):
    """The database cannot be used; the message names the file and the problem."""


class InvalidItem(sqlite3.IntegrityError):
    """An item lacks a required field; like any integrity error, its batch is rolled back."""


def explain(exc: BaseException) -> str:
    """The sqlite3 error in an operator's words, with SQLite's own message after it."""
    message = str(exc)
    lowered = message.lower()
    for key, meaning in PROBLEMS:
        if key in lowered:
            return f"{meaning} ({message})"
    return message
