"""trafilatura as loaded: its recall gate measures pages with our `page_text` (the same string
as its own `html2txt` on every page we hold, and on pages whose markup takes the slow path), and
its bodies are those of trafilatura as installed."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from lxml import html

from crawler.extraction.trafilatura_loader import HTML_CLASSES, load_trafilatura
from tests.conftest import python_code
from tests.saved_pages import saved_html, saved_pages

trafilatura = load_trafilatura()
baseline = importlib.import_module("trafilatura.baseline")
core = importlib.import_module("trafilatura.core")
utils = importlib.import_module("trafilatura.utils")
xpaths = importlib.import_module("trafilatura.xpaths")
load_html = utils.load_html

BANNER = (
    "<html><head><title>t</title></head><body><div class='{cls}' id='{id}'>Chúng tôi dùng cookie"
    " <a href='/p'>Chấp nhận</a></div><aside>Tin khác</aside><p>Đoàn công tác<span>tỉnh</span>"
    "</p><footer>Bản quyền</footer>đuôi<script>var x = 1;</script>hết</body></html>"
)


def test_the_installed_trafilatura_gets_the_cheaper_measure():
    # a failure here means trafilatura changed its cleaning: re-check `page_text` against it
    assert core.html2txt is not baseline.html2txt


@pytest.mark.parametrize("path", saved_pages(), ids=lambda p: p.name)
def test_the_measure_is_trafilatura_s_own_on_every_saved_page(path: Path):
    tree = load_html(saved_html(path))
    if tree is None:
        return
    assert core.html2txt(tree) == baseline.html2txt(tree)
    body = tree.find(".//body")
    if body is not None:  # an element with no <body> inside: measured whole
        assert core.html2txt(body) == baseline.html2txt(body)


@pytest.mark.parametrize(
    ("cls", "id_"),
    [("cookie-banner", "x"), ("x", "CookieConsent-bar"), ("onetrust", ""), ("", ""), ("a b", "c")],
)
def test_the_measure_is_trafilatura_s_own_with_and_without_a_banner(cls: str, id_: str):
    tree = load_html(BANNER.format(cls=cls, id=id_))
    measured = core.html2txt(tree)
    assert measured == baseline.html2txt(tree)
    assert "Tin khác" not in measured and "var x" not in measured
    assert ("cookie" in measured) == (cls in ("x", "", "a b") and id_ in ("x", "", "c"))


def test_strings_and_unclean_measures_are_trafilatura_s_own():
    html = BANNER.format(cls="a", id="b")
    assert core.html2txt(html) == baseline.html2txt(html)
    assert core.html2txt(load_html(html), clean=False) == baseline.html2txt(load_html(html), False)


def test_a_trafilatura_with_another_cleaning_keeps_its_own_measure():
    code = (
        "import importlib\n"
        "from lxml.etree import XPath\n"
        "settings = importlib.import_module('trafilatura.settings')\n"
        "settings.BASIC_CLEAN_XPATH = XPath('.//script')\n"
        "from crawler.extraction.trafilatura_loader import load_trafilatura\n"
        "load_trafilatura()\n"
        "core = importlib.import_module('trafilatura.core')\n"
        "baseline = importlib.import_module('trafilatura.baseline')\n"
        "assert core.html2txt is baseline.html2txt\n"
    )
    python_code(code)


def test_trafilatura_parses_into_plain_html_elements():
    tree = load_html("<html><body><form><input name='q'><label>Tìm</label></form></body></html>")
    assert {type(el) for el in tree.iter()} == {html.HtmlElement}


def use_trafilatura_as_installed(ours: bool, lists: list[list[object]], chosen: list[list[object]]):
    lookup = HTML_CLASSES if ours else html.HtmlElementClassLookup()
    utils.HTML_PARSER.set_element_class_lookup(lookup)
    for target, expressions in zip(lists, chosen, strict=True):
        target[:] = expressions


def test_trafilatura_as_loaded_extracts_the_same_bodies_as_installed():
    """Decided XPaths (crawler.extraction.xpath_regex) and plain HtmlElement classes against
    trafilatura's own XPaths and lxml.html's class lookup, on a quarter of the saved pages."""
    lists = [v for v in vars(xpaths).values() if isinstance(v, list)]
    ours = [list(v) for v in lists]
    theirs = [[getattr(x, "original", x) for x in v] for v in lists]
    assert ours != theirs

    def bodies() -> list[str | None]:
        out = []
        for path in saved_pages()[::4]:
            doc = trafilatura.bare_extraction(
                saved_html(path), with_metadata=False, include_comments=False, fast=True
            )
            out.append(None if doc is None else doc.text)
        return out

    try:
        use_trafilatura_as_installed(False, lists, theirs)
        installed = bodies()
    finally:
        use_trafilatura_as_installed(True, lists, ours)
    assert bodies() == installed
