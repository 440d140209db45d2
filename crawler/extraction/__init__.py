"""Extraction: one HTML page in, one article dict out (no network)."""

from .article import extract_article

__all__ = ["extract_article"]
