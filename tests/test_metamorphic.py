"""Corpus pages changed the way unknown templates and redesigns change them (tests/metamorphic.py):
every field is the gold value or empty with a reason, never another value."""

from __future__ import annotations

from pathlib import Path

from tests.metamorphic import TRANSFORMS, crawled_variants, score, wrong_fields

CORPUS = Path(__file__).parent / "corpus"
PAGES = sorted(CORPUS.glob("*/*.json"))


def test_no_wrong_value_in_any_variant():
    wrong, empty, cases = score(PAGES)
    assert sum(empty.values()) > 0  # the variants do break profile rules
    assert sum(wrong.values()) == 0, "\n".join(cases)


def test_every_empty_field_says_why():
    for transform in ("redesign", "sidebars_in_redesign"):
        for _, item, gold in crawled_variants(PAGES, transform):
            assert not wrong_fields(item, gold)
            for name, key in (("title", "title"), ("text", "text"), ("author", "author")):
                if gold.get(key) and not item.get(name):
                    assert any(r.startswith(f"{name}:") for r in item["rejections"]), (
                        gold["url"],
                        name,
                    )
            if gold["published_at"] and not item["published_at"]:
                assert item["date_error"]


def test_transforms_change_the_pages():
    """Each transform really changes the markup (a no-op would make the test vacuous)."""
    from tests.metamorphic import Page

    page_path = CORPUS / "thainguyen" / "dai-su-lao.json"
    original = Page(page_path).html()
    for name, transform in TRANSFORMS.items():
        page = Page(page_path)
        transform(page)
        assert page.html() != original, name


def test_redesigned_bodies_score_at_least_plain_trafilatura():
    from tests.metamorphic import body_f1

    for transform in ("redesign", "sidebars_in_redesign"):
        ours, plain = body_f1(PAGES, transform)
        assert ours >= plain, (transform, ours, plain)
