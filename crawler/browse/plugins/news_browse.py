"""Datasette plugin for the article store (loaded with --plugins-dir, see ../metadata.yml).

Three things metadata alone cannot say in Datasette 0.65: which long columns a table page leaves
out until asked for, search terms in NFC (FTS5 keeps diacritics, so a query typed in combining
characters would match nothing), and a compact rendering of the search query's results.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from datasette import hookimpl
from datasette.utils import escape_fts
from markupsafe import Markup, escape

PLUGIN = "news-browse"
# The search query's snippet() marks a hit with these two private-use characters.
HIT_START, HIT_END = "\ue000", "\ue001"


def nfc_escape_fts(query: str) -> str:
    return escape_fts(unicodedata.normalize("NFC", query or ""))


@hookimpl(trylast=True)
def prepare_connection(conn):
    # trylast: after Datasette's own escape_fts, which this one replaces
    conn.create_function("escape_fts", 1, nfc_escape_fts, deterministic=True)


# Datasette lists the column descriptions above the rows, one a line: a short scrolling box
# in two columns instead, so that the rows start on the first screen. A title on one line;
# on an article's own page, a readable body.
CSS = (
    "dl.column-descriptions{columns:2;max-height:8.5em;overflow-y:auto;font-size:.85em;"
    "border:1px solid #ddd;padding:.3em .6em}"
    "dl.column-descriptions dt{break-after:avoid}dl.column-descriptions dd{margin:0 0 .3em 1em}"
    "body.table td.col-title{min-width:26em}td.col-published_at{white-space:nowrap}"
    "body.row td.col-text,body.row td.col-folded{min-width:40em}"
)


@hookimpl
def extra_css_urls():
    return ["data:text/css," + quote(CSS)]


def _link(url: str) -> Markup:
    host = urlsplit(url).hostname or url
    return Markup(f'<a href="{escape(url)}" title="{escape(url)}">{escape(host)}</a>')


@hookimpl
def render_cell(row, value, column):
    """URLs shown as their host (the whole URL is the link and its tooltip), search hits
    marked: a row then takes a line or two."""
    if not isinstance(value, str):
        return None
    if column in ("url", "canonical_url") and value.startswith(("http://", "https://")):
        return _link(value)
    keys = row.keys() if hasattr(row, "keys") else ()
    if column == "snippet" and "snippet" in keys and HIT_START in value:
        marked = str(escape(value)).replace(HIT_START, "<mark>").replace(HIT_END, "</mark>")
        return Markup(marked)
    return None


def _default_columns_target(datasette, scope) -> str | None:
    """The URL with the table's hidden columns left out, for a plain table page request."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    parts = scope["path"].strip("/").split("/")
    if len(parts) != 2 or "." in parts[1]:  # /db/table only, not .json/.csv or row pages
        return None
    hidden = (datasette.plugin_config(PLUGIN) or {}).get("hidden_columns", {}).get(parts[1])
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if not hidden or any(key in ("_col", "_nocol") for key, _ in query):
        return None
    query += [("_nocol", column) for column in hidden]
    return f"{scope.get('root_path', '')}{scope['path']}?{urlencode(query)}"


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def leave_out_long_columns(scope, receive, send):
            target = _default_columns_target(datasette, scope)
            if target is None:
                await app(scope, receive, send)
                return
            await send(
                {
                    "type": "http.response.start",
                    "status": 302,
                    "headers": [(b"location", target.encode("latin-1"))],
                }
            )
            await send({"type": "http.response.body", "body": b""})

        return leave_out_long_columns

    return wrap
