"""Spiders: one class per registry site, generated in `crawler.spiders.sites`."""
