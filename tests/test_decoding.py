"""crawler.text.decoding on real pages (the labelled corpus, ../shared/realpages) and on the same
pages with their charset declared wrongly: the text must not depend on the declaration."""

from __future__ import annotations

import gzip
import json
import unicodedata
from pathlib import Path

import pytest

from bench.score_extraction import REALPAGES
from crawler.extraction.item import page_item_from_bytes
from crawler.text.decoding import TCVN3, decode_html, decode_page
from tests.conftest import FETCH_TIME
from tests.faults import pages

CORPUS = Path(__file__).parent / "corpus"
REAL = REALPAGES  # ../shared/realpages beside the checkout, when it is there
FILES = sorted(CORPUS.glob("*/*.html"))[::4] + sorted((REAL / "pages").glob("*"))
LIES = (
    "text/html; charset=iso-8859-1",  # the web server's default
    "text/html; charset=windows-1252",
    "text/html; charset=windows-1258",
    "text/html; charset=shift_jis",
)


def read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_utf8_page_reads_the_same_whatever_it_declares(path: Path) -> None:
    body = read(path)
    truth = decode_html(body, "text/html; charset=utf-8")
    assert truth.encoding in ("utf-8", "ascii") and "\ufffd" not in truth.html
    for header in LIES:
        assert decode_html(body, header).html == truth.html, header
    lying_meta = body.replace(b'charset="utf-8"', b'charset="iso-8859-1"', 1)
    assert decode_html(lying_meta).html == truth.html.replace(
        'charset="utf-8"', 'charset="iso-8859-1"', 1
    )


@pytest.mark.parametrize("path", sorted(CORPUS.glob("baoquocte/*.html")), ids=lambda p: p.name)
def test_a_windows_1258_page_under_a_utf8_declaration_is_read_as_windows_1258(path: Path) -> None:
    html = decode_html(read(path)).html
    legacy = pages.to_cp1258(html)
    url = json.loads(path.with_suffix(".json").read_text("utf-8"))["url"]
    utf8 = "text/html; charset=utf-8"
    truth = page_item_from_bytes(html.encode(), utf8, url, None, None, FETCH_TIME)
    for header in ("text/html; charset=utf-8", "text/html", None):
        decoded = decode_html(legacy, header)
        assert decoded.encoding == "cp1258"
        item = page_item_from_bytes(legacy, header, url, None, None, FETCH_TIME)
        assert (item["title"], item["text"]) == (truth["title"], truth["text"])
        assert item["page_body_needed"]  # the bytes are not the text's UTF-8: keep them


def test_a_tcvn3_page_is_converted_whatever_it_declares() -> None:
    legacy = pages.TCVN3_ARTICLES["declared"]
    body = pages.tcvn3_page(legacy, charset=None)
    for header in ("text/html; charset=iso-8859-1", "text/html; charset=utf-8", None):
        decoded = decode_html(body, header)
        assert decoded.encoding == TCVN3
        assert legacy.paragraphs[0] in decoded.html


def test_a_utf8_page_with_a_stray_byte_stays_utf8() -> None:
    body = read(FILES[0])
    cut = body.index("đ".encode()) + 1  # half of a two-byte character, then the rest
    decoded = decode_html(body[:cut] + body[cut + 1 :], "text/html; charset=utf-8")
    assert decoded.how == "utf-8-repaired" and decoded.html.count("\ufffd") == 1


def test_the_text_is_nfc_without_bom() -> None:
    body = "\ufeff<p>Hòa bình</p>".encode()
    decomposed = "<p>Hoa\u0300 bi\u0300nh</p>".encode()
    assert decode_html(body).html == "<p>Hòa bình</p>"
    assert decode_html(decomposed).html == "<p>Hoà bình</p>"  # the site's spelling, NFC


def _variants(body: bytes) -> list[tuple[bytes, str | None]]:
    """The page as served, and as it may come: another charset, a BOM, decomposed tone marks,
    a stray byte, ASCII only."""
    html = body.decode("utf-8")
    return [
        (body, "text/html; charset=utf-8"),
        (body, "text/html; charset=iso-8859-1"),
        (pages.to_cp1258(html), None),
        (b"\xef\xbb\xbf" + body, None),
        (html.encode("utf-16"), "text/html; charset=utf-16"),
        (unicodedata.normalize("NFD", html).encode(), "text/html; charset=utf-8"),
        (body[:2000] + b"\xff" + body[2000:], None),
        (html.encode("ascii", "ignore"), None),
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_decode_page_tells_when_the_bytes_are_the_texts_utf8(path: Path) -> None:
    """decode_page's answer, told without encoding the text, is the comparison itself."""
    for body, header in _variants(read(path)):
        decoded, exact = decode_page(body, header)
        assert decoded == decode_html(body, header)
        assert exact == (decoded.html.encode("utf-8") == body), (decoded.how, header)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_parser_reads_a_pages_own_bytes_only_as_the_text_it_was_decoded_to(
    path: Path,
) -> None:
    """Where the fetched bytes are the decoded text's UTF-8, the parser takes them as they
    came (utf8_of): they are then the very bytes the text would encode to, stripped and
    without NUL, as it would strip them; pages around which a strip differs (NBSP, control
    characters) or holding a NUL are encoded from the text, as any other."""
    from crawler.extraction.page import _utf8
    from crawler.text.decoding import utf8_of

    body = read(path)
    own = 0
    for variant in [
        *(b for b, _ in _variants(body)),
        b"\n \r\n" + body + b"\n\t",
        "\u00a0".encode() + body,
        body + b"\x1f",
        body.replace(b"<", b"\x00<", 1),
    ]:
        decoded, exact = decode_page(variant, None)
        html = decoded.html
        assert (utf8_of(html) is not None) == exact
        own += utf8_of(html) is not None
        assert _utf8(html) == html.strip().replace("\x00", "").encode("utf-8")
        assert utf8_of(html.replace("<", "< ", 1)) is None  # another text: encoded
    assert own >= 1  # the ASCII one at least
