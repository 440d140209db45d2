"""Bad input during real crawls: a redirected host, a dead host, an API answering HTML.

Each is logged once, counted in the stats and in `crawl_runs`, and the crawl goes on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils

from tests.conftest import crawl
from tests.mirror.server import MirrorServer


def last_run(db: Path) -> dict:
    runs = list(sqlite_utils.Database(db)["crawl_runs"].rows)
    run = runs[-1]
    run["stats"] = json.loads(run["stats"])
    return run


@pytest.fixture
def vinhphuc_mirror(request):
    with MirrorServer(vinhphuc_mode=request.param) as server:
        yield server


@pytest.mark.parametrize("vinhphuc_mirror", ["redirect"], indirect=True)
def test_host_redirected_to_another_province_is_reported(vinhphuc_mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    result = crawl(vinhphuc_mirror, "vinhphuc", db)
    assert result.stderr.count("redirects to another host:") == 1
    run = last_run(db)
    assert run["stats"]["site/redirect_offsite/phutho.gov.vn"] >= 1
    assert run["articles_new"] == 0
    assert result.returncode == 4  # answers, but nothing usable on the site's own hosts
    assert run["exit_status"] == 4 and "phutho.gov.vn" in run["verdict"]
    assert "exit 4" in result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("vinhphuc_mirror", ["dead"], indirect=True)
def test_dead_host_is_reported_and_exit_is_non_zero(vinhphuc_mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    # Scrapy's robots.txt middleware logs the dead host's failure with a traceback.
    result = crawl(vinhphuc_mirror, "vinhphuc", db, tracebacks=True)
    run = last_run(db)
    assert run["finish_reason"] == "finished"
    assert run["pages_fetched"] == 0
    assert run["errors"] >= 1
    assert run["stats"]["fetch/errors"] >= 1
    assert result.returncode == 2
    assert "did not answer" in result.stderr.strip().splitlines()[-1]
    assert run["exit_status"] == 2 and "did not answer" in run["verdict"]


@pytest.mark.parametrize("vinhphuc_mirror", ["api_html"], indirect=True)
def test_api_answering_html_falls_back_to_home_page_links(vinhphuc_mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    result = crawl(vinhphuc_mirror, "vinhphuc", db)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr.count("the API did not answer JSON") == 1  # once per section at most
    run = last_run(db)
    assert run["stats"]["discovery/api_bad_answer"] >= 1
    assert run["articles_new"] >= 1  # articles linked from the home page still arrive
    stored = list(sqlite_utils.Database(db)["articles"].rows)
    assert all(a["published_at"] for a in stored)


def test_unknown_spider_and_bad_argument_are_clear(mirror, tmp_path: Path):
    result = crawl(mirror, "thoidia", tmp_path / "news.db")
    assert result.returncode != 0
    assert "no spider named 'thoidia'" in result.stderr
