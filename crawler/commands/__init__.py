"""Project commands: `scrapy extract`, and the store's tools."""
