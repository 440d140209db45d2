"""Text normalisation shared by the pipelines and the content hash."""

from __future__ import annotations

import hashlib
import unicodedata

INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def normalise_inline(text: str | None) -> str | None:
    """NFC, no invisible characters, whitespace collapsed to single spaces; None if empty."""
    if text is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", text).translate(INVISIBLE).split())
    return text or None


def normalise_body(text: str | None) -> str | None:
    """Like normalise_inline per paragraph; paragraphs stay separated by one blank line."""
    if text is None:
        return None
    paras = (normalise_inline(p) for p in text.replace("\r", "\n").split("\n"))
    body = "\n\n".join(p for p in paras if p)
    return body or None


def content_hash(text: str) -> str:
    """SHA-256 hex of the body as the store compares it (see docs/schema.md)."""
    key = " ".join(unicodedata.normalize("NFC", text).translate(INVISIBLE).split())
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
