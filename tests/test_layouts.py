"""Versioned layouts: one family holds the rules of an old and a new template, and each page is
read with the rules of the template its markup shows (so reextract reads an old stored page
with the rules of its time)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.score_extraction import decode
from crawler.extraction.item import page_item
from crawler.registry import RegistryError, load_registry
from pipelines.chain import normalise
from tests.conftest import FETCH_TIME

CORPUS = Path(__file__).parent / "corpus"
TEMPLATES = {e["file"]: e["template"] for e in json.loads((CORPUS / "index.json").read_text())}
# The Thời Đại magazine as two layouts: template A prints "<span class=article-detail-date>",
# template B "<div class=article-date>" with the author's name before the date.
LAYOUTS = """
[sites.thoidai2]
label = "Thời Đại, two layouts"
family = "mastercms"
root = "https://thoidai.com.vn/"

[sites.thoidai2.extract]
date = []
author_in_date = '^$'

[sites.thoidai2.extract.layouts.a]
when = ["span.article-detail-date"]
date = ["span.article-detail-date"]

[sites.thoidai2.extract.layouts.b]
when = ["div.article-date"]
date = ["div.article-date"]
author_in_date = '^\\s*([^\\d|]*[^\\d|\\s])\\s+\\d{1,2}/\\d{1,2}/\\d{4}'
"""


def registry(tmp_path: Path, extra: str) -> Path:
    text = (Path(load_registry.__code__.co_filename).with_name("sites.toml")).read_text("utf-8")
    path = tmp_path / "sites.toml"
    path.write_text(text + extra, "utf-8")
    return path


def test_each_page_is_read_with_the_rules_of_its_template(tmp_path: Path):
    site = load_registry(registry(tmp_path, LAYOUTS))["thoidai2"]
    assert [layout.name for layout in site.profile.layouts] == ["a", "b"]
    pages = sorted((CORPUS / "thoidai").glob("*.json"))
    seen = set()
    for gold_path in pages:
        gold = json.loads(gold_path.read_text("utf-8"))
        html = decode(gold_path.with_suffix(".html"), gold["url"])
        item = normalise(page_item(html, gold["url"], site, None, FETCH_TIME))
        template = TEMPLATES[f"thoidai/{gold_path.stem}"]
        assert item["layout"] == template[-1].lower()
        assert item["published_at"] == gold["published_at"]
        assert item["author"] == gold["author"]
        seen.add(item["layout"])
    assert seen == {"a", "b"}


def test_a_page_of_no_known_layout_uses_the_family_rules(tmp_path: Path):
    site = load_registry(registry(tmp_path, LAYOUTS))["thoidai2"]
    gold_path = sorted((CORPUS / "thoidai").glob("*.json"))[0]
    gold = json.loads(gold_path.read_text("utf-8"))
    html = decode(gold_path.with_suffix(".html"), gold["url"])
    html = html.replace("article-detail-date", "x-date").replace("article-date", "y-date")
    item = page_item(html, gold["url"], site, None, FETCH_TIME)
    assert item["layout"] is None
    assert item["title"] == gold["title"]


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ('[sites.thoidai2.extract.layouts.c]\ndate = ["x"]\n', "layouts.c.when': missing"),
        ('[sites.thoidai2.extract.layouts.c]\nwhen = ["x"]\ntitel = ["x"]\n', "unknown field"),
        ('[sites.thoidai2.extract.layouts.c]\nwhen = ["x"]\ndrop = ["(["]\n', "invalid regular"),
    ],
)
def test_a_bad_layout_names_site_and_field(tmp_path: Path, layout: str, message: str):
    with pytest.raises(RegistryError, match=message.replace("(", r"\(").replace("[", r"\[")):
        load_registry(registry(tmp_path, LAYOUTS + layout))
