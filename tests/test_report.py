"""`scrapy report` on a store filled by real crawls of the mirror, opened in headless Chromium:
the charts draw what the store holds, and the page asks nothing from the network."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, Chromium
from tests.conftest import crawl, scrapy

needs_chromium = pytest.mark.skipif(not CHROMIUM, reason="chromium not installed")
PLOTS = "Array.from(document.querySelectorAll('.js-plotly-plot'))"


@pytest.fixture(scope="module")
def store(mirror, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("report") / "news.db"
    for site in ("thoidai", "baoquocte", "vinhphuc", "thoidai"):  # thoidai twice: a history
        assert crawl(mirror, site, db).returncode == 0
    return db


def report(db: Path, output: Path) -> str:
    result = scrapy("report", "--db", str(db), "-o", str(output), timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(output)
    page = output.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\ssrc\s*=", page, re.IGNORECASE)  # all inlined
    return page


def look(page: Path, shots: Path) -> Chromium:
    """The page opened in Chromium (a tall window: the whole report), screenshot taken."""
    browser = Chromium(1366, 2600)
    browser.open(page.as_uri())
    browser.screenshot(shots / f"{page.stem}.png")
    print(f"screenshot: {shots / page.stem}.png")
    return browser


def offline(browser: Chromium) -> None:
    fetched = [url for url in browser.requests if not url.startswith(("file:", "data:"))]
    assert not fetched, fetched


@needs_chromium
def test_report_draws_the_store_offline(store: Path, tmp_path: Path):
    page = tmp_path / "report.html"
    text = report(store, page)
    assert "No run recorded field provenance" in text  # this crawler counts none yet
    with sqlite3.connect(store) as db:
        dated = db.execute("SELECT count(*) FROM articles WHERE published_at IS NOT NULL")
        dated = dated.fetchone()[0]
        runs = db.execute("SELECT spider, articles_new FROM crawl_runs ORDER BY started_at")
        runs = runs.fetchall()
    browser = look(page, tmp_path)
    try:
        offline(browser)
        assert browser.evaluate(f"{PLOTS}.length") == 2
        assert browser.evaluate(f"{PLOTS}.every(p => p.querySelector('svg.main-svg'))")
        per_month = browser.evaluate(f"{PLOTS}[0].data.map(t => [t.name, t.y])")
        assert sum(sum(y) for _, y in per_month) == dated
        assert sorted(name for name, _ in per_month) == ["baoquocte", "thoidai", "vinhphuc"]
        new_articles = browser.evaluate(
            f"{PLOTS}[1].data.filter(t => t.yaxis === 'y' || !t.yaxis).map(t => [t.name, t.y])"
        )
        assert {name: y for name, y in new_articles} == {
            site: [new for spider, new in runs if spider == site] for site, _ in new_articles
        }
        assert len(dict(new_articles)["thoidai"]) == 2
    finally:
        browser.close()


@needs_chromium
def test_report_shows_field_provenance_when_runs_counted_it(store: Path, tmp_path: Path):
    """Runs of a crawler that counts `extract/field/<field>/<source>` (the shared stats
    contract): the counts are added to this store's real runs."""
    db_path = tmp_path / "news.db"
    shutil.copy(store, db_path)
    counted = {
        "thoidai": {"title": (20, 2, 0), "date": (22, 0, 0), "text": (18, 4, 0)},
        "vinhphuc": {"title": (8, 0, 0), "author": (0, 3, 5)},
    }
    with sqlite3.connect(db_path) as db:
        for spider, fields in counted.items():
            run_id, raw = db.execute(
                "SELECT id, stats FROM crawl_runs WHERE spider = ? ORDER BY id DESC", [spider]
            ).fetchone()
            stats = json.loads(raw)
            for name, counts in fields.items():
                for source, count in zip(("profile", "fallback", "empty"), counts, strict=True):
                    stats[f"extract/field/{name}/{source}"] = count
            db.execute("UPDATE crawl_runs SET stats = ? WHERE id = ?", [json.dumps(stats), run_id])
    page = tmp_path / "report_with_provenance.html"
    text = report(db_path, page)
    assert "No run recorded field provenance" not in text
    browser = look(page, tmp_path)
    try:
        offline(browser)
        assert browser.evaluate(f"{PLOTS}.length") == 3
        bars = browser.evaluate(f"{PLOTS}[2].data.map(t => [t.name, t.y, t.x])")
        shares = {source: dict(zip(y, x, strict=True)) for source, y, x in bars}
        assert set(shares) == {"profile", "fallback", "empty"}
        assert shares["profile"]["thoidai · text"] == pytest.approx(100 * 18 / 22)
        assert shares["empty"]["vinhphuc · author"] == pytest.approx(100 * 5 / 8)
        assert "baoquocte · title" not in shares["profile"]  # it counted nothing
    finally:
        browser.close()
