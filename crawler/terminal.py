"""Text from the store or a page, made safe to write to an operator's terminal.

Stored text is cleaned of control characters (crawler.text.normalise), but a store written by an
older crawler, or a field the cleaning does not reach, may still hold an escape sequence that
recolours, retitles or clears the terminal. Commands print through `printable`.
"""

from __future__ import annotations

SQLITE_MAX_INT = 2**63 - 1  # the largest integer SQLite binds (LIMIT, ids)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(value: object) -> str:
    """`str(value)` with every unprintable character (controls, tabs, line and bidi marks)
    written as a Python escape (\\x1b, \\u202e); printable text is returned as it is."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)
