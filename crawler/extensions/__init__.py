"""Scrapy glue around a crawl: the run log (crawl_runs), progress lines, the exit-status
verdict, per-spider locks, dead links noted in the store, distributed mode."""
