"""Extraction on the labelled corpus: full saved pages of every template, field by field."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from bench.score_extraction import (
    AEB,
    REALPAGES,
    check,
    check_realpages,
    decode,
    ours,
    score_aeb,
    score_corpus,
    score_realpages,
)
from crawler.extraction.item import page_item
from crawler.registry import default_registry, generic_profile
from tests.conftest import FETCH_TIME, scrapy

CORPUS = Path(__file__).parent / "corpus"
PAGES = sorted(CORPUS.glob("*/*.json"))


def test_corpus_covers_every_template():
    sites = {p.parent.name for p in PAGES}
    assert len(PAGES) >= 30
    assert sites >= {"thoidai", "baoquocte", "vietnamtimes", "vinhphuc", "thainguyen", "phutho"}


@pytest.mark.parametrize("gold_path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_page_fields(gold_path: Path):
    gold = json.loads(gold_path.read_text("utf-8"))
    html = decode(gold_path.with_suffix(".html"), gold["url"])
    # site null: a host the registry does not know, extracted by the generic path
    profile = default_registry()[gold["site"]].profile if gold["site"] else generic_profile()
    item = ours(html, gold["url"], profile, gold["site"], gold.get("hints"))
    assert item["title"] == gold["title"]
    assert item.get("lead") == gold["lead"]
    assert item["text"].split("\n\n") == gold["paragraphs"]
    assert item.get("author") == gold["author"]
    assert item["published_at"] == gold["published_at"]
    captions = [img["caption"] for img in item.get("images") or []]
    assert captions == gold["captions"]
    for boilerplate in gold["boilerplate"]:
        assert boilerplate not in item["text"], boilerplate
    assert item["rejected"] is None


def test_quality_floors_hold():
    """The CI guard of extraction quality: bench/extraction_floors.json, and AEB at least
    trafilatura."""
    aeb = score_aeb(AEB) if AEB.exists() else None
    assert check(score_corpus(CORPUS), aeb) == []


@pytest.mark.skipif(not REALPAGES.exists(), reason="../shared/realpages is not beside the checkout")
def test_real_pages_floors_hold():
    """Real saved pages of sites we have no profile for: body F1 >= 0.97 and >= plain
    trafilatura's, no wrong title or date, exact-rate floors (bench/extraction_floors.json)."""
    assert check_realpages(score_realpages(REALPAGES)) == []


def test_extract_command_prints_one_json_item(tmp_path: Path):
    gold_path = CORPUS / "baoquocte" / "gia-ca-phe.json"
    gold = json.loads(gold_path.read_text("utf-8"))
    result = scrapy(
        "extract",
        str(gold_path.with_suffix(".html")),
        "--url",
        gold["url"],
        "--fetched-at",
        FETCH_TIME,
    )
    assert result.returncode == 0, result.stderr
    item = json.loads(result.stdout)
    assert item["title"] == gold["title"]
    assert item["site"] == "baoquocte"
    assert item["published_at"] == gold["published_at"]
    assert item["content_hash"] and item["methods"]["text"] == "rule"
    assert {"url", "title", "lead", "text", "author", "published_at"} <= set(item)


def test_extract_batch_reads_gzip_and_plain_pages(tmp_path: Path):
    chosen = PAGES[:3]
    lines = []
    for n, gold_path in enumerate(chosen):
        gold = json.loads(gold_path.read_text("utf-8"))
        page = tmp_path / f"p{n}.html"
        shutil.copy(gold_path.with_suffix(".html"), page)
        if n == 1:
            page = page.with_suffix(".html.gz")
            page.write_bytes(gzip.compress(gold_path.with_suffix(".html").read_bytes()))
        lines.append(f"{page.name}\t{gold['url']}")
    listing = tmp_path / "pages.tsv"
    listing.write_text("\n".join(lines) + "\n", "utf-8")
    result = scrapy("extract", "--batch", str(listing), "--fetched-at", FETCH_TIME)
    assert result.returncode == 0, result.stderr
    items = [json.loads(line) for line in result.stdout.splitlines()]
    titles = [json.loads(p.read_text("utf-8"))["title"] for p in chosen]
    assert [i["title"] for i in items] == titles


def test_extract_command_rejects_bad_usage():
    result = scrapy("extract", "nowhere.html")
    assert result.returncode != 0
    assert "--url" in result.stderr or "--url" in result.stdout


def test_extract_batch_in_worker_processes_matches_one_process(tmp_path: Path):
    listing = tmp_path / "pages.tsv"
    lines = []
    for gold_path in PAGES:
        gold = json.loads(gold_path.read_text("utf-8"))
        lines.append(f"{gold_path.with_suffix('.html')}\t{gold['url']}")
    listing.write_text("\n".join(lines) + "\n", "utf-8")
    args = ("extract", "--batch", str(listing), "--fetched-at", FETCH_TIME)
    pooled = scrapy(*args, "--workers", "2")
    single = scrapy(*args, "--workers", "0")
    assert pooled.returncode == single.returncode == 0, pooled.stderr[-2000:]
    assert pooled.stdout == single.stdout
    assert len(pooled.stdout.splitlines()) == len(PAGES)


def test_bare_page_takes_its_one_heading_and_date_line():
    """No title or date markup a profile knows: the page's one story heading and its date line
    (trafilatura's metadata is not run: its date is often a sidebar's or the portal clock's)."""
    body = "".join(
        f"<p>Đoạn {i} kể về hoạt động đối ngoại của tỉnh với các đối tác nước ngoài.</p>"
        for i in range(8)
    )
    html = (
        "<html><body><div class='menu'><a href='/'>Trang chủ</a></div><article>"
        "<h1>Tỉnh tiếp đoàn đại biểu Lào</h1><div class='post-date'>Cập nhật: 2024-03-12</div>"
        f"{body}</article></body></html>"
    )
    item = page_item(html, "https://example.org/tin/abc.html", None, None, FETCH_TIME)
    assert item["title"] == "Tỉnh tiếp đoàn đại biểu Lào"
    assert item["methods"]["title"] == "heading"
    assert item["methods"]["text"] == "trafilatura"
    assert item["date_candidates"] == [("dateline", "Cập nhật: 2024-03-12")]
    assert item["published_at"] == "2024-03-12"
    assert "Đoạn 7 kể về" in item["text"]


STORY = "Thanh niên hai bên biên giới Việt Nam - Campuchia giao lưu hữu nghị"
TEASERED_PAGE = """<html><head><title>Tạp chí Thời Đại</title></head><body>
<h1 class="brand"><a href="/">Tạp chí Thời Đại</a></h1>
<div class="featured"><h2 class="news__title">
<a href="https://example.vn/hai-phong-gap-mat-cuu-luu-hoc-sinh-ba-lan-175105.html">
Hải Phòng gặp mặt cựu lưu học sinh Ba Lan tại thành phố</a></h2></div>
<div class="detail"><h2 class="news__title">{heading}</h2>
<div class="content">{paras}</div></div>
<div class="others"><h3>Các tin khác</h3><h2 class="news__title">
<a href="https://example.vn/trien-lam-anh-viet-nam-canada-164759.html">
Triển lãm ảnh Việt Nam - Canada 50 năm đồng hành tại Huế</a></h2></div>
</body></html>"""
PARAS = "".join(
    f"<p>Đoạn {n}: thanh niên hai nước đã giao lưu văn nghệ, thể thao và trao đổi kinh nghiệm "
    "trong các hoạt động tình nguyện, góp phần vun đắp tình hữu nghị bền chặt.</p>"
    for n in range(6)
)


def test_story_heading_is_told_from_teasers_linked_headlines():
    """No meta tags, <title> and h1 the portal's name, teaser headlines in the story's own
    class before and after it: the heading that links nowhere is the story's."""
    html = TEASERED_PAGE.format(heading=STORY, paras=PARAS)
    item = page_item(html, "https://example.vn/thanh-nien-bien-gioi-1.html", None, {}, FETCH_TIME)
    assert item["title"] == STORY
    assert "Hải Phòng" not in item["text"] and "Đoạn 5" in item["text"]


def test_a_sapo_set_as_the_only_heading_is_not_taken_for_the_title():
    sapo = "Sáng 14/3, Phó Chủ tịch UBND tỉnh đã tiếp đoàn công tác của tỉnh bạn đến thăm."
    html = TEASERED_PAGE.format(heading=sapo, paras=PARAS)
    item = page_item(html, "https://example.vn/thanh-nien-bien-gioi-1.html", None, {}, FETCH_TIME)
    assert item.get("title") in (None, "")
    assert any(r.startswith("title:") for r in item["rejections"])
