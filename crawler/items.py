"""The article item: what extraction produces and the pipelines complete.

Field names are the store's column names, so `scrapy extract` output, the pipelines and the
`articles` table speak one vocabulary.
"""

from __future__ import annotations

import scrapy


class ArticleItem(scrapy.Item):
    # Identity
    url = scrapy.Field()  # the URL the page was fetched from (fragment and tracking removed)
    canonical_url = scrapy.Field()  # rel=canonical / og:url when the page declares one
    site = scrapy.Field()  # registry name of the site
    # Content (extraction)
    title = scrapy.Field()
    lead = scrapy.Field()
    text = scrapy.Field()  # body paragraphs joined by blank lines
    author = scrapy.Field()
    section = scrapy.Field()
    language = scrapy.Field()
    images = scrapy.Field()  # [{"src": ..., "caption": ...}]
    date_candidates = scrapy.Field()  # [(source, raw string)], best source first
    methods = scrapy.Field()  # {field: "rule" | "trafilatura" | "meta" | "jsonld" | ...}
    rejections = scrapy.Field()  # ["field:reason"]: values extraction refused, and why
    layout = scrapy.Field()  # the registry layout (template version) that read the page
    page_titles = scrapy.Field()  # <title> and og:title as the page had them (site memory)
    # Normalisation
    published_at = scrapy.Field()  # ISO 8601 with +07:00, or YYYY-MM-DD at day precision
    published_raw = scrapy.Field()
    date_precision = scrapy.Field()
    date_error = scrapy.Field()
    date_conflicts = scrapy.Field()  # other sources that disagreed: [{"source", "value"}]
    content_hash = scrapy.Field()
    capped = scrapy.Field()  # {field: original length} of the fields cut to their limit
    fetched_at = scrapy.Field()  # UTC ISO 8601
    # Carried to the store, not a column of `articles`
    html = scrapy.Field()  # the page as fetched (decoded), kept compressed for re-extraction
    page_body = scrapy.Field()  # the page's bytes as received (kept when html is not them)
    page_headers = scrapy.Field()  # the response's headers: {name: value}
    page_encoding = scrapy.Field()  # the codec crawler.text.decoding read the bytes with
    hints = scrapy.Field()  # what discovery knew (API title/date/body, listing section)
    near_sketch = scrapy.Field()  # (MinHash signature, shingle count) of text, for the store
    facets = scrapy.Field()  # crawler.extraction.facets.analyse(): partners, provinces, relevance
    # Made in the extraction worker by the pipelines' steps (crawler.extraction.pool.add_step)
    worker_steps = scrapy.Field()  # {step: its report}: the steps the worker ran on the item
    folded = scrapy.Field()  # articles.folded / folded_title, computed for the store
    folded_title = scrapy.Field()
    page_zlib = scrapy.Field()  # the html, compressed for `pages` (the item then has no html)
    html_chars = scrapy.Field()  # the html's length in characters
