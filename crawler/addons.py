"""Settings derived from other settings, applied once per crawler (Scrapy add-ons)."""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import BaseSettings

from crawler.paths import project_dir


class BesideTheStore:
    """Keep the HTTP cache (conditional requests for listings) in the store's folder.

    A cache shared between stores would answer one store's crawl with another's pages; kept
    beside `SQLITE_PATH` it belongs to that store, like the spider locks.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        # Add-on priority: below settings.py and -s, so an explicit HTTPCACHE_DIR still wins.
        store = Path(settings.get("SQLITE_PATH") or "data/news.db")
        store = store if store.is_absolute() else project_dir() / store
        settings.set("HTTPCACHE_DIR", str(store.parent / "httpcache"), priority="addon")
