"""Exact and near duplicates.

Exact: `content_hash`, the SHA-256 of the body's comparison key (crawler.text.normalise), stamped on
every item by pipelines.dedupe and looked up by the store, across crawls and sites.

Near: a MinHash signature over shingles of Vietnamese syllables, and LSH buckets (bands of the
signature hashed to one integer) that the store keeps in an indexed table. An insert looks up
its own buckets only, so finding the candidates costs a few index probes whatever the size of
the store; each candidate is then confirmed by the estimated Jaccard similarity of the two
signatures. Near copies (one release with an added paragraph, a trimmed ending, a changed
sentence) are linked in `near_duplicates`, never merged.

Both fingerprints are pure-Python text work (tone placement, shingling: several ms a body), so
pipelines.dedupe computes them together in the crawl's worker pool, off the reactor, and hands the
sketch to the store with the item (`near_sketch`).
"""

from __future__ import annotations

import functools
import hashlib
import struct
import zlib
from typing import Any

from crawler.text.normalise import comparison_key, key_hash, key_syllables, syllables

Sketch = tuple[tuple[int, ...], int]

SHINGLE = 4  # syllables per shingle: about two Vietnamese words
PERMUTATIONS = 128  # signature length
BANDS = 32  # LSH bands of PERMUTATIONS // BANDS rows: candidates from J ≈ 0.4 on
ROWS = PERMUTATIONS // BANDS
THRESHOLD = 0.5  # estimated Jaccard similarity from which two articles are near duplicates
SIGNATURE_VERSION = 2  # bump when SHINGLE, PERMUTATIONS or the hashing change
NOT_GIVEN = object()  # no sketch computed yet (None is the sketch of a text without syllables)


def shingles(text: str, size: int = SHINGLE, words: list[str] | None = None) -> set[str]:
    """Overlapping runs of `size` syllables (the whole text when it is shorter); `words`, when
    given, are the text's syllables already split."""
    if words is None:
        words = syllables(text)
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def sketch(text: str, words: list[str] | None = None) -> Sketch | None:
    """(MinHash signature, number of distinct shingles) of the text; None when it has no
    syllable.

    Each syllable is hashed once (CRC-32) and each run of SHINGLE syllables combined into one
    32-bit shingle key, in numpy; PERMUTATIONS multiply-add-shift hash functions (random 64-bit
    multipliers and increments, fixed seed: ((a·x + b) mod 2⁶⁴) >> 32, strongly universal for
    32-bit keys) map each distinct key to 32-bit values; the signature is their minimum, column
    by column. (Version 1 joined every shingle into a string and drew 128 values for each from
    SHAKE-128: 6 times the cost for the same estimate.)
    """
    if words is None:
        words = syllables(text)
    if not words:
        return None
    import numpy  # imported lazily: slow to import, and the crawl's reactor never sketches

    multipliers, increments, combine = _hash_family()
    hashes = numpy.array(list(map(zlib.crc32, map(str.encode, words))), dtype=numpy.uint64)
    span = min(SHINGLE, len(words))
    count = len(words) - span + 1
    keys = hashes[:count].copy()
    for offset in range(1, span):  # modulo 2**64: numpy wraps unsigned arithmetic
        keys *= combine
        keys += hashes[offset : offset + count]
    keys = numpy.unique((keys ^ (keys >> numpy.uint64(32))) & numpy.uint64(0xFFFFFFFF))
    values = numpy.multiply.outer(keys, multipliers)
    values += increments
    # v >> 32 never decreases as v grows: the minimum shifted is the shifted minimum
    return tuple((values.min(axis=0) >> numpy.uint64(32)).tolist()), len(keys)


@functools.cache
def _hash_family() -> tuple[Any, Any, Any]:
    """The multipliers and increments of the PERMUTATIONS hash functions (fixed seed) and the
    shingle-combining prime (FNV-1, 64 bits)."""
    import numpy  # imported lazily: see sketch

    seeded = numpy.random.default_rng(20261204)
    multipliers = seeded.integers(0, 2**64, PERMUTATIONS, dtype=numpy.uint64) | numpy.uint64(1)
    increments = seeded.integers(0, 2**64, PERMUTATIONS, dtype=numpy.uint64)
    return multipliers, increments, numpy.uint64(0x100000001B3)


def as_sketch(value: Any) -> Sketch | None:
    """A sketch carried by an item, back in shape (JSON, through Redis, makes lists of it)."""
    if value is None:
        return None
    signature, count = value
    return tuple(signature), int(count)


def fingerprint(text: str) -> dict[str, Any]:
    """The item fields this module stamps: `content_hash` and `near_sketch` (sketch(text))."""
    key = comparison_key(text)
    return {"content_hash": key_hash(key), "near_sketch": sketch(text, key_syllables(key))}


def stamp_fingerprint(item: dict[str, Any]) -> None:
    """fingerprint(item's text) into the item: a pipeline step run in the extraction worker."""
    if item.get("text"):
        item.update(fingerprint(item["text"]))


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
