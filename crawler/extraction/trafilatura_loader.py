"""trafilatura, imported on first use, with cheaper regex tests.

Its XPaths' `re:test` calls on attributes are decided once per distinct value
(`xpath_regex.RegexDecidedXPath`): the same elements, a tenth less time per generic page. That
holds for its expression lists and for the cleaning XPath its page measure uses (`html2txt`,
which decides whether a short extraction is retried in recall mode: its cookie-banner clause,
a Python regex call per element and attribute, was 1.7 of the measure's 2.4 ms on an 80 KB
portal page). Its parser makes every element an `HtmlElement` in C, where lxml.html asks a
Python method for each element it wraps (a thousand a page), only to give forms and inputs
their own classes, whose form methods trafilatura never calls: the same trees, 3 % less time.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType

import lxml.html
from lxml import etree

from .xpath_regex import RegexDecidedXPath, decide_regex_tests

logger = logging.getLogger(__name__)

# lxml.html's classes without its per-element Python lookup
HTML_CLASSES = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)

_loaded: ModuleType | None = None


def load_trafilatura() -> ModuleType:
    """trafilatura, its regex tests decided per value (see the module's docstring)."""
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
    # the page measure's cleaning XPath, where `baseline` reads it (imported there by name)
    baseline = importlib.import_module("trafilatura.baseline")
    clean = RegexDecidedXPath.of(getattr(baseline, "BASIC_CLEAN_XPATH", None))
    if clean is not None:
        baseline.BASIC_CLEAN_XPATH = clean
        decided += 1
    logger.debug("trafilatura %s: %d XPaths decided per value", trafilatura.__version__, decided)
    parser = getattr(importlib.import_module("trafilatura.utils"), "HTML_PARSER", None)
    if isinstance(parser, lxml.html.HTMLParser):
        parser.set_element_class_lookup(HTML_CLASSES)
