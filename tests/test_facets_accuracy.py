"""The facets against the labelled set (bench/bench_facets.py): the floors CI guards."""

from __future__ import annotations

import pytest

from bench import bench_facets


@pytest.fixture(scope="module")
def result() -> dict:
    return bench_facets.evaluate()


def test_labelled_set_has_sixty_articles_or_more(result: dict) -> None:
    assert result["articles"] >= 60 and result["handwritten"] >= 30


@pytest.mark.parametrize("run", ["fields", "pages"])
def test_partners_precision_and_recall_above_the_floors(result: dict, run: str) -> None:
    assert bench_facets.below_floors({run: result[run], "fields": result[run],
                                      "pages": result[run]}) == []


def test_no_partner_comes_from_page_boilerplate(result: dict) -> None:
    """Menus, related-articles boxes and captions of the saved pages add no false partner."""
    false = [e for e in result["pages"]["errors"] if "\tfalse\t" in e and "relevance" not in e]
    assert false == []


def test_relevance_flag_agrees_with_the_labels(result: dict) -> None:
    assert result["fields"]["figures"]["relevance"]["agreement"] >= 0.9
