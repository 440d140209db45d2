"""Spiders: one class per registry site, made in `crawler.spiders.sites` and loaded by
`crawler.spiders.loader`."""
