"""The store at a glance, as one self-contained HTML page (`scrapy report`).

Four pictures: articles per site per month, crawl health over time (from `crawl_runs`), where
each field came from per site (the `extract/field/<field>/<source>` counts in
`crawl_runs.stats`, absent from runs of crawlers that did not count them), and the partner
countries of each province's foreign-affairs articles per month (the v7 facet tables). Plotly
draws them; its JavaScript is inlined once, so the page works offline and requests nothing.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

PROVENANCE_KEY = re.compile(r"extract/field/(\w+)/(profile|fallback|empty)")
SOURCES = ("profile", "fallback", "empty")
SOURCE_COLOURS = {"profile": "#2ca02c", "fallback": "#ff7f0e", "empty": "#d62728"}
FIELD_ORDER = ("title", "date", "text", "author", "lead")
# Field provenance sums a site's latest runs that counted it: the profile's current state.
PROVENANCE_RUNS = 10


@dataclass
class Run:
    spider: str
    started_at: str
    seconds: float | None
    exit_status: int | None
    verdict: str
    articles_new: int
    errors: int
    pages_fetched: int
    provenance: dict[str, dict[str, int]] = field(default_factory=dict)


def _stats(raw: str | None) -> dict[str, Any]:
    try:
        stats = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return stats if isinstance(stats, dict) else {}


def _seconds(started: str | None, finished: str | None) -> float | None:
    try:
        return (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()
    except (TypeError, ValueError):
        return None


def read_runs(db: sqlite3.Connection) -> list[Run]:
    runs = []
    for row in db.execute(
        "SELECT spider, started_at, finished_at, exit_status, verdict, finish_reason,"
        " articles_new, errors, pages_fetched, stats FROM crawl_runs ORDER BY started_at"
    ):
        spider, started, finished, status, verdict, reason, new, errors, pages, raw = row
        provenance: dict[str, dict[str, int]] = defaultdict(dict)
        for key, value in _stats(raw).items():
            match = PROVENANCE_KEY.fullmatch(key)
            if match and isinstance(value, int | float):
                provenance[match.group(1)][match.group(2)] = int(value)
        runs.append(
            Run(
                spider=spider,
                started_at=started,
                seconds=_seconds(started, finished),
                exit_status=status,
                verdict=verdict or reason or ("killed" if not finished else ""),
                articles_new=new or 0,
                errors=errors or 0,
                pages_fetched=pages or 0,
                provenance=dict(provenance),
            )
        )
    return runs


def articles_per_month(db: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """{site: {YYYY-MM: articles}}; articles without a usable date left out."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for site, month, count in db.execute(
        "SELECT site, substr(published_at, 1, 7) AS month, count(*) FROM articles"
        " WHERE published_at IS NOT NULL GROUP BY site, month ORDER BY month"
    ):
        counts[site][month] = count
    return dict(counts)


def provenance_per_site(runs: list[Run]) -> dict[str, dict[str, dict[str, int]]]:
    """{site: {field: {source: count}}} over each site's latest runs that counted fields."""
    counted: dict[str, list[Run]] = defaultdict(list)
    for run in runs:
        if run.provenance:
            counted[run.spider].append(run)
    totals: dict[str, dict[str, dict[str, int]]] = {}
    for site, site_runs in sorted(counted.items()):
        fields: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SOURCES, 0))
        for run in site_runs[-PROVENANCE_RUNS:]:
            for name, sources in run.provenance.items():
                for source, count in sources.items():
                    fields[name][source] += count
        totals[site] = dict(fields)
    return totals


# -- figures --------------------------------------------------------------------------------


def articles_figure(counts: dict[str, dict[str, int]]) -> go.Figure:
    figure = go.Figure()
    for site, months in sorted(counts.items()):
        figure.add_bar(
            name=site,
            x=[f"{month}-01" for month in months],
            y=list(months.values()),
            xperiod="M1",
            xperiodalignment="middle",
            hovertemplate="%{x|%Y-%m}: %{y}",
        )
    figure.update_layout(
        barmode="stack",
        xaxis={"title": "month published", "type": "date"},
        yaxis={"title": "articles"},
        legend={"title": "site"},
        height=420,
        margin={"t": 30},
    )
    return figure


# Foreign-affairs articles per today's province, partner country and month (docs/schema.md).
PARTNERS_SQL = """
SELECT p.name, k.country, substr(a.published_at, 1, 7) AS month, count(DISTINCT a.id)
FROM articles a
JOIN article_relevance r ON r.article_id = a.id AND r.foreign_affairs
JOIN article_provinces p ON p.article_id = a.id AND p.about
JOIN article_partners k ON k.article_id = a.id AND k.country IS NOT NULL
WHERE a.published_at IS NOT NULL
GROUP BY p.name, k.country, month
"""


MONTH_MS = 26 * 24 * 3600 * 1000


def partners_per_province(db: sqlite3.Connection) -> list[tuple[str, str, str, int]]:
    """(province, partner country, month, articles); empty for a store without facets."""
    try:
        return [tuple(row) for row in db.execute(PARTNERS_SQL)]
    except sqlite3.OperationalError:  # a store older than the facets (v7), opened read-only
        return []


def partners_figure(rows: list[tuple[str, str, str, int]]) -> go.Figure:
    """Months across, one panel row per province, a bar per partner country."""
    provinces = sorted({province for province, *_ in rows})
    figure = make_subplots(
        rows=len(provinces),
        cols=1,
        shared_xaxes=True,
        subplot_titles=provinces,
        vertical_spacing=min(0.08, 0.3 / max(1, len(provinces))),
    )
    palette = pio.templates["plotly"].layout.colorway
    countries = sorted({country for _, country, *_ in rows})
    for index, country in enumerate(countries):
        for row, province in enumerate(provinces, start=1):
            points = sorted((month, n) for p, c, month, n in rows if p == province and c == country)
            if not points:
                continue
            figure.add_bar(
                name=country,
                legendgroup=country,
                showlegend=not any(t.name == country for t in figure.data),
                x=[f"{month}-01" for month, _ in points],
                y=[n for _, n in points],
                width=[MONTH_MS] * len(points),  # a lone bar on a date axis is drawn 1 ms wide
                marker={"color": palette[index % len(palette)]},
                xperiod="M1",
                xperiodalignment="middle",
                hovertemplate=f"{province}, {country} %{{x|%Y-%m}}: %{{y}}<extra></extra>",
                row=row,
                col=1,
            )
    figure.update_layout(
        barmode="stack",
        height=200 + 180 * len(provinces),
        margin={"t": 40},
        legend={"title": "partner country (ISO 3166)"},
    )
    figure.update_xaxes(type="date")
    return figure


HEALTH_ROWS = ("new articles", "duration (s)", "errors", "exit status (hover: verdict)")


def health_figure(runs: list[Run]) -> go.Figure:
    figure = make_subplots(
        rows=len(HEALTH_ROWS),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.05,
        subplot_titles=HEALTH_ROWS,
    )
    by_spider: dict[str, list[Run]] = defaultdict(list)
    for run in runs:
        by_spider[run.spider].append(run)
    palette = pio.templates["plotly"].layout.colorway
    for index, (spider, spider_runs) in enumerate(sorted(by_spider.items())):
        colour = palette[index % len(palette)]
        x = [run.started_at for run in spider_runs]
        hover = [
            f"{spider} {run.started_at}<br>exit {run.exit_status}: {html.escape(run.verdict)}"
            f"<br>{run.pages_fetched} pages, {run.articles_new} new, {run.errors} errors"
            for run in spider_runs
        ]
        columns = (
            [run.articles_new for run in spider_runs],
            [run.seconds for run in spider_runs],
            [run.errors for run in spider_runs],
            [run.exit_status for run in spider_runs],
        )
        for row, values in enumerate(columns, start=1):
            figure.add_scatter(
                x=x,
                y=values,
                name=spider,
                legendgroup=spider,
                showlegend=row == 1,
                mode="lines+markers",
                line={"color": colour},
                marker={"size": 8},
                hovertext=hover,
                hoverinfo="text",
                row=row,
                col=1,
            )
    figure.update_yaxes(rangemode="tozero")
    figure.update_yaxes(dtick=1, row=len(HEALTH_ROWS), col=1)
    figure.update_layout(height=760, margin={"t": 40}, legend={"title": "site"})
    figure.update_xaxes(title_text="run started (UTC)", row=len(HEALTH_ROWS), col=1)
    return figure


def provenance_figure(totals: dict[str, dict[str, dict[str, int]]]) -> go.Figure:
    labels, shares = [], {source: [] for source in SOURCES}
    hovers = {source: [] for source in SOURCES}
    for site, fields in totals.items():
        names = [f for f in FIELD_ORDER if f in fields] + sorted(set(fields) - set(FIELD_ORDER))
        for name in names:
            counts = fields[name]
            total = sum(counts.values()) or 1
            labels.append(f"{site} · {name}")
            for source in SOURCES:
                shares[source].append(100 * counts[source] / total)
                hovers[source].append(f"{site} {name}: {counts[source]} of {total} {source}")
    figure = go.Figure()
    for source in SOURCES:
        figure.add_bar(
            name=source,
            y=labels,
            x=shares[source],
            orientation="h",
            marker_color=SOURCE_COLOURS[source],
            hovertext=hovers[source],
            hoverinfo="text",
        )
    figure.update_layout(
        barmode="stack",
        xaxis={"title": "% of extracted pages", "range": [0, 100]},
        yaxis={"autorange": "reversed", "type": "category"},
        legend={"title": "came from"},
        height=max(260, 26 * len(labels) + 120),
        margin={"t": 30, "l": 160},
    )
    return figure


# -- the page -------------------------------------------------------------------------------

STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1200px;color:#222}
h1{margin-bottom:.2em} .note{color:#555} table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ddd;padding:.2em .6em;text-align:right} th{background:#f4f4f4}
td:first-child,th:first-child{text-align:left}
"""


def _section(title: str, note: str, body: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2><p class=note>{note}</p>{body}</section>"


def _summary_table(runs: list[Run]) -> str:
    rows = defaultdict(lambda: {"runs": 0, "ok": 0, "new": 0, "errors": 0, "last": ""})
    for run in runs:
        row = rows[run.spider]
        row["runs"] += 1
        row["ok"] += run.exit_status == 0
        row["new"] += run.articles_new
        row["errors"] += run.errors
        row["last"] = f"{run.started_at}: exit {run.exit_status}, {run.verdict}"
    head = "<tr><th>site</th><th>runs</th><th>exit 0</th><th>new articles</th><th>errors</th>"
    head += "<th>last run</th></tr>"
    body = "".join(
        f"<tr><td>{html.escape(site)}</td><td>{r['runs']}</td><td>{r['ok']}</td>"
        f"<td>{r['new']}</td><td>{r['errors']}</td><td>{html.escape(r['last'])}</td></tr>"
        for site, r in sorted(rows.items())
    )
    return f"<table>{head}{body}</table>"


def render(db: sqlite3.Connection, source: str) -> str:
    """The report page for the store `db` (named `source` on the page)."""
    runs = read_runs(db)
    counts = articles_per_month(db)
    totals = provenance_per_site(runs)
    partners = partners_per_province(db)
    undated = db.execute("SELECT count(*) FROM articles WHERE published_at IS NULL").fetchone()[0]
    total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    figures: list[str] = []

    def plot(figure: go.Figure) -> str:
        include = not figures  # plotly.js once, inlined: no CDN, works offline
        figures.append(
            pio.to_html(
                figure,
                include_plotlyjs=include,
                full_html=False,
                config={"displaylogo": False, "responsive": True},
            )
        )
        return figures[-1]

    parts = [
        _section(
            "Articles per site per month",
            f"{total} articles; {undated} without a usable date are not shown.",
            plot(articles_figure(counts)) if counts else "<p>No dated article yet.</p>",
        ),
        _section(
            "Crawl health over time",
            'One point per run and site; exit status 0 is a healthy run (README, "Exit status").',
            (plot(health_figure(runs)) + _summary_table(runs)) if runs else "<p>No run yet.</p>",
        ),
        _section(
            "Field provenance per site",
            f"Where each field came from over each site's last {PROVENANCE_RUNS} runs that"
            " counted it: the site's profile rule, a fallback (metadata, trafilatura...), or"
            " nothing.",
            plot(provenance_figure(totals))
            if totals
            else "<p>No run recorded field provenance (no <code>extract/field/…</code> counts"
            " in <code>crawl_runs.stats</code>; crawlers before that count did not keep"
            " them).</p>",
        ),
        _section(
            "Partner countries per province per month",
            "Foreign-affairs articles about each province (as of today's 34 provinces), by the"
            " foreign countries they name (a country's provinces, cities and agencies count for"
            " it).",
            plot(partners_figure(partners))
            if partners
            else "<p>No foreign-affairs article names a partner and a province yet.</p>",
        ),
    ]
    generated = max((run.started_at for run in runs), default="")
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<title>Crawl report</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Crawl report</h1><p class=note>{html.escape(source)}"
        f"{' · last run ' + html.escape(generated) if generated else ''}</p>"
        + "".join(parts)
        + "</body></html>"
    )
