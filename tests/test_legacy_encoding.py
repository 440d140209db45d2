"""TCVN3 (ABC fonts) detection and conversion: crawler/text/legacy_encoding.py.

Known strings are phrases of Vietnamese government documents typed in TCVN3 and read as
Latin-1, the way they appear on old pages ("Céng hoµ x· héi chñ nghÜa ViÖt Nam").
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.discovery.safety import SafetyMiddleware
from crawler.extraction.article import extract_article
from crawler.registry import default_registry
from crawler.text.legacy_encoding import (
    _SYMBOL,
    TCVN3_SYMBOLS,
    TCVN3_TO_UNICODE,
    _fewer_symbols,
    fix_legacy_html,
    looks_tcvn3,
    looks_tcvn3_bytes,
    tcvn3_html_to_unicode,
    tcvn3_to_unicode,
)
from tests.faults.pages import TCVN3_ARTICLES, tcvn3_page, to_cp1258, to_tcvn3
from tests.mirror import ARTICLES

KNOWN = [
    ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
    ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
    ("quyÕt ®Þnh cña Bé tr\xadëng Bé Tµi chÝnh", "quyết định của Bộ trưởng Bộ Tài chính"),
    ("C¨n cø NghÞ ®Þnh sè 15/CP", "Căn cứ Nghị định số 15/CP"),
    ("ng\xadêi cã c«ng víi c¸ch m¹ng", "người có công với cách mạng"),
    ("Hµ Néi, ngµy 22 th¸ng 11 n¨m 2002", "Hà Nội, ngày 22 tháng 11 năm 2002"),
    ("§µ N½ng, Thõa Thiªn HuÕ, B×nh §Þnh", "Đà Nẵng, Thừa Thiên Huế, Bình Định"),
    ("Thñ t\xadíng ChÝnh phñ", "Thủ tướng Chính phủ"),
    ("B¶o Th¾ng, M\xadêng Kh\xad¬ng, B¸t X¸t", "Bảo Thắng, Mường Khương, Bát Xát"),
    ("¡n, ¢m, £m, ¤ng, ¥n, ¦u, §i", "Ăn, Âm, Êm, Ông, Ơn, Ưu, Đi"),
    ("ph¸t triÓn kinh tÕ - x· héi", "phát triển kinh tế - xã hội"),
    ("khuyÕn khÝch ®Çu t\xad n\xadíc ngoµi", "khuyến khích đầu tư nước ngoài"),
    ("lòy tre, sù ®ång lßng, ph\xad¬ng ¸n, nghØ hÌ", "lũy tre, sự đồng lòng, phương án, nghỉ hè"),
    ("tiÕng ViÖt, ng÷ ph¸p, gi¶i th\xadëng, kû niÖm", "tiếng Việt, ngữ pháp, giải thưởng, kỷ niệm"),
]


@pytest.mark.parametrize(("tcvn3", "unicode"), KNOWN)
def test_known_strings(tcvn3: str, unicode: str):
    assert tcvn3_to_unicode(tcvn3) == unicode
    # the same bytes as Scrapy decodes a page declared windows-1252 (or iso-8859-1)
    assert tcvn3_to_unicode(tcvn3.encode("latin-1").decode("cp1252")) == unicode


def test_table_is_the_whole_abc_standard():
    """Every lowercase Vietnamese letter with a diacritic or a tone, đ, and the seven
    capitals Ă Â Ê Ô Ơ Ư Đ: 74 codes, one precomposed NFC letter each, no two alike."""
    tones = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
    letters = {unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in tones}
    expected = (letters - set("aeiouy")) | {"đ"} | set("ĂÂÊÔƠƯĐ")
    values = list(TCVN3_TO_UNICODE.values())
    assert len(values) == len(set(values)) == 74
    assert set(values) == expected
    assert all(len(v) == 1 and unicodedata.is_normalized("NFC", v) for v in values)
    assert all(0xA1 <= code <= 0xFE for code in TCVN3_TO_UNICODE)


def test_round_trip_of_real_article_text():
    for article in ARTICLES["baoquocte"][:5]:
        text = "\n\n".join(article.paragraphs).lower().replace("“", '"').replace("”", '"')
        text = "".join(ch for ch in text if ord(ch) < 128 or ch.isalpha())
        typed = to_tcvn3(text).decode("latin-1")
        assert tcvn3_to_unicode(typed) == unicodedata.normalize("NFC", text)
        assert looks_tcvn3(typed)


def test_capital_fonts_are_upper_cased():
    html = (
        '<h1><font face=".VnTimeH">viÖt nam &amp; lµo&nbsp;h÷u nghÞ</font></h1>'
        '<p><span style="font-family: .VnArialH">th«ng b¸o</span> <font face=".VnTime">'
        "th«ng b¸o</font></p>"
    )
    out = tcvn3_html_to_unicode(html)
    assert '<font face=".VnTimeH">VIỆT NAM &amp; LÀO&nbsp;HỮU NGHỊ</font>' in out
    assert '<span style="font-family: .VnArialH">THÔNG BÁO</span>' in out
    assert '<font face=".VnTime">thông báo</font>' in out


def test_entities_standing_for_tcvn3_codes():
    """Old editors wrote some TCVN3 codes as Latin-1 entities (&middot; is ã)."""
    assert tcvn3_html_to_unicode("<p>x&middot; h&#233;i &amp; &lt;b&gt;</p>") == (
        "<p>xã hội &amp; &lt;b&gt;</p>"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Cộng hoà xã hội chủ nghĩa Việt Nam. Độc lập - Tự do - Hạnh phúc. " * 5,
        "« Le ministre a déclaré à la presse que l'été sera chaud », a-t-il dit. " * 5,
        "Die Schüler lernen in der Schule, daß Äpfel grün sind. Größe: 5 × 3 · 2. " * 5,
        "The Vietnam Times © 2024 · All rights reserved · Hanoi - Ho Chi Minh City. " * 5,
        "Céng hoµ x· héi",  # too short to tell
    ],
)
def test_detector_negatives(text: str):
    assert not looks_tcvn3(text)
    assert not looks_tcvn3(f"<html><body><p>{text}</p></body></html>")


def test_detector_on_pages():
    page = tcvn3_page(TCVN3_ARTICLES["declared"], "iso-8859-1")
    assert looks_tcvn3(page.decode("latin-1"))
    assert looks_tcvn3_bytes(page)
    # a converted page that kept its .VnTime font names is Unicode: left alone
    unicode_page = tcvn3_html_to_unicode(page.decode("cp1252"))
    assert not looks_tcvn3(unicode_page)
    assert not looks_tcvn3_bytes(unicode_page.encode("utf-8"))
    # windows-1258 Vietnamese decodes to base letters and combining tone marks: not TCVN3
    cp1258 = to_cp1258("<p>" + " ".join(ARTICLES["baoquocte"][0].paragraphs) + "</p>")
    assert not looks_tcvn3(cp1258.decode("cp1258"))
    assert not looks_tcvn3_bytes(cp1258)


def test_utf8_of_other_scripts_is_not_tcvn3():
    """Lao and Thai in UTF-8 read as Latin-1 are full of TCVN3 codes; valid UTF-8 rules."""
    lao = ("<p>" + "ສາທາລະນະລັດ ປະຊາທິປະໄຕ ປະຊາຊົນລາວ " * 40 + "</p>").encode()
    assert not looks_tcvn3_bytes(lao)


def test_fix_legacy_html_always_gives_nfc():
    decomposed = unicodedata.normalize("NFD", "<p>Việt Nam thủy điện người</p>")
    assert fix_legacy_html(decomposed) == "<p>Việt Nam thủy điện người</p>"
    page = "<p>Việt Nam</p>"
    assert fix_legacy_html(page) is page


def test_extraction_converts_a_tcvn3_page():
    legacy = TCVN3_ARTICLES["declared"]
    html = tcvn3_page(legacy, "windows-1252").decode("cp1252")
    fields = extract_article(html, legacy.url, default_registry()["baoquocte"].profile, {})
    assert fields["title"] == legacy.title
    assert fields["lead"] == legacy.lead
    assert fields["text"] == legacy.text


def test_middleware_decodes_an_undeclared_tcvn3_page_as_cp1252():
    """Without a declared charset Scrapy asks charset-normalizer, which does not answer
    cp1252 for TCVN3; the middleware pins cp1252 so that extraction can convert."""
    legacy = TCVN3_ARTICLES["undeclared"]
    body = tcvn3_page(legacy, None)
    request = Request(legacy.url)
    response = HtmlResponse(legacy.url, body=body, headers={"Content-Type": "text/html"})
    guessed = response.encoding
    crawler = get_crawler()
    crawler.stats.open_spider()
    fixed = SafetyMiddleware(crawler).process_response(request, response)
    assert fixed.encoding == "cp1252"
    assert guessed != "cp1252" or fixed is response
    assert fix_legacy_html(fixed.text).count(legacy.paragraphs[0]) == 1
    assert crawler.stats.get_value("fetch/legacy_encoding/tcvn3") == 1


def test_the_symbol_pre_check_counts_as_the_regex_does():
    """_fewer_symbols (str.find per symbol) against the regex it replaces, on real pages as
    decoded and as read with Latin-1 (a TCVN3 page), and at the edges of its limit."""
    texts = []
    for article in ARTICLES["baoquocte"][:5]:
        text = "\n\n".join(article.paragraphs)
        typed = "".join(ch for ch in text.lower() if ord(ch) < 128 or ch.isalpha())
        texts += [text, to_tcvn3(typed).decode("latin-1")]
    for path in sorted((Path(__file__).parent / "corpus").glob("*/*.html"))[::3]:
        body = path.read_bytes()
        texts += [body.decode("utf-8", "replace"), body.decode("latin-1")]
    texts += [tcvn3_page(a, charset=None).decode("latin-1") for a in TCVN3_ARTICLES.values()]
    symbols = "".join(sorted(TCVN3_SYMBOLS))
    texts += ["", "©", "© ©", "© « »", "a\xb5b\xb6", "😀 µµµ", "ạ" * 50 + "¸¸", symbols]
    for text in texts:
        for limit in (1, 2, 3, 8):
            assert _fewer_symbols(text, limit) == (len(_SYMBOL.findall(text)) < limit)


def test_a_page_decoded_to_nfc_is_not_checked_twice_and_others_still_are():
    """decode_html records its (NFC) text; fix_legacy_html gives that very text back, and still
    normalises any other string, equal in content or not, and converts TCVN3."""
    from crawler.text.decoding import decode_html
    from crawler.text.legacy_encoding import known_nfc

    decoded = decode_html("<p>Hoa\u0300 bi\u0300nh – Việt Nam</p>".encode()).html
    assert fix_legacy_html(decoded) is decoded == "<p>Hoà bình – Việt Nam</p>"
    decomposed = unicodedata.normalize("NFD", decoded)
    assert fix_legacy_html(decomposed) == decoded
    known_nfc(decoded)
    assert fix_legacy_html(decomposed) == decoded  # another object: checked
    legacy = tcvn3_page(TCVN3_ARTICLES["declared"], charset=None).decode("latin-1")
    assert fix_legacy_html(known_nfc(legacy)) == tcvn3_html_to_unicode(legacy)
