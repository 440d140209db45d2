"""The markup's publication time (crawler.extraction.article.HTML_DATE, one scan) is what the
union of three queries it replaced selected, on every page we have and on pages made to have
several candidates in every order."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from crawler.extraction.article import HTML_DATE
from crawler.extraction.page import parse_html
from tests.saved_pages import saved_html, saved_pages

UNION = (
    "(//*[@itemprop='datePublished']/@datetime | //time[@pubdate]/@datetime"
    " | //time[contains(concat(' ', @class, ' '), ' published ')]/@datetime)[1]"
)
CANDIDATES = [
    '<span itemprop="datePublished" datetime="2024-01-0{n}">x</span>',
    '<time pubdate datetime="2024-02-0{n}">x</time>',
    '<time class="entry published" datetime="2024-03-0{n}">x</time>',
    '<time class="updated" datetime="2024-04-0{n}">x</time>',  # none of the three
    '<time datetime="2024-05-0{n}">x</time>',
    '<div itemprop="datePublished"><time pubdate datetime="2024-06-0{n}">x</time></div>',
    '<meta itemprop="datePublished" content="2024-07-01">',
]


def _same(html: str) -> None:
    sel = parse_html(html)
    assert sel.xpath(HTML_DATE).getall() == sel.xpath(UNION).getall()


@pytest.mark.parametrize("path", saved_pages(), ids=lambda p: p.name)
def test_the_one_scan_query_selects_what_the_union_selected(path: Path):
    _same(saved_html(path))


def test_the_first_candidate_in_document_order_wins_in_every_order():
    for order in itertools.permutations(range(len(CANDIDATES)), 3):
        body = "".join(CANDIDATES[i].format(n=n + 1) for n, i in enumerate(order))
        _same(f"<html><body><article>{body}</article></body></html>")
