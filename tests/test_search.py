"""`scrapy search`: the real command on a real store, queries with and without diacritics."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

import pytest

from crawler.commands.search import fts_query, search
from crawler.store import Store
from crawler.text.normalise import content_hash
from tests.conftest import scrapy

ARTICLES = [
    # (url, site, published_at, title, text)
    (
        "https://baoquocte.vn/doi-ngoai-nhan-dan-1.html",
        "baoquocte",
        "2024-03-01T09:00:00+07:00",
        "Đẩy mạnh công tác đối ngoại nhân dân",
        "Công tác đối ngoại nhân dân của tỉnh tiếp tục được đẩy mạnh với nhiều hoạt động "
        "giao lưu hữu nghị cùng bạn bè quốc tế.",
    ),
    (
        "https://thoidai.com.vn/doi-ngoai-2.html",
        "thoidai",
        "2023-05-02",
        "Vĩnh Phúc đón đoàn Nhật Bản",
        "Đoàn doanh nghiệp Nhật Bản làm việc với tỉnh; hai bên bàn về đối ngoại và đầu tư, "
        "thuỷ chung son sắt.",
    ),
    (
        "https://thoidai.com.vn/bong-da-3.html",
        "thoidai",
        None,
        "Đội tuyển bóng đá nữ hội quân",
        "Các cầu thủ tập trung chuẩn bị cho mùa giải mới; không có gì về ngoại giao ở đây.",
    ),
]


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("search") / "news.db"
    store = Store(path)
    store.write(
        [
            {
                "url": url,
                "site": site,
                "published_at": published,
                "title": title,
                "text": text,
                "content_hash": content_hash(text),
                "fetched_at": "2026-11-23T08:00:00+00:00",
            }
            for url, site, published, title, text in ARTICLES
        ]
    )
    store.close()
    return path


def run(db: Path, *args: str):
    return scrapy("search", *args, "--db", str(db), timeout=60)


def test_query_with_and_without_diacritics_prints_id_date_site_title_url(db_path: Path):
    plain = run(db_path, "doi", "ngoai")
    accented = run(db_path, "đối ngoại")
    upper = run(db_path, "ĐỐI NGOẠI")
    decomposed = run(db_path, unicodedata.normalize("NFD", "đối ngoại"))
    assert plain.returncode == 0, plain.stderr
    assert accented.stdout == upper.stdout == decomposed.stdout
    lines = [line.split("\t") for line in plain.stdout.splitlines()]
    # "đối ngoại" as a phrase first; then "Đội ... ngoại giao", which has both syllables
    assert sorted(lines[:2]) == [
        ["1", "2024-03-01", "baoquocte", ARTICLES[0][3], ARTICLES[0][0]],
        ["2", "2023-05-02", "thoidai", ARTICLES[1][3], ARTICLES[1][0]],
    ]
    assert lines[2] == ["3", "-", "thoidai", ARTICLES[2][3], ARTICLES[2][0]]
    # with diacritics, "Đội" is not "đối": only what was written
    assert accented.stdout.splitlines() == plain.stdout.splitlines()[:2]


def test_site_and_limit(db_path: Path):
    only_thoidai = run(db_path, "doi ngoai", "--site", "thoidai")
    assert [line.split("\t")[0] for line in only_thoidai.stdout.splitlines()] == ["2", "3"]
    two = run(db_path, "doi ngoai", "--limit", "2")
    assert sorted(line.split("\t")[0] for line in two.stdout.splitlines()) == ["1", "2"]


def test_no_match_and_missing_database(db_path: Path, tmp_path: Path):
    none = run(db_path, "Campuchia")
    assert none.returncode == 1 and none.stdout == ""
    assert "no article matches 'Campuchia'" in none.stderr
    missing = tmp_path / "nowhere.db"
    result = run(missing, "doi ngoai")
    assert result.returncode == 2
    assert f"{missing}: no article database here" in result.stderr
    assert not missing.exists()  # a search never creates a database


def test_query_text_is_never_read_as_fts_syntax(db_path: Path):
    assert fts_query('Việt Nam - Lào: "AND" NEAR(x) *') == (
        '"Việt" AND "Nam" AND "Lào" AND "AND" AND "NEAR" AND "x"'
    )
    db = sqlite3.connect(db_path)
    assert [r[0] for r in search(db, "giao-lưu hữu nghị")] == [1]
    assert [r[0] for r in search(db, "thuy chung")] == [2]  # "thuỷ chung"
    assert [r[0] for r in search(db, "thủy chung")] == [2]  # the other convention
    assert [r[0] for r in search(db, "NOT bong")] == []  # "NOT" is a word here, not an operator
    db.close()
    raw = run(db_path, '"doi ngoai nhan dan" OR bong', "--raw")
    assert sorted(line.split("\t")[0] for line in raw.stdout.splitlines()) == ["1", "3"]
