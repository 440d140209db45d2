"""The HTTP cache policy for entry points and listings: revalidate on every run.

Scrapy's RFC2616Policy serves an entry it judges fresh without asking the server: a listing
sent with `Cache-Control: max-age=86400`, or with an old `Last-Modified` (heuristic freshness,
a tenth of its age), was read from the cache for a day or more and every new article in it was
missed. Here nothing is ever fresh: every cached entry is sent back as a conditional request
(If-None-Match / If-Modified-Since), and a 304 answer reuses it; everything else (what is
stored, no-store, 5xx answered from the cache) stays RFC2616Policy's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.extensions.httpcache import RFC2616Policy

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response


class AlwaysRevalidatePolicy(RFC2616Policy):
    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        self._set_conditional_validators(request, cachedresponse)
        return False
