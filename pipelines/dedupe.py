"""Exact and near duplicates.

Exact: `content_hash`, the SHA-256 of the body's comparison key (crawler.textnorm), stamped on
every item here and looked up by the store, across crawls and sites.

Near: a MinHash signature over shingles of Vietnamese syllables, and LSH buckets (bands of the
signature hashed to one integer) that the store keeps in an indexed table. An insert looks up
its own buckets only, so finding the candidates costs a few index probes whatever the size of
the store; each candidate is then confirmed by the estimated Jaccard similarity of the two
signatures. Near copies (one release with an added paragraph, a trimmed ending, a changed
sentence) are linked in `near_duplicates`, never merged.
"""

from __future__ import annotations

import hashlib
import struct
import sys
from array import array
from typing import Any

from crawler.textnorm import content_hash, syllables

SHINGLE = 4  # syllables per shingle: about two Vietnamese words
PERMUTATIONS = 128  # signature length
BANDS = 32  # LSH bands of PERMUTATIONS // BANDS rows: candidates from J ≈ 0.4 on
ROWS = PERMUTATIONS // BANDS
THRESHOLD = 0.5  # estimated Jaccard similarity from which two articles are near duplicates
SIGNATURE_VERSION = 1  # bump when SHINGLE, PERMUTATIONS or the hashing change


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """Overlapping runs of `size` syllables (the whole text when it is shorter)."""
    words = syllables(text)
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def _hash_values(shingle: str) -> array:
    """PERMUTATIONS independent 32-bit hash values of one shingle (SHAKE-128 as the family)."""
    values = array("I", hashlib.shake_128(shingle.encode("utf-8")).digest(4 * PERMUTATIONS))
    if sys.byteorder == "big":
        values.byteswap()
    return values


def sketch(text: str) -> tuple[tuple[int, ...], int] | None:
    """(MinHash signature, number of shingles) of the text; None when it has no syllable."""
    rows = [_hash_values(s) for s in shingles(text)]
    if not rows:
        return None
    return tuple(min(column) for column in zip(*rows, strict=True)), len(rows)


def signature(text: str) -> tuple[int, ...] | None:
    """The MinHash signature of the text's shingles; None when it has no syllable."""
    found = sketch(text)
    return found[0] if found else None


def pack(sig: tuple[int, ...]) -> bytes:
    return struct.pack(f"<{len(sig)}I", *sig)


def unpack(blob: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(blob) // 4}I", blob)


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def buckets(sig: tuple[int, ...]) -> list[int]:
    """One signed 64-bit integer per band: equal for two signatures that agree on the band."""
    out = []
    for band in range(BANDS):
        values = sig[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(struct.pack(f"<H{ROWS}I", band, *values), digest_size=8).digest()
        out.append(int.from_bytes(digest, "little", signed=True))
    return out


class ContentHashPipeline:
    """Stamp `content_hash`; the store looks it up to merge a republication into one article."""

    def process_item(self, item: Any) -> Any:
        item["content_hash"] = content_hash(item["text"])
        return item
