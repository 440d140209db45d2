"""XPaths whose EXSLT regex tests on attributes are decided once per distinct value.

`re:test(@class, 'share|social')` in an XPath calls back into Python for every element it
meets: trafilatura's pruning and body expressions spend much of their time there. A
`RegexDecidedXPath` answers the same question another way. Per document, it reads the values
of the attributes its tests read (one libxml2 query each, shared by every expression run on
that document), tests each distinct value once (remembered across pages: a site's class names
repeat), and evaluates the expression with each test replaced by a comparison with the values
that match, `string(@class)='share-x'`, `contains('|a|b|', concat('|', string(@class), '|'))`,
or `false()`: the expression then runs in libxml2 alone. A fifth less time for trafilatura on
a portal's pages, an eighth on the AEB benchmark's.

It is exact, not a heuristic. lxml's `re:test` reads the string of the node-set's first node,
as XPath's `string()` does (for `@id|@class`, the attribute written first), and searches it
with `re.search` (`i` in the flags: ignoring case). A value that matches but belongs to another
attribute or element changes nothing: a comparison is true only on the element that holds it;
the separator is a character no value of the page holds. The values read first stand for the
document while it lives, so a caller may remove elements between calls but must not add
attribute values (trafilatura sets no class, id or style). Expressions whose tests read
anything else (text, a path, a computed pattern) are not taken.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from lxml import etree

REGEXP_NS = "http://exslt.org/regular-expressions"

# trusted text (an XPath written by a library), not page text: no risk of a slow match
_TEST = re.compile(
    r"""re:test\(\s*(?P<attrs>@[\w.-]+(?:\s*\|\s*@[\w.-]+)*)\s*,\s*"""
    r"""(?:'(?P<sq>[^']*)'|"(?P<dq>[^"]*)")\s*"""
    r"""(?:,\s*(?:'(?P<fsq>[^']*)'|"(?P<fdq>[^"]*)")\s*)?\)"""
)
# beyond these, a page's verdicts are not worth a compiled expression each
_MAX_VALUES = 32
_SEPARATORS = "|#~^`!;"
# per document (its root element): attribute values read, and each expression's decisions
_PAGES: weakref.WeakKeyDictionary[Any, dict[Any, Any]] = weakref.WeakKeyDictionary()
_MAX_COMPILED = 256
_MAX_VERDICTS = 8192  # values remembered per expression (a bit mask each): pages of a site


class _Test:
    __slots__ = ("attrs", "regex", "span")

    def __init__(self, match: re.Match[str]):
        self.attrs = tuple(a.strip()[1:] for a in match["attrs"].split("|"))
        pattern = match["sq"] if match["sq"] is not None else match["dq"]
        flags = match["fsq"] if match["fsq"] is not None else (match["fdq"] or "")
        self.regex = re.compile(pattern, re.UNICODE | (re.IGNORECASE if "i" in flags else 0))
        self.span = match.span()


def _literal(value: str) -> str:
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    parts = ', "\'", '.join(f"'{part}'" for part in value.split("'"))
    return f"concat({parts})"


class RegexDecidedXPath:
    """An `etree.XPath` with the same results, its `re:test` calls decided per distinct value."""

    def __init__(self, original: etree.XPath):
        self.original = original
        self.path: str = original.path
        self._tests = [_Test(m) for m in _TEST.finditer(self.path)]
        attrs = sorted({a for test in self._tests for a in test.attrs})
        self._values = {a: etree.XPath(f"//@{a}", smart_strings=False) for a in attrs}
        self._seen: dict[str, set[str]] = {a: set() for a in attrs}  # values tested
        self._hits: dict[str, dict[str, int]] = {a: {} for a in attrs}  # those passing
        self._compiled: dict[tuple[tuple[tuple[str, ...], ...], str], etree.XPath] = {}
        self._empty = tuple(bool(t.regex.search("")) for t in self._tests)

    @classmethod
    def of(cls, original: Any) -> RegexDecidedXPath | None:
        """The decided form of `original`, or None where it has no test this can decide."""
        if not isinstance(original, etree.XPath):
            return None
        path = original.path
        if "re:" not in path:
            return None
        try:
            decided = cls(original)
        except re.error:
            return None
        rest = _TEST.sub("", path)
        if not decided._tests or "re:" in rest or "$" in rest:
            return None
        return decided

    def __call__(self, tree: Any) -> Any:
        decided = self._decisions(tree)
        if decided is None:
            return self.original(tree)
        return self._expression(*decided)(tree)

    def _decisions(self, tree: Any) -> tuple[tuple[tuple[str, ...], ...], str] | None:
        """The values each test holds for on this tree's document, and a separator; None where
        the original is cheaper (too many values). Kept with the document while it lives: its
        later states only lose elements (trafilatura sets no class, id or style), so the values
        read first are a superset, and the answer stays exact."""
        try:
            root = tree.getroottree().getroot()
            page = _PAGES.get(root)
            if page is None:
                page = _PAGES[root] = {}
        except (AttributeError, TypeError):  # an element without weak references: not kept
            page = {}
        if self in page:
            return page[self]
        matching: list[set[str]] = [set() for _ in self._tests]
        for attr, query in self._values.items():
            values = page.get(attr)
            if values is None:
                values = page[attr] = set(query(tree))
            hits = self._hits_among(attr, values)
            for value in values & hits.keys():  # set operations in C: most values pass no test
                verdicts = hits[value]
                for i, values_of_test in enumerate(matching):
                    if verdicts >> i & 1:
                        values_of_test.add(value)
        for i, empty in enumerate(self._empty):
            if empty:  # an absent attribute reads as '': such a test holds there too
                matching[i].add("")
        # a character in no value of the page: it bounds the values in one contains() test
        attrs = tuple(self._values)
        if ("separator", attrs) not in page:
            seen = "\0".join(v for attr in attrs for v in page[attr])
            page["separator", attrs] = next((c for c in _SEPARATORS if c not in seen), None)
        separator = page["separator", attrs]
        decided = None
        if separator is not None and all(len(values) <= _MAX_VALUES for values in matching):
            decided = (tuple(tuple(sorted(v)) for v in matching), separator)
        page[self] = decided
        return decided

    def _hits_among(self, attr: str, values: set[str]) -> dict[str, int]:
        """The values of `attr` seen so far that pass some test, with a bit mask of the tests
        they pass (bit i: test i); those of `values` not seen yet are tested first."""
        seen, hits = self._seen[attr], self._hits[attr]
        new = values - seen
        if new:
            if len(seen) + len(new) > _MAX_VERDICTS:
                seen.clear()
                hits.clear()
                new = values
            for value in new:
                verdicts = 0
                for i, test in enumerate(self._tests):
                    if attr in test.attrs and test.regex.search(value) is not None:
                        verdicts |= 1 << i
                if verdicts:
                    hits[value] = verdicts
            seen |= new
        return hits

    def _expression(self, matching: tuple[tuple[str, ...], ...], separator: str) -> etree.XPath:
        compiled = self._compiled.get((matching, separator))
        if compiled is None:
            if len(self._compiled) >= _MAX_COMPILED:
                self._compiled.clear()
            parts, end = [], 0
            for test, values in zip(self._tests, matching, strict=True):
                start, stop = test.span
                parts += [self.path[end:start], _decided(test.attrs, values, separator)]
                end = stop
            parts.append(self.path[end:])
            compiled = etree.XPath("".join(parts))
            self._compiled[(matching, separator)] = compiled
        return compiled


def _decided(attrs: tuple[str, ...], values: tuple[str, ...], separator: str) -> str:
    """The test `re:test(attrs, …)` on a page where exactly `values` match: one comparison
    of the string a test reads (one node-set, one string, per element, however many values)."""
    if not values:
        return "false()"
    read = "string(" + "|".join(f"@{a}" for a in attrs) + ")"
    if len(values) == 1:
        return f"{read}={_literal(values[0])}"
    listed = separator + separator.join(values) + separator
    return f"contains({_literal(listed)}, concat('{separator}', {read}, '{separator}'))"


def decide_regex_tests(expressions: object) -> int:
    """Replace, in a list of XPaths, those this module can decide; the number replaced."""
    if not isinstance(expressions, list):
        return 0
    replaced = 0
    for i, expression in enumerate(expressions):
        decided = RegexDecidedXPath.of(expression)
        if decided is not None:
            expressions[i] = decided
            replaced += 1
    return replaced
