"""trafilatura, imported on first use, with cheaper regex tests and page measure.

Its XPaths' `re:test` calls on attributes are decided once per distinct value
(`xpath_regex.RegexDecidedXPath`): the same elements, a tenth less time per generic page. Its
parser makes every element an `HtmlElement` in C, where lxml.html asks a Python method for each
element it wraps (a thousand a page), only to give forms and inputs their own classes, whose
form methods trafilatura never calls: the same trees, 3 % less time.

A balanced extraction shorter than 3,000 characters makes trafilatura measure the whole page
(`html2txt`) to decide whether to retry in recall mode. Its cleaning XPath ends with a
cookie-banner clause, `re:test(@class, …) or re:test(@id, …)`: a Python regex call per
element and attribute, 1.7 of the measure's 2.4 ms on an 80 KB portal page, a tenth of a
generic page's extraction. `page_text` gives the same string: it tests the page's distinct
class and id values once, and where none is a banner's (nearly every page) cleans with the
XPath's other clauses alone, which run in libxml2. Where one is, trafilatura's own function runs.

The measure replaces trafilatura's only for that gate (the name `trafilatura.core` calls), and
only when trafilatura's cleaning XPath is the one spelled out here: another version keeps its
own (`tests/test_trafilatura_loader.py` compares the two on every saved page).
"""

from __future__ import annotations

import importlib
import logging
import re
from copy import copy
from types import ModuleType
from typing import Any

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from .xpath_regex import decide_regex_tests

logger = logging.getLogger(__name__)

_PLAIN_CLAUSES = (
    ".//aside|.//div[contains(@class|@id, 'footer')]|.//fencedframe|.//footer|.//script"
    "|.//style|.//svg|.//template"
)
_ATTRIBUTE_VALUES = etree.XPath("//@class|//@id", smart_strings=False)
_PLAIN_CLEAN = etree.XPath(_PLAIN_CLAUSES)

# lxml.html's classes without its per-element Python lookup
HTML_CLASSES = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)

_loaded: ModuleType | None = None


def load_trafilatura() -> ModuleType:
    """trafilatura, its recall gate's page measure replaced where that is exact."""
    global _loaded
    if _loaded is None:
        import trafilatura  # a tenth of a second: only processes that meet a generic page pay it

        _install(trafilatura)
        _loaded = trafilatura
    return _loaded


def _install(trafilatura: ModuleType) -> None:
    xpaths = importlib.import_module("trafilatura.xpaths")
    # the lists are changed in place: the modules that imported them hold the same objects
    decided = sum(decide_regex_tests(v) for v in vars(xpaths).values() if isinstance(v, list))
    logger.debug("trafilatura %s: %d XPaths decided per value", trafilatura.__version__, decided)
    parser = getattr(importlib.import_module("trafilatura.utils"), "HTML_PARSER", None)
    if isinstance(parser, lxml.html.HTMLParser):
        parser.set_element_class_lookup(HTML_CLASSES)
    _install_page_text(trafilatura)


def _install_page_text(trafilatura: ModuleType) -> None:
    # by module path: the package's own `baseline` attribute is the function of that name
    baseline, core, settings, xml = (
        importlib.import_module(f"trafilatura.{name}")
        for name in ("baseline", "core", "settings", "xml")
    )
    banner = getattr(settings, "_COOKIE_CONSENT_RE", None)
    spaced_text = getattr(baseline, "_spaced_text", None)
    delete = getattr(xml, "delete_element", None)
    expected = (
        f"{_PLAIN_CLAUSES}|.//*[re:test(@class, '{banner}', 'i') or re:test(@id, '{banner}', 'i')]"
    )
    clean = getattr(settings, "BASIC_CLEAN_XPATH", None)
    if (
        not isinstance(banner, str)
        or spaced_text is None
        or delete is None
        or getattr(core, "html2txt", None) is not baseline.html2txt
        or getattr(clean, "path", None) != expected
    ):
        logger.info("trafilatura %s: its own page measure kept", trafilatura.__version__)
        return
    core.html2txt = _page_text_with(
        baseline.html2txt, re.compile(banner, re.IGNORECASE), spaced_text, delete
    )


def _page_text_with(original: Any, banner: re.Pattern[str], spaced_text: Any, delete: Any) -> Any:
    def page_text(content: Any, clean: bool = True) -> str:
        """trafilatura's `html2txt`, the banner clause tested once per distinct value."""
        if not clean or not isinstance(content, HtmlElement):
            return original(content, clean)
        # the whole document's values: a banner outside the body only costs the slow path
        if any(banner.search(value) for value in set(_ATTRIBUTE_VALUES(content))):
            return original(content, clean)
        tree = copy(content)
        body = tree.find(".//body")
        if body is None:
            body = tree
        for elem in _PLAIN_CLEAN(body):
            delete(elem)
        return spaced_text(body)

    return page_text
