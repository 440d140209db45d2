"""Dead links: article pages that answer 404 or 410 are "gone", not fetch errors.

A site's own broken links say nothing about the crawl's health, so they do not count towards
the error rate (crawler.extensions.health); they are counted as `fetch/gone/<status>`, noted
in the store's `gone_urls` table and not requested again until their backoff ends
(crawler.extensions.gone_links). A link that answers again is forgotten.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest

GONE_STATUSES = (404, 410)


class GoneBackoff(IgnoreRequest):
    """The link answered 404/410 on an earlier run and its backoff has not ended."""


def is_gone(status: int) -> bool:
    return status in GONE_STATUSES
