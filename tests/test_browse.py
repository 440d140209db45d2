"""The shipped Datasette configuration, served by `scrapy datasette` (a real Datasette on
127.0.0.1) over a store filled by real crawls of the mirror, looked at in headless Chromium."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import unicodedata
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from tests.browser import CHROMIUM, Chromium
from tests.conftest import ROOT, clean_env, crawl, fast_settings
from tests.test_facets_store import readme_query

SITES = ("thoidai", "baoquocte", "vinhphuc")
METADATA = ROOT / "crawler" / "browse" / "metadata.yml"
SCREEN = (1366, 768)  # a common laptop screen
WORD = re.compile(r"\w+")  # a common laptop screen
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 only
needs_chromium = pytest.mark.skipif(not CHROMIUM, reason="chromium not installed")


@pytest.fixture(scope="module")
def store(mirror, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("browse") / "news.db"
    for site in SITES:
        assert crawl(mirror, site, db).returncode == 0
    return db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(store: Path, mirror, tmp_path_factory) -> Iterator[str]:
    """`scrapy datasette` on a free port; yields its base URL once it answers."""
    port = free_port()
    log = tmp_path_factory.mktemp("datasette") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "datasette", "--port", str(port)]
            + fast_settings(mirror.hosts_map(), store),
            cwd=ROOT,
            env=clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                NO_PROXY.open(f"{url}/-/versions.json", timeout=5).close()
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def get_json(url: str) -> dict | list:
    with NO_PROXY.open(url, timeout=60) as response:
        return json.load(response)


def stored(store: Path, sql: str) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(store) as conn:
        return conn.execute(sql).fetchall()


# -- the configuration itself -----------------------------------------------------------------


def schema_doc() -> dict[str, dict[str, str]]:
    """{table: {column: meaning}} from docs/schema.md's column tables ("" where it says
    nothing, as for a foreign key)."""
    tables: dict[str, dict[str, str]] = {}
    table = None
    for line in (ROOT / "docs" / "schema.md").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"#{2,3} `(\w+)`", line)
        if heading or line.startswith("## "):
            table = heading.group(1) if heading else None
            continue
        row = re.match(r"\| (`[^|]+`) \|(.*)\|\s*$", line)
        if table and row:
            meaning = row.group(2).split("|")[-1].strip()
            for column in re.findall(r"`(\w+)`", row.group(1)):
                tables.setdefault(table, {})[column] = meaning.replace("`", "")
    return tables


def test_descriptions_are_docs_schema_and_cover_every_column(store: Path):
    tables = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["news"]["tables"]
    doc = schema_doc()
    for name, config in tables.items():
        if config.get("hidden"):
            continue
        described = {column: meaning for column, meaning in doc[name].items() if meaning}
        assert config["columns"] == described, f"{name}: run python -m tests.browse_metadata"
        columns = {row[1] for row in stored(store, f"PRAGMA table_xinfo({name})")}
        undocumented = columns - set(doc[name])
        assert not undocumented, (name, undocumented)


# -- served, through its JSON ----------------------------------------------------------------


def written(store: Path, words: str) -> set[int]:
    """Articles whose title, lead or text holds `words` as written (case aside)."""
    rows = stored(
        store, "SELECT id, title || ' ' || coalesce(lead, '') || ' ' || text FROM articles"
    )
    return {i for i, text in rows if words.lower() in text.lower()}


def test_table_search_facets_and_sort(server: str, store: Path):
    expected = written(store, "Đà Nẵng")
    found = get_json(f"{server}/news/articles.json?_search={quote('Đà Nẵng')}&_shape=array")
    assert expected and {row["id"] for row in found} == expected
    table = get_json(f"{server}/news/articles.json?_size=100")
    assert set(table["facet_results"]) >= {"site", "section", "published_month"}
    dates = [row[table["columns"].index("published_at")] for row in table["rows"]]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True) and len(dated) > 10


def test_canned_queries_answer(server: str, store: Path):
    per_month = get_json(f"{server}/news/articles_per_site_per_month.json?_shape=array")
    assert (
        sum(row["articles"] for row in per_month)
        == stored(store, "SELECT count(*) FROM articles WHERE published_at IS NOT NULL")[0][0]
    )
    runs = get_json(f"{server}/news/last_runs_per_site.json?_shape=array")
    assert sorted(row["spider"] for row in runs) == sorted(SITES)
    pairs = get_json(f"{server}/news/near_duplicate_pairs.json?_shape=array")
    assert len(pairs) == stored(store, "SELECT count(*) FROM near_duplicates")[0][0]
    ranked = get_json(f"{server}/news/search.json?q=da+nang&_shape=array")
    assert "Đà Nẵng" in ranked[0]["title"]  # a title hit first (bm25 weights)


def test_canned_facet_queries_answer_the_readme_questions(server: str, store: Path):
    """The README's three questions, asked with parameters in Datasette, give what the
    README's own SQL gives on the same store."""
    asked = {
        "which provinces worked with Laos in 2025": (
            "provinces_working_with_a_country?country=la&year=2025"
        ),
        "how often did Phú Thọ receive Korean delegations": (
            "delegations_per_year?province_code=25&country=KR"
        ),
        "what did Thái Nguyên sign with foreign partners": "agreements_signed?province_code=19",
    }
    answered = 0
    for question, query in asked.items():
        name, params = query.split("?")
        rows = get_json(f"{server}/news/{name}.json?{params}&_shape=arrays")["rows"]
        expected = stored(store, readme_query(question))
        assert [tuple(row) for row in rows] == [tuple(row) for row in expected], question
        answered += bool(rows)
    assert answered  # the mirror's articles answer at least one of them


# -- in a browser -----------------------------------------------------------------------------

PAGES = {
    "index": "/",
    "database": "/news",
    "articles": "/news/articles",
    "article": "/news/articles/1",
    "search": "/news/search?q=" + quote("Đà Nẵng"),
    "search_opened": "/news/search",  # no query yet: a form, not an error
    "per_month": "/news/articles_per_site_per_month",
    "near_duplicates": "/news/near_duplicate_pairs",
    "last_runs": "/news/last_runs_per_site",
    "crawl_runs": "/news/crawl_runs",
    "pages": "/news/pages",
}
VISIBLE_ROWS = """Array.from(document.querySelectorAll('table.rows-and-columns tbody tr'))
  .filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length"""
ROW_HEIGHTS = """Array.from(document.querySelectorAll('table.rows-and-columns tbody tr'))
  .map(r => r.getBoundingClientRect().height)"""
HEADERS = """Array.from(document.querySelectorAll('table.rows-and-columns th'))
  .map(th => th.dataset.column || th.textContent.trim())"""


@needs_chromium
def test_every_page_in_a_browser(server: str, tmp_path_factory):
    shots = tmp_path_factory.mktemp("screenshots")
    with Chromium(*SCREEN) as browser:
        for name, path in PAGES.items():
            browser.open(server + path)
            browser.screenshot(shots / f"{name}.png")
            heading = browser.evaluate("document.querySelector('h1').textContent")
            assert "Error" not in heading and "not found" not in heading.lower(), (name, heading)
            assert not browser.evaluate("!!document.querySelector('.message-error')"), name
        print(f"screenshots in {shots}")
        # internal tables are not listed
        browser.open(server + "/news")
        listed = browser.evaluate("document.body.innerText")
        assert "articles" in listed and "crawl_runs" in listed
        assert "article_lsh" not in listed and "article_signatures" not in listed
        # long columns are left out until asked for, and the rows stay short
        browser.open(server + "/news/articles")
        headers = browser.evaluate(HEADERS)
        assert {"title", "site", "section", "published_at"} <= set(headers)
        assert not {"text", "folded", "lead"} & set(headers)
        assert max(browser.evaluate(ROW_HEIGHTS)) < 80  # two lines at most
        browser.open(server + "/news/crawl_runs")
        assert "stats" not in browser.evaluate(HEADERS)
        browser.open(server + "/news/articles?_col=text&_col=title")  # asked for: shown, cut
        assert "text" in browser.evaluate(HEADERS)
        cell = browser.evaluate("document.querySelector('td.col-text').textContent")
        assert len(cell.strip()) <= 170


@needs_chromium
def test_search_page_shows_ten_results_on_one_screen(server: str, store: Path, tmp_path):
    articles = stored(store, "SELECT id, folded FROM articles")
    every_form = {
        i for i, folded in articles if {"da", "nang"} <= set(WORD.findall(folded.lower()))
    }
    with Chromium(*SCREEN) as browser:
        browser.open(f"{server}/news/search?q=da+nang")
        browser.screenshot(tmp_path / "search.png")
        ids = browser.evaluate(
            "Array.from(document.querySelectorAll('td.col-id')).map(td => +td.textContent)"
        )
        assert len(ids) >= 10 and set(ids) == every_form
        assert browser.evaluate(VISIBLE_ROWS) >= 10
        # with diacritics, in either Unicode form, only what was written
        expected = written(store, "Đà Nẵng")
        assert expected and len(expected) < len(every_form)
        for query in ("Đà Nẵng", unicodedata.normalize("NFD", "Đà Nẵng")):
            browser.open(f"{server}/news/search?q={quote(query)}")
            shown = browser.evaluate(
                "Array.from(document.querySelectorAll('td.col-id')).map(td => +td.textContent)"
            )
            assert set(shown) == expected, query


def test_other_file_names_get_the_configuration(store: Path, tmp_path: Path):
    """Datasette names a database after its file: `scrapy datasette` renames the metadata's."""
    other = tmp_path / "archive-2026.db"
    shutil.copy(store, other)
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "datasette", "--db", str(other), "--print"],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    argv = shlex.split(result.stdout)
    assert argv[argv.index("serve") + 1] == str(other)
    metadata = yaml.safe_load(Path(argv[argv.index("--metadata") + 1]).read_text("utf-8"))
    assert list(metadata["databases"]) == ["archive-2026"]
    assert "/archive-2026/search" in metadata["description_html"]
    assert "search" in metadata["databases"]["archive-2026"]["queries"]
    missing = subprocess.run(
        [sys.executable, "-m", "scrapy", "datasette", "--db", str(tmp_path / "none.db")],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "no article database here" in missing.stderr
