"""Scrapy's command conventions: `list` names, refused typos, `parse`, `check`, feed exports,
and paths that resolve from the project, never from the current directory."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.feeds import ARTICLE_FIELDS
from crawler.registry import default_registry
from tests.conftest import ROOT, clean_env, crawl, fast_settings, scrapy


def test_list_prints_one_spider_name_a_line():
    result = scrapy("list")
    assert result.returncode == 0, result.stderr
    names = sorted(s.name for s in default_registry().values() if s.enabled)
    assert result.stdout.splitlines() == names
    table = scrapy("list", "--long").stdout.splitlines()
    assert [line.split()[0] for line in table] == names
    assert all(len(line.split()) == 3 for line in table)  # name, family, sections


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("crawlall", "thoidai", "-O", "out.jsonl"), "crawlall takes no site name"),
        (("crawlall", "-O", "out.jsonl"), "one feed per site"),
        (("crawlall", "-a", "max_page=1"), "-a max_page: unknown spider argument"),
        (("runs", "thoidai"), "unexpected argument(s): thoidai"),
        (("crawl", "thoidai", "-a", "maxpages=2"), "-a maxpages: unknown spider argument"),
        (("crawl", "thoidai", "-a", "max_page=1"), "-a max_page: unknown spider argument"),
        (("crawl", "thoidai", "-a", "max_pages=two"), "-a max_pages='two': expected a positive"),
        (("crawl", "thoidai", "-a", "since=yesterday"), "-a since='yesterday': expected YYYY"),
        (("crawl", "thoidai", "extra"), "unexpected argument(s): extra"),
        (("crawl", "thoidai", "--max-pages", "2"), "unknown option(s): --max-pages"),
        (("search", "doi", "ngoai", "--limt", "3"), "unknown option(s): --limt"),
        (("list", "--names"), "unknown option(s): --names"),
        (("check", "--nope"), "unknown option(s): --nope"),
        (("parse", "https://thoidai.com.vn/", "--deepth", "2"), "unknown option(s): --deepth"),
        (("crawl", "thoidai", "-s", "SQLITE_PATH="), "SQLITE_PATH is empty"),
        (("fetch", "https://thoidai.com.vn/", "--bogus"), "unknown option(s): --bogus"),
        (("shell", "https://thoidai.com.vn/", "extra"), "unexpected argument(s): extra"),
        (("version", "extra"), "unexpected argument(s): extra"),
    ],
)
def test_typos_are_refused_with_exit_2(tmp_path: Path, args: tuple[str, ...], message: str):
    db = tmp_path / "news.db"
    store = () if "SQLITE_PATH=" in args else ("-s", f"SQLITE_PATH={db}")
    result = scrapy(*args, *store)
    assert result.returncode == 2, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert message in last, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not db.exists()  # nothing crawled, nothing written


def _article_url(mirror, tmp_path: Path) -> str:
    out = tmp_path / "one.jsonl"
    result = crawl(mirror, "thoidai", tmp_path / "seed.db", "-a", "max_items=1", "-O", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(out.read_text("utf-8").splitlines()[0])["url"]


def test_parse_url_extracts_the_article_with_the_sites_spider(mirror, tmp_path: Path):
    url = _article_url(mirror, tmp_path)
    db = tmp_path / "news.db"
    result = scrapy("parse", url, "--nolog", *fast_settings(mirror.hosts_map(), db))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "'site': 'thoidai'" in result.stdout and f"'url': '{url}'" in result.stdout
    assert "'published_at': '20" in result.stdout and "'rejected': None" in result.stdout
    assert "<html" not in result.stdout and "'hints'" not in result.stdout
    # a listing: its article links, followed with --depth 2
    listing = scrapy(
        "parse", "https://thoidai.com.vn/huu-nghi", "--nolog", "--depth", "2",
        *fast_settings(mirror.hosts_map(), db),
    )  # fmt: skip
    assert listing.returncode == 0, listing.stderr[-2000:]
    assert ">>> STATUS DEPTH LEVEL 2 <<<" in listing.stdout  # the links' articles
    assert listing.stdout.count("'site': 'thoidai'") >= 2
    assert not db.exists()  # parse stores nothing and records no run


def test_check_runs_one_contract_per_site_against_the_mirror(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    result = scrapy("check", *fast_settings(mirror.hosts_map(), db))
    sites = [s for s in default_registry().values() if s.enabled]
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Ran {len(sites)} contracts" in result.stderr and "OK" in result.stderr
    crawl(mirror, "phutho", db)
    runs = sqlite3.connect(db).execute("SELECT count(*) FROM crawl_runs").fetchone()[0]
    assert scrapy("check", "phutho", *fast_settings(mirror.hosts_map(), db)).returncode == 0
    again = sqlite3.connect(db).execute("SELECT count(*) FROM crawl_runs").fetchone()[0]
    assert runs == again == 1  # only the real crawl recorded a run


def test_shell_and_fetch_record_no_run(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    settings = fast_settings(mirror.hosts_map(), db)
    shell = scrapy("shell", "https://thoidai.com.vn/", "-c", "response.status", *settings)
    assert shell.returncode == 0 and shell.stdout.strip() == "200", shell.stderr[-2000:]
    fetch = scrapy("fetch", "--nolog", "https://thoidai.com.vn/huu-nghi", *settings)
    assert fetch.returncode == 0 and "thoidai.com.vn/" in fetch.stdout, fetch.stderr[-2000:]
    if db.exists():  # the store pipeline may open (create) it: no run is recorded
        assert sqlite3.connect(db).execute("SELECT count(*) FROM crawl_runs").fetchone() == (0,)


def test_feed_exports_carry_the_schemas_fields_only(mirror, tmp_path: Path):
    jsonl, table = tmp_path / "out.jsonl", tmp_path / "out.csv"
    result = crawl(
        mirror, "baoquocte", tmp_path / "news.db", "-a", "max_items=4",
        "-O", str(jsonl), "-O", str(table),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [json.loads(line) for line in jsonl.read_text("utf-8").splitlines()]
    assert rows and all(list(row) == ARTICLE_FIELDS for row in rows)
    assert any(row["images"] for row in rows)
    assert all(isinstance(row["images"], list | None) for row in rows)
    with table.open(encoding="utf-8", newline="") as handle:
        cells = list(csv.DictReader(handle))
    assert [list(c) for c in cells] == [ARTICLE_FIELDS] * len(rows)
    for cell, row in zip(cells, rows, strict=True):
        for name in ("images", "date_conflicts"):  # JSON, not a Python repr
            assert json.loads(cell[name] or "null") == row[name]
        assert cell["title"] == row["title"]
    assert "<html" not in jsonl.read_text("utf-8")


def test_crawlall_writes_one_feed_per_site(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    pattern = str(tmp_path / "feeds" / "%(name)s.jsonl")
    args = fast_settings(mirror.hosts_map(), db)
    result = scrapy(
        "crawlall", "--only", "phutho,thainguyen", "-a", "max_items=2", "-O", pattern, *args
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for name in ("phutho", "thainguyen"):
        rows = (tmp_path / "feeds" / f"{name}.jsonl").read_text("utf-8").splitlines()
        assert len(rows) == 2 and {json.loads(r)["site"] for r in rows} == {name}


def test_store_locks_and_cache_resolve_from_the_project_not_the_cwd(mirror, tmp_path: Path):
    """A project folder (scrapy.cfg) with a docs/ folder: crawling from docs/ with the default,
    relative SQLITE_PATH writes the project's data/, never docs/data/."""
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    shutil.copy(ROOT / "scrapy.cfg", project)
    settings = [
        a for a in fast_settings(mirror.hosts_map(), Path("unused")) if "SQLITE_PATH" not in a
    ]
    settings = [a for a in settings if a != "-s"]
    args = [arg for pair in settings for arg in ("-s", pair)]
    args += ["-s", "LOG_FILE=logs/crawl.log"]
    run = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "phutho", *args],
        cwd=project / "docs", env=clean_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert (project / "data" / "news.db").is_file()
    assert (project / "data" / "locks" / "phutho.lock").is_file()
    assert (project / "data" / "httpcache").is_dir()
    assert "phutho: exit 0" in (project / "logs" / "crawl.log").read_text("utf-8")
    assert list((project / "docs").iterdir()) == []
    found = subprocess.run(
        [sys.executable, "-m", "scrapy", "runs"],
        cwd=project / "docs", env=clean_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert found.returncode == 0 and "phutho" in found.stdout, found.stderr
