"""`scrapy extract`: the real command on real files, good and bad.

A bad page (missing, a broken gzip, markup nested thousands deep) costs only itself: its line
says why, the batch goes on, the exit status is 1 at the end. A bad option or list file is a
usage error: one clear line, exit 2, never a traceback.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import scrapy

CORPUS = Path(__file__).parent / "corpus"
GOOD = CORPUS / "baoquocte" / "gia-ca-phe.html"
GOOD_URL = json.loads(GOOD.with_suffix(".json").read_text("utf-8"))["url"]
FETCHED = "2025-01-01T08:00:00+07:00"


def deep_page() -> str:
    """A real page whose body is wrapped in 5,000 nested elements and whose JSON-LD is nested
    50,000 arrays deep."""
    html = GOOD.read_text("utf-8")
    start = html.index('<div class="__MASTERCMS_CONTENT')
    html = html[:start] + "<div>" * 5_000 + html[start:]
    jsonld = '<script type="application/ld+json">' + "[" * 50_000 + "]" * 50_000 + "</script>"
    return html.replace("</head>", jsonld + "</head>", 1)


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    shutil.copy(GOOD, tmp_path / "good.html")
    (tmp_path / "deep.html").write_text(deep_page(), "utf-8")
    (tmp_path / "broken.html.gz").write_bytes(gzip.compress(GOOD.read_bytes())[:500])
    lines = [
        f"good.html\t{GOOD_URL}",
        "missing.html\thttps://baoquocte.vn/khong-co-1.html",
        "broken.html.gz\thttps://baoquocte.vn/hong-2.html",
        "deep.html\thttps://baoquocte.vn/long-sau-3.html",
        f"good.html\t{GOOD_URL}",
    ]
    listing = tmp_path / "pages.tsv"
    listing.write_text("\n".join(lines) + "\n", "utf-8")
    return listing


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_bad_page_costs_only_itself(batch: Path, workers: str) -> None:
    result = scrapy("extract", "--batch", str(batch), "--workers", workers, "--fetched-at", FETCHED)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 5  # one line per input line, in order
    assert lines[0]["title"] and lines[0] == lines[4]
    assert lines[1]["error"].endswith(
        "No such file or directory: " + repr(str(batch.parent / "missing.html"))
    )
    assert (
        "cannot read" in lines[2]["error"] and lines[2]["url"] == "https://baoquocte.vn/hong-2.html"
    )
    assert "error" in lines[3] or lines[3]["title"]  # the deep page: extracted, or said why
    failed = 3 if "error" in lines[3] else 2
    assert result.stderr.strip().splitlines()[-1] == f"{failed} of 5 pages failed"


def test_a_bad_fetch_time_is_a_usage_error() -> None:
    result = scrapy("extract", str(GOOD), "--url", GOOD_URL, "--fetched-at", "yesterday")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--fetched-at 'yesterday': expected an ISO 8601 time" in result.stderr


def test_a_list_file_that_is_not_utf8_is_a_usage_error(tmp_path: Path) -> None:
    shutil.copy(GOOD, tmp_path / "good.html")
    listing = tmp_path / "pages.tsv"
    listing.write_bytes(
        f"good.html\t{GOOD_URL}\n".encode()
        + b"tin-t\xf4t.html\thttps://baoquocte.vn/tin-2.html\n"  # Latin-1
    )
    result = scrapy("extract", "--batch", str(listing))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{listing}:2: not UTF-8 text" in result.stderr


def test_one_page_that_fails_says_why(tmp_path: Path) -> None:
    result = scrapy("extract", str(tmp_path / "nothing.html"), "--url", GOOD_URL)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "nothing.html: cannot read" in result.stderr
