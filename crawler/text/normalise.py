"""Text normalisation shared by the pipelines, the content hash, dedupe and search.

Two levels:

- what the store keeps (`normalise_inline`, `normalise_body`): NFC, no invisible characters,
  whitespace collapsed; the site's own spelling is otherwise untouched;
- what the store compares (`comparison_key`, `content_hash`, `syllables`): the same plus one
  placement of the Vietnamese tone mark ("hòa" and "hoà", "thủy" and "thuỷ" are one spelling),
  so the same story hashes the same on every site, whichever convention or Unicode form
  (precomposed or decomposed) the site uses.

`fold` removes every diacritic and writes đ/Đ as d/D: what a query typed without diacritics
looks like.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from typing import Any

# Removed by a regex: str.translate with a deletion table was 16 times slower on a body.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Terminal escape sequences (CSI "ESC [ ... m", OSC "ESC ] ... BEL", two-character ESC codes,
# the C1 CSI), removed whole so that no "[31m" is left behind; then every other C0 and C1
# control that is not whitespace. Whitespace controls (tab, newline, VT, FF, CR, FS-US, NEL)
# are collapsed like any whitespace. Bounded repetitions: linear on any text.
ESCAPES = re.compile(
    "(?:\x1b\\[|\x9b)[\x30-\x3f]{0,32}[\x20-\x2f]{0,8}[\x40-\x7e]?"
    "|\x1b\\][^\x07\x1b\x9c]{0,512}(?:\x07|\x1b\\\\|\x9c)?"
    "|\x1b[\x20-\x2f]{0,4}[\x30-\x7e]?"
    "|[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]"
)

# The five Vietnamese tone marks as combining characters (NFD): grave (huyền), acute (sắc),
# tilde (ngã), hook above (hỏi), dot below (nặng). Vowel-quality marks (circumflex, breve, horn)
# are part of the letter and never move.
TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
VOWELS = frozenset("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
QUALITY_VOWELS = frozenset("ăâêôơưĂÂÊÔƠƯ")
# Open syllables whose tone sits on the second vowel in the modern convention (hoà, hoè, thuỷ)
# and on the first in the older one (hòa, hòe, thủy).
SECOND_VOWEL_PAIRS = frozenset({"oa", "oe", "uy"})
WORD = re.compile(r"[^\W\d_][\w\u0300-\u036f]*")
SYLLABLE = re.compile(r"\w+")
FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def strip_controls(text: str) -> str:
    """`text` without terminal escape sequences and non-whitespace C0/C1 control characters."""
    return ESCAPES.sub("", text) if not text.isprintable() else text


def normalise_inline(text: str | None) -> str | None:
    """NFC, no control or invisible characters, whitespace collapsed to single spaces; None if
    empty."""
    if text is None:
        return None
    text = " ".join(INVISIBLE.sub("", strip_controls(unicodedata.normalize("NFC", text))).split())
    return text or None


def normalise_body(text: str | None) -> str | None:
    """Like normalise_inline per paragraph; paragraphs stay separated by one blank line."""
    if text is None:
        return None
    paras = (normalise_inline(p) for p in text.replace("\r", "\n").split("\n"))
    body = "\n\n".join(p for p in paras if p)
    return body or None


def _tone_position(letters: str) -> int | None:
    """Index in `letters` (an NFC syllable without tone) of the vowel that takes the tone."""
    lower = letters.lower()
    # "qu" and "gi" before another vowel are onsets: quá, giữa
    onset = lower.startswith("qu") or (lower.startswith("gi") and lower[2:3] in VOWELS)
    start = 2 if onset else 0
    positions = [i for i in range(start, len(letters)) if letters[i] in VOWELS]
    if not positions:  # "gì", "quỳ"-like onsets with no other vowel
        positions = [i for i in range(len(letters)) if letters[i] in VOWELS][-1:]
    if not positions:
        return None
    marked = [i for i in positions if letters[i] in QUALITY_VOWELS]
    if marked:  # người, thuyền, hữu: the vowel with a quality mark (the last, for ươ)
        return marked[-1]
    if positions[-1] < len(letters) - 1:  # a final consonant: the last vowel (hoàn, toán)
        return positions[-1]
    if len(positions) == 3:  # ngoài, xoáy, khuya
        return positions[1]
    if len(positions) == 2 and lower[positions[0]] + lower[positions[1]] in SECOND_VOWEL_PAIRS:
        return positions[1]
    return positions[0]


@functools.lru_cache(maxsize=1 << 16)
def _placed(word: str) -> str:
    """`word` (NFD) with its tone on the main vowel. Cached: a language has a few thousand
    syllables, and a body repeats them."""
    tones = [c for c in word if c in TONES]
    if len(tones) != 1:  # no tone, or not a Vietnamese syllable: leave it as it is
        return word
    letters = unicodedata.normalize("NFC", "".join(c for c in word if c not in TONES))
    position = _tone_position(letters)
    if position is None:
        return word
    return letters[: position + 1] + tones[0] + letters[position + 1 :]


def _place_tone(match: re.Match[str]) -> str:
    return _placed(match.group())


def normalise_tones(text: str) -> str:
    """Put every syllable's tone mark on its main vowel: "hòa, thủy, hóa" → "hoà, thuỷ, hoá".

    The result depends only on the letters and the tone of each syllable, never on where the
    input put the mark, so both conventions and any stray placement give the same string.
    """
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", WORD.sub(_place_tone, decomposed))


class Memo(dict):
    """fn(text) by text, computed on the first look-up; emptied when it holds `size` values.

    A dict look-up and nothing else: in an extraction worker, whose CPU caches the page's
    extraction has just swept, functools.lru_cache's bookkeeping (its linked list, touched on
    every hit) cost a third more than the look-up itself.
    """

    def __init__(self, fn: Any, size: int = 1 << 16):
        super().__init__()
        self.fn = fn
        self.size = size

    def __missing__(self, text: str) -> str:
        if len(self) >= self.size:
            self.clear()
        value = self[text] = self.fn(text)
        return value


_token_key = Memo(normalise_tones).__getitem__


def comparison_key(text: str) -> str:
    """The body as the store compares it: NFC, invisible characters gone, whitespace collapsed
    (paragraph breaks included), one tone-mark placement.

    Tones are placed token by token (a token is what lies between two spaces; neither
    normalisation nor a syllable crosses a space), through a cache: a body repeats its words.
    """
    tokens = INVISIBLE.sub("", unicodedata.normalize("NFC", text)).split()
    return " ".join(map(_token_key, tokens))


def content_hash(text: str) -> str:
    """SHA-256 hex of `comparison_key(text)` (see docs/schema.md)."""
    return key_hash(comparison_key(text))


def key_hash(key: str) -> str:
    """content_hash of a text whose comparison key is already known."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def syllables(text: str) -> list[str]:
    """Lower-case syllables of the comparison key: the units of near-duplicate shingles."""
    return key_syllables(comparison_key(text))


def key_syllables(key: str) -> list[str]:
    """syllables of a text whose comparison key is already known."""
    return SYLLABLE.findall(key.lower())


FOLD_TABLE_END = 0x3000  # Latin, Vietnamese, Greek, Cyrillic…: folded by one table lookup


def _fold_exact(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(FOLD_EXTRA))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)


@functools.cache
def _fold_table() -> dict[int, str]:
    """Each character below FOLD_TABLE_END that folding changes, folded alone. Folding a text
    character by character gives the same result as folding it whole (NFD decomposes each
    character alone, its reordering only moves combining marks, which all go; a final NFC
    composes what remains either way): 5x faster than `_fold_exact` on an article."""
    table = {}
    for code in range(FOLD_TABLE_END):
        folded = _fold_exact(chr(code)) if code >= 0x80 else chr(code)
        if folded != chr(code):
            table[code] = folded
    return table


def fold(text: str) -> str:
    """No diacritics at all, đ/Đ as d/D: "Đối ngoại" → "Doi ngoai"."""
    if text.isascii():
        return text
    if max(text) >= chr(FOLD_TABLE_END):
        return _fold_exact(text)
    # `stripped` itself when it is NFC (normalize's quick check is cheaper than is_normalized's)
    return unicodedata.normalize("NFC", text.translate(_fold_table()))


def tone_placements(word: str) -> list[str]:
    """`word` (NFC), then its spelling in the other tone-mark convention if it has one:
    "thủy" → ["thủy", "thuỷ"], "hoà" → ["hoà", "hòa"], "Việt" → ["Việt"]. Only open syllables
    ending in oa, oe, uy are spelled both ways (see SECOND_VOWEL_PAIRS)."""
    word = unicodedata.normalize("NFC", word)
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in TONES]
    if len(tones) != 1:
        return [word]
    letters = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
    pair = letters[-2:].lower()
    if pair not in SECOND_VOWEL_PAIRS or letters[:-2].lower().endswith("q"):
        return [word]
    spellings = [
        unicodedata.normalize("NFC", letters[: i + 1] + tones[0] + letters[i + 1 :])
        for i in (len(letters) - 2, len(letters) - 1)
    ]
    return [word] + [s for s in spellings if s != word]


ITEM_INLINE_FIELDS = ("title", "lead", "author", "section")


def normalise_item_text(item: Any) -> None:
    """NFC and whitespace for every text field of an item, in place (the store holds NFC
    only); a pipeline step run in the extraction worker."""
    for name in ITEM_INLINE_FIELDS:
        if name in item:
            item[name] = normalise_inline(item[name])
    if "text" in item:
        item["text"] = normalise_body(item["text"])
    if item.get("images"):
        item["images"] = [
            {"src": img.get("src"), "caption": normalise_inline(img.get("caption"))}
            for img in item["images"]
        ]
