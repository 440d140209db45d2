"""Malformed markup costs only the field it would have given, never the article."""

from __future__ import annotations

import json
from pathlib import Path

from bench.score_extraction import decode
from crawler.extraction.item import page_item
from crawler.registry import default_registry
from tests.conftest import FETCH_TIME

GOLD = Path(__file__).parent / "corpus" / "baoquocte" / "gia-ca-phe.json"
DEPTH = 5000


def corpus_page() -> tuple[dict, str]:
    gold = json.loads(GOLD.read_text("utf-8"))
    return gold, decode(GOLD.with_suffix(".html"), gold["url"])


def extract(html: str, gold: dict) -> dict:
    return page_item(html, gold["url"], default_registry()[gold["site"]], None, FETCH_TIME)


def with_head(html: str, extra: str) -> str:
    return html.replace("</head>", extra + "</head>", 1)


def assert_article_kept(item: dict, gold: dict) -> None:
    assert item["title"] == gold["title"]
    assert item["text"].split("\n\n") == gold["paragraphs"]
    assert item["published_at"] == gold["published_at"]


def test_jsonld_type_given_as_an_object():
    gold, html = corpus_page()
    ld = {"@context": "https://schema.org", "@type": {"name": "NewsArticle"}, "headline": "X"}
    item = extract(
        with_head(html, f'<script type="application/ld+json">{json.dumps(ld)}</script>'), gold
    )
    assert_article_kept(item, gold)


def test_jsonld_type_list_of_objects_and_number_fields():
    gold, html = corpus_page()
    ld = {
        "@type": [{"a": 1}, "NewsArticle"],
        "headline": 5,
        "datePublished": {"x": 1},
        "author": [{"name": 7}],
        "articleSection": ["a"],
    }
    item = extract(
        with_head(html, f'<script type="application/ld+json">{json.dumps(ld)}</script>'), gold
    )
    assert_article_kept(item, gold)


def test_jsonld_nested_thousands_of_levels():
    gold, html = corpus_page()
    deep = '{"@type": "NewsArticle", "x": ' + "[" * DEPTH + "]" * DEPTH + "}"
    graph = '{"@graph": ' + "[" * DEPTH + '{"@type": "NewsArticle"}' + "]" * DEPTH + "}"
    scripts = "".join(f'<script type="application/ld+json">{d}</script>' for d in (deep, graph))
    item = extract(with_head(html, scripts), gold)
    assert_article_kept(item, gold)


def test_body_markup_nested_thousands_of_levels():
    """A deeply nested box after the story: the story's fields are still read."""
    gold, html = corpus_page()
    deep = "<div>" * DEPTH + "sâu" + "</div>" * DEPTH
    item = extract(html.replace("</body>", deep + "</body>", 1), gold)
    assert_article_kept(item, gold)


def test_generic_page_nested_thousands_of_levels():
    """No profile, the whole story inside deep markup: no exception, a clear outcome."""
    body = "".join(f"<p>Đoạn {i} về hợp tác đối ngoại của tỉnh với đối tác.</p>" for i in range(8))
    html = (
        "<html><head><title>Tin</title></head><body>"
        + "<div>" * DEPTH
        + f"<h1>Tỉnh đón đoàn Lào</h1>{body}"
        + "</div>" * DEPTH
        + "</body></html>"
    )
    item = page_item(html, "https://example.org/tin/a.html", None, None, FETCH_TIME)
    assert isinstance(item["rejections"], list)
    assert item.get("title") in (None, "Tỉnh đón đoàn Lào")


def test_story_heading_that_ends_the_page():
    """A redesign that leaves the title rule's heading as the page's last element (no date
    line after it): the date search near the heading stops at the end of the page."""
    sentence = "Đoàn công tác của tỉnh đã làm việc với các đối tác nước ngoài về hợp tác đầu tư. "
    title = "Tin đối ngoại hôm nay"
    html = (
        f'<html><head><title>{title}</title><meta property="og:title" content="{title}">'
        f"</head><body>{f'<p>{sentence * 6}</p>' * 3}"
        f'<h1 class="article-title">{title}</h1></body></html>'
    )
    item = page_item(
        html, "https://baoquocte.vn/tin-1.html", default_registry()["baoquocte"], {}, FETCH_TIME
    )
    assert item["title"] == title
    assert item["published_at"] is None
