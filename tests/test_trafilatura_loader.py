"""trafilatura as loaded: its recall gate's page measure cleans with its XPath decided per value
(the same string as with its own on every page we hold, and on pages with a cookie banner), and
its bodies are those of trafilatura as installed."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from lxml import html

from crawler.extraction.trafilatura_loader import HTML_CLASSES, load_trafilatura
from crawler.extraction.xpath_regex import RegexDecidedXPath
from tests.conftest import python_code
from tests.saved_pages import saved_html, saved_pages

trafilatura = load_trafilatura()
baseline = importlib.import_module("trafilatura.baseline")
core = importlib.import_module("trafilatura.core")
settings = importlib.import_module("trafilatura.settings")
utils = importlib.import_module("trafilatura.utils")
xpaths = importlib.import_module("trafilatura.xpaths")
load_html = utils.load_html

BANNER = (
    "<html><head><title>t</title></head><body><div class='{cls}' id='{id}'>Chúng tôi dùng cookie"
    " <a href='/p'>Chấp nhận</a></div><aside>Tin khác</aside><p>Đoàn công tác<span>tỉnh</span>"
    "</p><footer>Bản quyền</footer>đuôi<script>var x = 1;</script>hết</body></html>"
)


def test_the_installed_trafilatura_cleans_with_its_xpath_decided_per_value():
    # a failure here means trafilatura changed its cleaning: re-check RegexDecidedXPath on it
    assert isinstance(baseline.BASIC_CLEAN_XPATH, RegexDecidedXPath)
    assert baseline.BASIC_CLEAN_XPATH.original is settings.BASIC_CLEAN_XPATH


def as_installed(measure, *args):
    """`measure(*args)` with trafilatura's own cleaning XPath."""
    decided = baseline.BASIC_CLEAN_XPATH
    baseline.BASIC_CLEAN_XPATH = decided.original
    try:
        return measure(*args)
    finally:
        baseline.BASIC_CLEAN_XPATH = decided


@pytest.mark.parametrize("path", saved_pages(), ids=lambda p: p.name)
def test_the_measure_is_trafilatura_s_own_on_every_saved_page(path: Path):
    tree = load_html(saved_html(path))
    if tree is None:
        return
    assert core.html2txt(tree) == as_installed(core.html2txt, tree)
    body = tree.find(".//body")
    if body is not None:  # an element with no <body> inside: measured whole
        assert core.html2txt(body) == as_installed(core.html2txt, body)
        assert baseline.BASIC_CLEAN_XPATH(body) == settings.BASIC_CLEAN_XPATH(body)


@pytest.mark.parametrize(
    ("cls", "id_"),
    [("cookie-banner", "x"), ("x", "CookieConsent-bar"), ("onetrust", ""), ("", ""), ("a b", "c")],
)
def test_the_measure_is_trafilatura_s_own_with_and_without_a_banner(cls: str, id_: str):
    tree = load_html(BANNER.format(cls=cls, id=id_))
    measured = core.html2txt(tree)
    assert measured == as_installed(core.html2txt, tree)
    assert "Tin khác" not in measured and "var x" not in measured
    assert ("cookie" in measured) == (cls in ("x", "", "a b") and id_ in ("x", "", "c"))


def test_strings_and_unclean_measures_are_trafilatura_s_own():
    html = BANNER.format(cls="a", id="b")
    assert core.html2txt(html) == as_installed(core.html2txt, html)
    assert core.html2txt(load_html(html), clean=False) == as_installed(
        core.html2txt, load_html(html), False
    )


def test_a_cleaning_xpath_without_regex_tests_is_left_as_it_is():
    code = (
        "import importlib\n"
        "from lxml.etree import XPath\n"
        "baseline = importlib.import_module('trafilatura.baseline')\n"
        "plain = baseline.BASIC_CLEAN_XPATH = XPath('.//script')\n"
        "from crawler.extraction.trafilatura_loader import load_trafilatura\n"
        "load_trafilatura()\n"
        "assert baseline.BASIC_CLEAN_XPATH is plain\n"
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
