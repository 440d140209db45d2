"""Pages in the legacy TCVN3 (ABC) font encoding: detected and converted to Unicode NFC.

Before Unicode, Vietnamese web pages were typed with the ABC fonts (.VnTime, .VnArial, ...):
the bytes are TCVN 5712:1993 "VN3", an 8-bit encoding that reuses the Latin-1 upper half, and
the page declares iso-8859-1 or windows-1252 (or nothing) because only the font makes it
Vietnamese. Decoded as Latin-1 such a page reads "Céng hoµ x· héi chñ nghÜa ViÖt Nam".

VN3 has the lowercase letters with every tone mark precomposed and seven capitals (Ă Â Ê Ô Ơ Ư
Đ). Capitals with a tone were typed with the capital fonts (.VnTimeH, .VnArialH, ...), which
draw the lowercase codes as capitals: text set in an "H" font is converted, then upper-cased.

`fix_legacy_html(html)` is what extraction calls on every page: the TCVN3 conversion when the
page is TCVN3, Unicode NFC always (windows-1258 pages decode to combining tone marks).
`looks_tcvn3(text)` is the detector; `tcvn3_to_unicode(text)` the plain-text converter.

The detector works on the page as decoded with a Western single-byte charset (Latin-1 or
cp1252: the two agree on every code VN3 uses). Pages as bytes go through
`crawler.text.decoding.decode_html`, which detects TCVN3 on the bytes (`looks_tcvn3_bytes`) whatever
the page declares, reads them as cp1252 and converts them here.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata

# TCVN3 (ABC, TCVN 5712:1993 VN3) code -> Unicode, per base letter: tones in the order
# (none or base), grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot below (nặng).
_ROWS = (
    ("a", (None, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9), "aàảãáạ"),
    ("ă", (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6), "ăằẳẵắặ"),
    ("â", (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB), "âầẩẫấậ"),
    ("e", (None, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1), "eèẻẽéẹ"),
    ("ê", (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6), "êềểễếệ"),
    ("i", (None, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE), "iìỉĩíị"),
    ("o", (None, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4), "oòỏõóọ"),
    ("ô", (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9), "ôồổỗốộ"),
    ("ơ", (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE), "ơờởỡớợ"),
    ("u", (None, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4), "uùủũúụ"),
    ("ư", (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9), "ưừửữứự"),
    ("y", (None, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE), "yỳỷỹýỵ"),
)
_SINGLES = {
    0xAE: "đ",
    0xA1: "Ă",
    0xA2: "Â",
    0xA3: "Ê",
    0xA4: "Ô",
    0xA5: "Ơ",
    0xA6: "Ư",
    0xA7: "Đ",
}


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for _, codes, letters in _ROWS:
        for code, letter in zip(codes, letters, strict=True):
            if code is not None:
                table[code] = letter
    table.update(_SINGLES)
    return table


# Latin-1 code point (the byte) -> Unicode letter: 74 codes (60 toned vowels, ă â ê ô ơ ư đ,
# Ă Â Ê Ô Ơ Ư Đ), every one precomposed NFC. Bytes VN3 leaves unassigned keep their meaning.
TCVN3_TO_UNICODE: dict[int, str] = _build_table()
_TRANSLATE = str.maketrans(TCVN3_TO_UNICODE)
TCVN3_CHARS = frozenset(chr(code) for code in TCVN3_TO_UNICODE)

# TCVN3 codes that are no letter in Western text (¡-®, µ-¹, »-¾, ×, ÷): frequent in Vietnamese
# typed in TCVN3 (à is µ, á is ¸, ư is a soft hyphen, đ is ®), absent from Unicode Vietnamese.
_SYMBOL_CODES = (*range(0xA1, 0xAF), *range(0xB5, 0xBA), *range(0xBB, 0xBF), 0xD7, 0xF7)
TCVN3_SYMBOLS = frozenset(chr(code) for code in _SYMBOL_CODES)
_SYMBOL = re.compile("[" + "".join(map(re.escape, sorted(TCVN3_SYMBOLS))) + "]")
_CODE = re.compile("[" + "".join(map(re.escape, sorted(TCVN3_CHARS))) + "]")

# Letters only Vietnamese Unicode text has (Ă ă Đ đ Ĩ ĩ Ũ ũ Ơ ơ Ư ư and U+1EA0-U+1EF9), plus
# the five combining tone marks windows-1258 text decodes to.
_VIETNAMESE = re.compile(
    "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9\u0300\u0301\u0303\u0309\u0323]"
)
_VN_FONT = re.compile(r"""(?:face\s*=\s*["']?|font-family\s*:\s*["']?)\s*\.?Vn[A-Za-z]""", re.I)
# Linear on any page: attributes are bounded, and an element that is never closed runs to
# the end of the page in one match (a lazy ".*?</tag>" retried from every unclosed opening tag
# was quadratic).
_H_FONT_ELEMENT = re.compile(
    r"""<(?P<tag>font|span|p|div|td|th|b|strong|h[1-6])\b(?P<attrs>[^>]{0,2000}?(?:face\s{0,9}=|font-family\s{0,9}:)\s{0,9}["']?\s{0,9}\.?Vn[A-Za-z]{0,40}H\b[^>]{0,2000})>(?P<inner>(?:(?!</(?P=tag)\s{0,9}>).)*)(?:</(?P=tag)\s{0,9}>|\Z)""",
    re.I | re.S,
)
# The first closing tag or the end: every match from an opening tag succeeds, so the lazy scan
# is linear (and a third of the cost of a lookahead at every character).
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?(?:</\1\s{0,9}>|\Z)", re.I | re.S)
_TAG = re.compile(r"<[^<>]*>")  # not [^>]*: a run of "<" without ">" was quadratic
_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_TEXT_OR_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|[^&]+|&")
_WORD = re.compile(r"\S+")

# Thresholds of the detector. "Symbols" count only TCVN3 symbol codes inside a word (next to
# a letter): "hoµ", "ng­êi"; French « guillemets » or a "© 2004" stand alone.
MIN_SYMBOLS = 8  # in-word TCVN3 symbols seen
MIN_SYMBOL_SHARE = 0.03  # in-word symbols / letters (Vietnamese typed in TCVN3: 10-15 %)
MIN_SHARE_WITH_FONT = 0.05  # TCVN3 codes / letters when a .Vn* font is declared (about 25 %)
MAX_UNICODE_SHARE = 0.1  # Vietnamese Unicode letters / TCVN3 codes: above, it is Unicode


def _visible_text(html: str) -> str:
    text = _TAG.sub(" ", _SCRIPT_STYLE.sub(" ", html))
    return html_lib.unescape(text)


def tcvn3_evidence(html: str) -> dict[str, int | bool]:
    """The detector's counts on a page (or plain text): letters, TCVN3 codes, in-word TCVN3
    symbols, Vietnamese Unicode letters, and whether an ABC (.Vn*) font is declared."""
    return _evidence(html, _visible_text(html) if "<" in html else html)


def _evidence(html: str, text: str) -> dict[str, int | bool]:
    letters = codes = symbols = 0
    previous_is_letter = False
    for i, c in enumerate(text):
        is_code = c in TCVN3_CHARS
        is_letter = is_code or c.isalpha()
        if is_letter:
            letters += 1
        if is_code:
            codes += 1
            if c in TCVN3_SYMBOLS:
                following = text[i + 1 : i + 2]
                if previous_is_letter or (
                    following and (following.isalpha() or following in TCVN3_CHARS)
                ):
                    symbols += 1
        previous_is_letter = is_letter
    unicode_vn = len(_VIETNAMESE.findall(text))
    return {
        "letters": letters,
        "tcvn3": codes,
        "symbols": symbols,
        "unicode": unicode_vn,
        "font": bool(_VN_FONT.search(html)),
    }


_SYMBOL_CHARS = "".join(sorted(TCVN3_SYMBOLS))


def _fewer_symbols(text: str, limit: int) -> bool:
    """len(_SYMBOL.findall(text)) < limit, by str.find (memchr) per symbol, stopping at
    `limit`: 8x faster than the regex on an 80 KB page, which tests every character."""
    found = 0
    for symbol in _SYMBOL_CHARS:
        at = text.find(symbol)
        while at != -1:
            found += 1
            if found >= limit:
                return False
            at = text.find(symbol, at + 1)
    return True


def looks_tcvn3(html: str) -> bool:
    """True when a page (decoded as Latin-1/cp1252) or a text is Vietnamese in TCVN3.

    Vietnamese typed in TCVN3 shows many codes that are symbols in Latin-1 (à is µ, á is ¸,
    ư is a soft hyphen, đ is ®) and no Vietnamese Unicode letter; a Western page has almost
    no such symbols, a Unicode Vietnamese page has Unicode letters. An ABC font face (.VnTime)
    is supporting evidence that lowers the bar, never proof on its own: many converted pages
    kept their old font names.
    """
    if _fewer_symbols(html, 3):  # the fast answer for nearly every page
        return False
    text = _visible_text(html) if "<" in html else html
    # Cheap counts first: every branch below needs MIN_SYMBOLS codes (symbols are codes), and
    # Unicode Vietnamese (most pages that get here) is ruled out without the per-letter loop.
    codes = len(_CODE.findall(text))
    if codes < MIN_SYMBOLS or len(_VIETNAMESE.findall(text)) > codes * MAX_UNICODE_SHARE:
        return False
    ev = _evidence(html, text)
    letters, codes, symbols = int(ev["letters"]), int(ev["tcvn3"]), int(ev["symbols"])
    if not letters or not codes:
        return False
    if ev["unicode"] > codes * MAX_UNICODE_SHARE:
        return False
    if ev["font"] and codes >= MIN_SYMBOLS and codes / letters >= MIN_SHARE_WITH_FONT:
        return symbols >= 3
    return symbols >= MIN_SYMBOLS and symbols / letters >= MIN_SYMBOL_SHARE


def tcvn3_to_unicode(text: str) -> str:
    """Convert TCVN3 text (as decoded with Latin-1 or cp1252) to Unicode NFC."""
    return unicodedata.normalize("NFC", text.translate(_TRANSLATE))


def _entity_to_tcvn3(match: re.Match[str]) -> str:
    """`&middot;` or `&#183;` stands for a TCVN3 byte in old editors' output: keep the byte."""
    char = html_lib.unescape(match.group(0))
    return char if char in TCVN3_CHARS else match.group(0)


def _upper_text(html_fragment: str) -> str:
    """Upper-case the text of an HTML fragment, leaving tags and entities alone."""

    def upper(match: re.Match[str]) -> str:
        piece = match.group(0)
        return piece if piece.startswith("&") and len(piece) > 1 else piece.upper()

    parts = re.split(r"(<[^<>]*>)", html_fragment)
    return "".join(
        part if part.startswith("<") else _TEXT_OR_ENTITY.sub(upper, part) for part in parts
    )


def _capital_fonts(html: str) -> str:
    def repl(match: re.Match[str]) -> str:
        tag, attrs, inner = match.group("tag"), match.group("attrs"), match.group("inner")
        return f"<{tag}{attrs}>{_upper_text(inner)}</{tag}>"

    return _H_FONT_ELEMENT.sub(repl, html)


def tcvn3_html_to_unicode(html: str) -> str:
    """Convert a whole TCVN3 page: entities standing for TCVN3 codes, text in capital (H)
    fonts upper-cased, every TCVN3 code to its Unicode letter, NFC."""
    html = _ENTITY.sub(_entity_to_tcvn3, html)
    html = html.translate(_TRANSLATE)
    html = _capital_fonts(html)
    return unicodedata.normalize("NFC", html)


# The last text known to be NFC (crawler.text.decoding's result): extraction gets it next, and
# its NFC check, 0.1 ms on an 80 KB page, is then not made twice. A string never changes, so
# `is` this very object is proof; a strong reference, so that its id is never another's.
_KNOWN_NFC: list[str] = [""]


def known_nfc(text: str) -> str:
    """`text`, recorded as NFC for fix_legacy_html (the caller has normalised it)."""
    _KNOWN_NFC[0] = text
    return text


def fix_legacy_html(html: str) -> str:
    """A page's HTML as Unicode NFC: converted from TCVN3 when it is TCVN3."""
    if looks_tcvn3(html):
        return tcvn3_html_to_unicode(html)
    if html is _KNOWN_NFC[0]:
        return html
    # `html` itself when it is NFC (normalize's quick check is cheaper than is_normalized's)
    return unicodedata.normalize("NFC", html)


# UTF-8 Vietnamese: the lead bytes of U+1EA0-U+1EF9 (E1 BA, E1 BB) or of ư/ơ/đ (C6, C4).
_UTF8_VIETNAMESE = re.compile(rb"\xe1[\xba\xbb][\x80-\xbf]|\xc6[\xa0\xa1\xaf\xb0]|\xc4[\x90\x91]")


def looks_tcvn3_bytes(body: bytes) -> bool:
    """`looks_tcvn3` on a raw body, whatever charset it was served with.

    Valid UTF-8 is never TCVN3 (Vietnamese in TCVN3 puts a UTF-8 lead byte before an ASCII
    letter: "ViÖt" is 56 69 D6 74), and checking it first keeps UTF-8 pages of other scripts
    (Lao, Thai: their continuation bytes are TCVN3 codes) from looking like TCVN3. Nor is a
    body holding UTF-8 Vietnamese letters among broken bytes. The decoding is tried first: it
    is the answer for nearly every page, and a scan for those letters costs ten times more
    where there are none (a page in another language)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        if _UTF8_VIETNAMESE.search(body):
            return False
        return looks_tcvn3(body.decode("latin-1"))
    return False
