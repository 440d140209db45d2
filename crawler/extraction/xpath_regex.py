"""XPaths whose EXSLT regex tests on attributes are decided once per distinct value.

`re:test(@class, 'share|social')` in an XPath calls back into Python for every element it
meets: trafilatura's pruning expressions spend most of their time there (a third of a generic
page's extraction). `RegexDecidedXPath` answers the same question another way. Per tree, it
collects the values of the attributes its tests read (one libxml2 query), tests each distinct
value once (remembered across pages: a site's class names repeat), and evaluates the expression
with every test replaced by comparisons with the values that match, `string(@class) = 'share-x'`,
or `false()`: the expression then runs in libxml2 alone.

It is exact, not a heuristic. lxml's `re:test` reads the string of the node-set's first node,
as XPath's `string()` does (for `@id|@class`, the attribute written first), and searches it
with `re.search` (`i` in the flags: ignoring case). A value that matches but belongs to another
attribute or element changes nothing: a comparison is true only on the element that holds it.
Expressions whose tests read anything else (text, a path, a computed pattern) are not taken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
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
_MAX_COMPILED = 256
_MAX_VERDICTS = 20_000


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
        self._verdicts: dict[tuple[str, str], tuple[bool, ...]] = {}
        self._compiled: dict[tuple[tuple[str, ...], ...], etree.XPath] = {}
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
        matching: list[set[str]] = [set() for _ in self._tests]
        for attr, query in self._values.items():
            for value in set(query(tree)):
                verdicts = self._verdict(attr, value)
                if True in verdicts:
                    for i, hit in enumerate(verdicts):
                        if hit and attr in self._tests[i].attrs:
                            matching[i].add(value)
        for i, empty in enumerate(self._empty):
            if empty:  # an absent attribute reads as '': such a test holds there too
                matching[i].add("")
        if any(len(values) > _MAX_VALUES for values in matching):
            return self.original(tree)
        return self._expression(tuple(tuple(sorted(v)) for v in matching))(tree)

    def _verdict(self, attr: str, value: str) -> tuple[bool, ...]:
        key = (attr, value)
        verdicts = self._verdicts.get(key)
        if verdicts is None:
            if len(self._verdicts) >= _MAX_VERDICTS:
                self._verdicts.clear()
            verdicts = tuple(
                attr in test.attrs and test.regex.search(value) is not None for test in self._tests
            )
            self._verdicts[key] = verdicts
        return verdicts

    def _expression(self, matching: tuple[tuple[str, ...], ...]) -> etree.XPath:
        compiled = self._compiled.get(matching)
        if compiled is None:
            if len(self._compiled) >= _MAX_COMPILED:
                self._compiled.clear()
            parts, end = [], 0
            for test, values in zip(self._tests, matching, strict=True):
                start, stop = test.span
                node = "|".join(f"@{a}" for a in test.attrs)
                alternatives = " or ".join(f"string({node})={_literal(v)}" for v in values)
                parts += [self.path[end:start], f"({alternatives})" if values else "false()"]
                end = stop
            parts.append(self.path[end:])
            compiled = etree.XPath("".join(parts))
            self._compiled[matching] = compiled
        return compiled


def decide_regex_tests(expressions: Sequence[Any] | Iterable[Any]) -> int:
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
