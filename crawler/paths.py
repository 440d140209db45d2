"""Where the store, locks, HTTP cache and logs live: the project's folder, never the cwd.

A relative `SQLITE_PATH`, `HTTPCACHE_DIR` or `LOG_FILE` is read against the project's folder:
the directory of the `scrapy.cfg` Scrapy found (its usual project marker, searched from the
current directory upwards), else the checkout the `crawler` package sits in, else (a
non-editable install run with `SCRAPY_SETTINGS_MODULE=crawler.settings`, or an egg under
Scrapyd) `$CRAWLER_HOME`, default `~/.local/share/vn-news-crawler`. So `scrapy crawl` from
`docs/` uses the same `data/news.db` and the same locks as from the top.
"""

from __future__ import annotations

import os
from pathlib import Path

from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings
from scrapy.utils.conf import closest_scrapy_cfg

PATH_SETTINGS = ("SQLITE_PATH", "HTTPCACHE_DIR", "LOG_FILE")


def project_dir() -> Path:
    if cfg := closest_scrapy_cfg():
        return Path(cfg).resolve().parent
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "scrapy.cfg").is_file():
        return checkout
    if home := os.environ.get("CRAWLER_HOME"):
        return Path(home).expanduser().resolve()
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "vn-news-crawler"


def resolve(settings: BaseSettings, base: Path | None = None) -> None:
    """Make the path settings absolute (same priority), and the log file's folder exist.

    An empty `SQLITE_PATH` is refused: a crawl without a store would drop every article and
    still exit 0 (distributed workers, which write no SQLite, keep the default).
    """
    base = base or project_dir()
    store = settings.get("SQLITE_PATH")
    if not store or not str(store).strip():
        raise UsageError(
            "SQLITE_PATH is empty: give the article database's file, e.g."
            " -s SQLITE_PATH=data/news.db (relative to the project folder)",
            print_help=False,
        )
    for name in PATH_SETTINGS:
        value = settings.get(name)
        if not value or Path(str(value)).expanduser().is_absolute():
            continue
        priority = settings.getpriority(name) or 0
        settings.set(name, str(base / str(value)), priority=priority)
    log_file = settings.get("LOG_FILE")
    if log_file:
        try:
            Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"LOG_FILE={log_file}: cannot create its folder: {exc}") from None
