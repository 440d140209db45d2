"""A page's bytes to Unicode text: the one place where that happens (crawl, extract, reextract,
benchmarks), so that a fix here repairs every stored page on `scrapy reextract`.

Portals declare their charset wrongly often enough to matter: `iso-8859-1` in the header of a
UTF-8 page (the web server's default), a template's `<meta charset>` copied onto pages saved in
another encoding, nothing at all on a 2004 page typed in TCVN3. Declarations are evidence, the
bytes decide:

1. a byte order mark names the encoding (a UTF-16/32 label without one is believed when the
   bytes decode under it);
2. a page typed in TCVN3 (ABC fonts) is read as cp1252 and converted to Unicode
   (crawler.text.legacy_encoding);
3. non-ASCII bytes that are valid UTF-8 are UTF-8, whatever was declared: Vietnamese in a
   single-byte encoding is never valid UTF-8 (a lead byte before an ASCII letter), while a
   UTF-8 page read as Latin-1 is mojibake ("Viá»‡t Nam");
4. otherwise the first declaration (header, then meta) under which the bytes decode cleanly;
5. otherwise UTF-8 with a few stray bytes replaced when the page is UTF-8 but for them,
   windows-1258 when that reading gives Vietnamese letters, else the declaration (or cp1252)
   with undecodable bytes replaced.

The text is NFC (windows-1258 writes tone marks as combining characters) and has no BOM.
`Decoded.how` says which rule decided and is counted by the crawl (`fetch/charset/...`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from crawler.text.legacy_encoding import known_nfc, looks_tcvn3_bytes, tcvn3_html_to_unicode

TCVN3 = "tcvn3"  # Decoded.encoding of a TCVN3 page (no Python codec: cp1252, then converted)
# A page that is UTF-8 but for a few bytes (a truncated character pasted from elsewhere).
# Western text in a single-byte encoding has no well-formed UTF-8 sequence at all.
MAX_BAD_UTF8_SHARE = 0.1  # undecodable bytes / well-formed non-ASCII characters
MIN_VIETNAMESE = 8  # Vietnamese letters that make a windows-1258 reading the right one
_VIETNAMESE = re.compile("[\u0102\u0103\u0110\u0111\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")
_UTF8_NAMES = ("utf-8", "utf-8-sig")
# An item field (html, its UTF-8) the extraction worker sets for its steps when the page's bytes
# are exactly the UTF-8 of `html` (decode_page says so): the store's page compression uses them
# instead of encoding the page again, only while `html` is still that very string. The worker
# drops the field before the item leaves it.
HTML_UTF8 = "_html_utf8"


@dataclass(frozen=True, slots=True)
class Decoded:
    html: str
    encoding: str  # the Python codec used, or TCVN3
    declared: str | None  # what the page said (header first, then meta), resolved
    how: str  # bom, tcvn3, ascii, utf-8, declared, utf-8-repaired, detected, fallback

    @property
    def mislabelled(self) -> bool:
        """The page declared an encoding and the bytes are in another one (TCVN3 pages, which
        cannot declare theirs, are counted apart)."""
        if self.declared is None or self.encoding in ("ascii", TCVN3):
            return False
        return self.encoding != self.declared and not (
            self.encoding in _UTF8_NAMES and self.declared in _UTF8_NAMES
        )


def declared_encoding(body: bytes, content_type: str | None) -> str | None:
    """The charset the header declares, else the page's meta tag (resolved as browsers do)."""
    return http_content_type_encoding(content_type) or html_body_declared_encoding(body)


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _choose(body: bytes, content_type: str | None) -> tuple[str, str, str | None, str]:
    """(text, codec, declared, how): the text before TCVN3 conversion and NFC."""
    declared = declared_encoding(body, content_type)
    bom, _ = read_bom(body)
    if bom:
        return body.decode(bom, errors="replace").lstrip("\ufeff"), bom, declared, "bom"
    if declared and declared.startswith(("utf-16", "utf-32")):  # no BOM: only the label says
        text = _strict(body, declared)
        if text is not None:
            return text, declared, declared, "declared"
    text = _strict(body, "utf-8")  # valid UTF-8 is never TCVN3 (see looks_tcvn3_bytes)
    if text is None and looks_tcvn3_bytes(body):  # converted by decode_html
        return body.decode("cp1252", errors="replace"), TCVN3, declared, "tcvn3"
    if text is not None:
        codec = "ascii" if body.isascii() else "utf-8"
        return text, codec, declared, codec
    candidates = [http_content_type_encoding(content_type), html_body_declared_encoding(body)]
    for codec in dict.fromkeys(c for c in candidates if c and c not in _UTF8_NAMES):
        text = _strict(body, codec)
        if text is not None:
            return text, codec, declared, "declared"
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    # each well-formed non-ASCII character is 2-4 bytes: at least this many of them
    well_formed = (len(body) - len(text)) // 3
    if bad <= MAX_BAD_UTF8_SHARE * well_formed:
        return text, "utf-8", declared, "utf-8-repaired"
    text = body.decode("cp1258", errors="replace")
    if len(_VIETNAMESE.findall(unicodedata.normalize("NFC", text))) >= MIN_VIETNAMESE:
        return text, "cp1258", declared, "detected"
    codec = next((c for c in candidates if c and c not in _UTF8_NAMES), "cp1252")
    return body.decode(codec, errors="replace"), codec, declared, "fallback"


def decode_html(body: bytes, content_type: str | bytes | None = None) -> Decoded:
    """The page's text (NFC) and how it was read; `content_type` is the response header."""
    return decode_page(body, content_type)[0]


def decode_page(body: bytes, content_type: str | bytes | None = None) -> tuple[Decoded, bool]:
    """decode_html, and whether the text's UTF-8 is `body` itself (most pages: their bytes need
    not be kept, and are the UTF-8 to compress), told without encoding the text again."""
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    text, codec, declared, how = _choose(body, content_type)
    read = text
    if codec == TCVN3:
        text = tcvn3_html_to_unicode(text)
    # normalize gives the text itself back when it is NFC (its own quick check): cheaper than
    # is_normalized, then normalize
    text = known_nfc(unicodedata.normalize("NFC", text))
    if how in ("utf-8", "ascii"):  # a strict decoding: its text encodes back to `body`
        exact = text is read or text == read
    else:  # rare pages (a BOM, another codec, repaired bytes): compared
        exact = text.encode("utf-8") == body
    if exact:
        _UTF8_OF[0] = (text, body)
    return Decoded(text, codec, declared, how), exact


# The last page decode_page read whose bytes are exactly its text's UTF-8 (most pages).
_UTF8_OF: list[tuple[str, bytes]] = [("", b"")]


def utf8_of(text: str) -> bytes | None:
    """The bytes `text` was just decoded from, when they are exactly its UTF-8 (the very same
    string object, the last page decode_page read), else None: the parser takes them as they
    came instead of the text encoded again."""
    known, body = _UTF8_OF[0]
    return body if text is known else None


# Headers kept with a page (`pages.headers`): all but cookies, bounded in number and size.
MAX_HEADERS = 64
MAX_HEADER_VALUE = 2_000
SKIPPED_HEADERS = frozenset({"set-cookie", "set-cookie2"})


def detect_encoding(body: bytes, content_type: str | bytes | None = None) -> Decoded:
    """decode_html's choice without its conversions (TCVN3, NFC): what the crawl's middleware
    needs to read a response right. `html` is the text before those conversions."""
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    return Decoded(*_choose(body, content_type))


def response_headers(response: Any) -> dict[str, str]:
    """A response's headers as {name: value} (repeated headers joined by ", "), the input
    decode_html needs again, and what a later reader may want to know about the fetch."""
    kept: dict[str, str] = {}
    for name, values in response.headers.items():
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        if key.lower() in SKIPPED_HEADERS:
            continue
        value = ", ".join(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in values)
        kept[key] = value[:MAX_HEADER_VALUE]
        if len(kept) == MAX_HEADERS:
            break
    return kept


def content_type_of(headers: dict[str, str] | None) -> str | None:
    """The Content-Type in a `response_headers` dict (names compared without case)."""
    for name, value in (headers or {}).items():
        if name.lower() == "content-type":
            return value
    return None


__all__ = [
    "HTML_UTF8",
    "TCVN3",
    "Decoded",
    "content_type_of",
    "decode_html",
    "decode_page",
    "declared_encoding",
    "detect_encoding",
    "response_headers",
]
