"""`scrapy report` on a store filled by real crawls of the mirror, opened in headless Chromium:
the charts draw what the store holds, and the page asks nothing from the network."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from crawler.report import PARTNERS_SQL
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
    assert "No run recorded field provenance" not in text  # every crawl counts it
    with sqlite3.connect(store) as db:
        dated = db.execute("SELECT count(*) FROM articles WHERE published_at IS NOT NULL")
        dated = dated.fetchone()[0]
        runs = db.execute("SELECT spider, articles_new FROM crawl_runs ORDER BY started_at")
        runs = runs.fetchall()
    browser = look(page, tmp_path)
    try:
        offline(browser)
        assert browser.evaluate(f"{PLOTS}.length") == 4
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
def test_report_field_provenance_is_the_runs_own_counts(store: Path, tmp_path: Path):
    """The provenance chart gives, per site and field, the shares the crawls counted in
    `crawl_runs.stats` (`extract/field/<field>/<source>`), summed over the site's runs."""
    counts: dict[str, dict[str, int]] = {}
    with sqlite3.connect(store) as db:
        for spider, raw in db.execute("SELECT spider, stats FROM crawl_runs"):
            for key, value in json.loads(raw).items():
                parts = key.split("/")
                if key.startswith("extract/field/") and len(parts) == 4:
                    label = f"{spider} · {parts[2]}"
                    counts.setdefault(label, {}).setdefault(parts[3], 0)
                    counts[label][parts[3]] += value
    assert counts["thoidai · title"]
    page = tmp_path / "report.html"
    report(store, page)
    browser = look(page, tmp_path)
    try:
        offline(browser)
        bars = browser.evaluate(f"{PLOTS}[2].data.map(t => [t.name, t.y, t.x])")
        shares = {source: dict(zip(y, x, strict=True)) for source, y, x in bars}
        assert set(shares) == {"profile", "fallback", "empty"}
        for label, by_source in counts.items():
            total = sum(by_source.values())
            for source, count in by_source.items():
                if count:
                    assert shares[source][label] == pytest.approx(100 * count / total), label
    finally:
        browser.close()


@needs_chromium
def test_report_partner_countries_per_province_are_the_facet_tables(store: Path, tmp_path: Path):
    with sqlite3.connect(store) as db:
        expected = {
            (province, country, month): n
            for province, country, month, n in db.execute(PARTNERS_SQL)
        }
    assert expected  # the mirror's vinhphuc articles name Laos, Korea, Japan...
    page = tmp_path / "report.html"
    report(store, page)
    browser = look(page, tmp_path)
    try:
        traces = browser.evaluate(f"{PLOTS}[3].data.map(t => [t.name, t.yaxis || 'y', t.x, t.y])")
        titles = browser.evaluate(f"{PLOTS}[3].layout.annotations.map(a => a.text)")
    finally:
        browser.close()
    drawn = {}
    for country, axis, months, counts in traces:
        province = titles[int(axis[1:] or 1) - 1]
        for month, n in zip(months, counts, strict=True):
            drawn[(province, country, month[:7])] = n
    assert drawn == expected


def test_report_says_so_when_no_run_counted_field_provenance(store: Path, tmp_path: Path):
    """Runs recorded before crawls counted provenance (or by another crawler) have none."""
    db_path = tmp_path / "news.db"
    shutil.copy(store, db_path)
    with sqlite3.connect(db_path) as db:
        for run_id, raw in db.execute("SELECT id, stats FROM crawl_runs").fetchall():
            stats = {k: v for k, v in json.loads(raw).items() if not k.startswith("extract/")}
            db.execute("UPDATE crawl_runs SET stats = ? WHERE id = ?", [json.dumps(stats), run_id])
    text = report(db_path, tmp_path / "report.html")
    assert "No run recorded field provenance" in text
