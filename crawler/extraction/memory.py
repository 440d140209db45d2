"""What a site repeats is chrome: a per-site memory learnt from many of its pages.

One page cannot tell a portal's name in `<title>` from a headline, or a "Tin khác" box from a
paragraph; many pages of one site can. `SiteMemory` is a small immutable value (sets of
comparison keys) learnt from the extracted items of a site (those in the store, and those of
the current crawl), and passed into extraction, which stays pure: the same page and memory
give the same article.

- `names`: page titles or headings seen on many pages (the site's name, a section's name);
- `chrome`: body lines seen on many pages (a footer, a "Các tin khác" heading, a notice);
- `titles`: headlines of the site's stored articles: a body line equal to one of them (other
  than the page's own) is a teaser.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .evidence import key

# A line or title recurring on this share of a site's pages (and on at least MIN_PAGES) repeats.
REPEAT_SHARE = 0.2
MIN_PAGES = 3
MAX_LINE_CHARS = 300
MAX_TITLES = 50_000
MIN_HEADLINE_WORDS = 3
MAX_NAME_WORDS = 12


@dataclass(frozen=True)
class SiteMemory:
    names: frozenset[str] = field(default_factory=frozenset)
    chrome: frozenset[str] = field(default_factory=frozenset)
    titles: frozenset[str] = field(default_factory=frozenset)

    def is_name(self, text: str | None) -> bool:
        return bool(text) and key(text) in self.names

    def is_chrome(self, line: str) -> bool:
        return key(line) in self.chrome

    def is_teaser(self, line: str, own_title: str | None) -> bool:
        k = key(line)
        return k in self.titles and k != key(own_title)

    def strip_name(self, title: str) -> str:
        """The title less a site name the site repeats before or after it ("Cổng thông tin
        điện tử tỉnh <headline>"), when a headline of three words or more remains."""
        words = title.split()
        most = min(len(words) - MIN_HEADLINE_WORDS, MAX_NAME_WORDS)
        if most < 1 or not self.names:
            return title
        # key() of words joined by spaces is their keys joined (nothing it does reaches across
        # a space: NFC, case folding, runs of word characters), so each word's key (cached:
        # titles share their words) makes every head's and tail's key without a key() each
        keys = [key(word) for word in words]
        head = tail = ""
        for n in range(1, most + 1):
            head = _joined(head, keys[n - 1])
            tail = _joined(keys[-n], tail)
            if head in self.names:
                return " ".join(words[n:]).lstrip("-–—|:» ").strip() or title
            if tail in self.names:
                return " ".join(words[:-n]).rstrip("-–—|:» ").strip() or title
        return title

    def __bool__(self) -> bool:
        return bool(self.names or self.chrome or self.titles)


EMPTY = SiteMemory()


def _joined(first: str, second: str) -> str:
    return f"{first} {second}" if first and second else first or second


@dataclass(frozen=True)
class Sample:
    """What one item adds to a site's memory, in comparison form: computed once, where the
    item is made (the extraction worker), so that the crawl only counts."""

    names: frozenset[str]
    title: str
    lines: frozenset[str]


def sample(item: Mapping[str, Any]) -> Sample:
    """An item's Sample (title, text and the page-level `page_titles` the extraction records:
    <title>, og:title and headings as the page had them)."""
    title = key(item.get("title"))
    # a stored title repeated on many pages is the site's name too
    names = frozenset({key(n) for n in item.get("page_titles") or ()} | {title})
    lines = {
        key(line)
        for line in set((item.get("text") or "").split("\n\n"))
        if 0 < len(line) <= MAX_LINE_CHARS
    }
    lines.update(key(line) for line in set(item.get("chrome_lines") or ()))
    return Sample(names=names, title=title, lines=frozenset(lines))


class Counts:
    """Running counts over a window of Samples: add and remove are O(size of a sample) and
    `memory()` only looks at the keys seen on MIN_PAGES pages or more, so a crawl can update
    its memory every few pages without recounting the window."""

    def __init__(self) -> None:
        self.pages = 0
        self.names: Counter[str] = Counter()
        self.lines: Counter[str] = Counter()
        self.titles: Counter[str] = Counter()
        self.frequent_names: set[str] = set()
        self.frequent_lines: set[str] = set()

    def add(self, s: Sample) -> None:
        self.pages += 1
        _count(self.names, self.frequent_names, s.names, 1)
        _count(self.lines, self.frequent_lines, s.lines, 1)
        if s.title:
            self.titles[s.title] += 1

    def remove(self, s: Sample) -> None:
        self.pages -= 1
        _count(self.names, self.frequent_names, s.names, -1)
        _count(self.lines, self.frequent_lines, s.lines, -1)
        if s.title:
            self.titles[s.title] -= 1
            if not self.titles[s.title]:
                del self.titles[s.title]

    def memory(self) -> SiteMemory:
        threshold = max(MIN_PAGES, REPEAT_SHARE * self.pages)
        names = self.names
        lines = self.lines
        titles = self.titles.keys()
        if len(titles) > MAX_TITLES:
            titles = list(titles)[:MAX_TITLES]
        return SiteMemory(
            names=frozenset(k for k in self.frequent_names if k and names[k] >= threshold),
            chrome=frozenset(k for k in self.frequent_lines if k and lines[k] >= threshold),
            titles=frozenset(titles),
        )


def _count(counter: Counter[str], frequent: set[str], keys: frozenset[str], step: int) -> None:
    for k in keys:
        n = counter[k] + step
        if n > 0:
            counter[k] = n
        else:
            del counter[k]
        if n >= MIN_PAGES:
            frequent.add(k)
        else:
            frequent.discard(k)


def learn(items: Iterable[Mapping[str, Any]]) -> SiteMemory:
    """A site's memory from its extracted items (see `sample`)."""
    counts = Counts()
    for item in items:
        counts.add(sample(item))
    return counts.memory()
