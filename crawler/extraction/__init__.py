"""Extraction: one HTML page in, one article dict out (no network).

`crawler.extraction.article.extract_article` is the entry point. The package itself imports
nothing: the store's writer process and the crawl process use its facets and memory modules
without loading trafilatura and lxml.html.
"""
