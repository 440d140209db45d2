"""A decided XPath selects the elements its original selects: on every saved page, for every
trafilatura expression it replaces, and on markup built to hit each rule of the rewrite."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from lxml import etree, html

from crawler.extraction.trafilatura_loader import load_trafilatura
from crawler.extraction.xpath_regex import REGEXP_NS, RegexDecidedXPath, decide_regex_tests
from tests.saved_pages import saved_html, saved_pages

load_trafilatura()
xpaths = importlib.import_module("trafilatura.xpaths")
load_html = importlib.import_module("trafilatura.utils").load_html
NS = {"re": REGEXP_NS}

DECIDED = [
    (f"{name}[{i}]", expression)
    for name, value in vars(xpaths).items()
    if isinstance(value, list)
    for i, expression in enumerate(value)
    if isinstance(expression, RegexDecidedXPath)
]


def labels(elements: list[etree._Element]) -> list[str]:
    return [element.get("title", element.tag) for element in elements]


def test_the_loaded_trafilatura_decides_its_pruning_and_body_expressions():
    decided = {label.split("[")[0] for label, _ in DECIDED}
    assert {"OVERALL_DISCARD_XPATH", "RAW_TREE_PRUNE_XPATH", "BODY_XPATH"} <= decided
    assert "REMOVE_COMMENTS_AND_LISTS_XPATH" in decided


@pytest.mark.parametrize("path", saved_pages(), ids=lambda p: p.name)
def test_decided_expressions_select_what_trafilatura_s_select_on_every_saved_page(path: Path):
    tree = load_html(saved_html(path))
    if tree is None:
        return
    for label, decided in DECIDED:
        assert decided(tree) == decided.original(tree), label


PAGE = """<html><body>
<div title="a" class="share-bar" id="main">first attribute is the id</div>
<div title="b" id="x" class="share-bar">first is the id, not shared</div>
<div title="c" class="share-bar">shared</div>
<div title="d" class="it's &quot;quoted&quot; share">both quotes</div>
<div title="e" class="it's share">one quote</div>
<div title="f" class="">empty</div>
<div title="g">no attribute</div>
<div title="h" class="SHARE">upper case</div>
<p title="i" style="display:none" id="hidden-x">hidden</p>
</body></html>"""


@pytest.mark.parametrize(
    "path",
    [
        ".//*[re:test(@class, 'share')]",
        ".//*[re:test(@class|@id, 'share')]",
        ".//*[re:test(@id|@class, 'share')]",
        ".//div[re:test(@class, 'SHARE', 'i')]",
        ".//*[re:test(@class, '^$')]",
        ".//*[re:test(@class, 'x?')]",
        './/*[re:test(@class, "it\'s")]',
        ".//*[self::div or self::p][re:test(@id|@style, 'hidden') or contains(@class, 'bar')]",
        ".//*[not(re:test(@class, 'share'))]",
        ".//*[re:test(@title, 'a|c')][re:test(@class, 'bar')]",
    ],
)
def test_each_rule_of_the_rewrite_keeps_the_selection(path: str):
    tree = html.fromstring(PAGE)
    original = etree.XPath(path, namespaces=NS)
    decided = RegexDecidedXPath.of(original)
    assert decided is not None
    assert labels(decided(tree)) == labels(original(tree))
    assert decided(tree) == original(tree)  # and again, from the compiled cache


def test_tests_on_anything_but_attributes_are_left_as_they_are():
    for path in [
        ".//*[re:test(., 'share')]",
        ".//*[re:test(@class, 'share') or re:test(text(), 'x')]",
        ".//*[re:test(@class, $pattern)]",
        ".//*[re:match(@class, 'share')]",
        ".//*[contains(@class, 'share')]",
    ]:
        assert RegexDecidedXPath.of(etree.XPath(path, namespaces=NS)) is None, path
    expressions = [etree.XPath(".//p"), etree.XPath(".//*[re:test(@id, 'a')]", namespaces=NS)]
    assert decide_regex_tests(expressions) == 1
    assert isinstance(expressions[1], RegexDecidedXPath)
    assert decide_regex_tests(tuple(expressions)) == 0  # only lists are changed in place


def test_a_page_with_many_matching_values_runs_the_original():
    body = "".join(f'<div title="{i}" class="share-{i}">x</div>' for i in range(100))
    tree = html.fromstring(f"<html><body>{body}<div class='other'>y</div></body></html>")
    original = etree.XPath(".//div[re:test(@class, '^share-')]", namespaces=NS)
    decided = RegexDecidedXPath.of(original)
    assert decided is not None
    assert len(decided(tree)) == 100
    assert not decided._compiled  # not worth an expression of a hundred comparisons


def test_a_document_that_loses_elements_between_calls_gets_the_original_s_answers():
    tree = html.fromstring(PAGE)
    original = etree.XPath(".//*[re:test(@class|@id, 'share|hidden')]", namespaces=NS)
    decided = RegexDecidedXPath.of(original)
    assert decided is not None
    assert labels(decided(tree)) == labels(original(tree)) == ["a", "c", "d", "e", "i"]
    for element in original(tree)[:2]:  # as trafilatura prunes: the values read stay a superset
        element.getparent().remove(element)
    assert labels(decided(tree)) == labels(original(tree)) == ["d", "e", "i"]


@pytest.mark.parametrize("every_separator", [False, True])
def test_values_holding_separators_are_still_told_apart(every_separator: bool):
    # 'a|b' must not read as the values 'a' and 'b' listed together; with every separator
    # taken by some value, the original runs
    classes = ["a", "b", "a|b", "x#y"] + (["~", "^", "`", "!;"] if every_separator else [])
    body = "".join(f'<p title="{n}" class="{c}">t</p>' for n, c in enumerate(classes))
    tree = html.fromstring(f"<html><body>{body}</body></html>")
    original = etree.XPath(".//p[re:test(@class, '^[ab]$')]", namespaces=NS)
    decided = RegexDecidedXPath.of(original)
    assert decided is not None
    assert labels(decided(tree)) == labels(original(tree)) == ["0", "1"]
    assert bool(decided._compiled) is not every_separator  # '~' bounded the values, or none could
