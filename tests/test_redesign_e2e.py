"""End to end: sites that moved to a new article template (tests/mirror/redesign.py).

The profiles were written for the old templates. On the new ones a crawl must still store right
values or nothing (body at least as good as plain trafilatura's on the same pages, titles and
dates right or empty), and its verdict must say which profile stopped matching, and on which
fields, with its own exit status.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from bench.score_extraction import Score, plain
from crawler.extensions.health import EXIT_OK, EXIT_PROFILE_STALE
from tests.conftest import crawl
from tests.mirror.content import ARTICLES
from tests.mirror.server import MirrorServer
from tests.mirror.sites import SITES as MIRRORED
from tests.mirror.web import Request

# One site per CMS family.
SITES = ["thoidai", "vinhphuc", "thainguyen", "phutho"]
FULL_CRAWL = ("-s", "INCREMENTAL=False")


@pytest.fixture(scope="module")
def redesigned() -> Iterator[MirrorServer]:
    with MirrorServer(redesign=True) as server:
        yield server


def last_run(db: Path) -> dict:
    run = list(sqlite_utils.Database(db)["crawl_runs"].rows)[-1]
    run["stats"] = json.loads(run["stats"])
    return run


def stored(db: Path) -> dict[str, dict]:
    """Stored articles by each URL they were fetched from."""
    database = sqlite_utils.Database(db)
    articles = {a["id"]: a for a in database["articles"].rows}
    return {u["url"]: articles[u["article_id"]] for u in database["article_urls"].rows}


def same_date(got: str, expected: str) -> bool:
    """The same day, and the same minute where both give a time."""
    if got[:10] != expected[:10]:
        return False
    return len(got) == 10 or len(expected) == 10 or got[:16] == expected[:16]


@pytest.mark.parametrize("site", SITES)
def test_redesigned_site_stores_right_values_and_names_the_stale_profile(
    redesigned: MirrorServer, tmp_path: Path, site: str
):
    db = tmp_path / "news.db"
    result = crawl(redesigned, site, db)
    run = last_run(db)

    # The verdict: its own exit status, naming the profile and the field(s), on the last line.
    assert result.returncode == EXIT_PROFILE_STALE, result.stderr[-3000:]
    last_line = result.stderr.strip().splitlines()[-1]
    assert f"exit {EXIT_PROFILE_STALE}: profile {site} (" in last_line
    named = last_line.split("stopped matching: ")[1].split(" (")[0].split(", ")
    assert {"title", "text"} <= set(named), last_line
    assert run["exit_status"] == EXIT_PROFILE_STALE and run["verdict"] in last_line
    assert run["stats"]["extract/field/text/fallback"] == run["items_extracted"]
    summary = next(line for line in result.stderr.splitlines() if f"{site} summary" in line)
    assert "from profile: title " in summary and "text 0/" in summary

    # Every page extracted is stored: the story's heading is told from the teasers' linked
    # headlines and the portal's banner, so no article is lost for want of a title.
    assert json.loads(run["dropped"]) == {}
    assert run["items_extracted"] >= 3
    assert run["items_extracted"] == run["articles_new"] + run["duplicates"]

    # The values stored: body at least plain trafilatura's on the same pages; titles and dates
    # right or empty, never another value.
    articles = stored(db)
    pages = [a for a in ARTICLES[site] if a.url in articles]
    assert pages
    ours, theirs = Score(), Score()
    wrong_titles, wrong_dates = [], []
    for article in pages:
        page = redesigned.dispatch(Request("GET", MIRRORED[site].main_host, article.path))
        html = page.body.decode("utf-8")
        gold = "\n\n".join(article.paragraphs)
        got = articles[article.url]
        ours.add_body(gold, got["text"] or "")
        theirs.add_body(gold, plain(html, article.url).get("text") or "")
        if got["title"] and got["title"] != article.title:
            wrong_titles.append((article.url, got["title"]))
        if got["published_at"] and not same_date(got["published_at"], article.published_at):
            wrong_dates.append((article.url, got["published_at"], article.published_at))
    assert ours.f1() >= theirs.f1(), (ours.f1(), theirs.f1())
    assert (wrong_titles, wrong_dates) == ([], []), (
        f"{len(pages)} pages: {len(wrong_titles)} wrong titles, {len(wrong_dates)} wrong dates"
    )


@pytest.mark.parametrize("site", ["phutho", "thoidai"])
def test_fields_the_profile_used_to_give_are_named_after_a_redesign(
    mirror: MirrorServer, redesigned: MirrorServer, tmp_path: Path, site: str
):
    """Date and author are judged against the site's last healthy run (they may be missing)."""
    db = tmp_path / "news.db"
    before = crawl(mirror, site, db, *FULL_CRAWL)
    assert before.returncode == EXIT_OK, before.stderr[-3000:]
    assert last_run(db)["stats"]["extract/field/date/profile"] > 0

    after = crawl(redesigned, site, db, *FULL_CRAWL)
    run = last_run(db)
    assert after.returncode == EXIT_PROFILE_STALE, after.stderr[-3000:]
    stale = run["verdict"].split("stopped matching: ")[1].split(" (")[0].split(", ")
    assert {"date", "author", "text"} <= set(stale), run["verdict"]
    assert run["stats"]["health/baseline/date"] == 1.0

    # Back on the old template (the profile fixed): healthy again, judged against the last
    # healthy run, not the stale one.
    again = crawl(mirror, site, db, *FULL_CRAWL)
    assert again.returncode == EXIT_OK, again.stderr[-3000:]
    assert last_run(db)["verdict"] == "finished"
