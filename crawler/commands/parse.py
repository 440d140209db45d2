"""`scrapy parse URL`: the site's spider on one page, nothing stored, no `crawl_runs` row.

The spider for the URL's host is chosen by the registry; its `parse` callback extracts an
article page, or lists the article links of a listing or home page (follow them with
`--depth 2`). Pages already in the store are not skipped here.
"""

from __future__ import annotations

import argparse
from typing import Any

from itemadapter import ItemAdapter
from scrapy.commands.parse import Command as ScrapyParse
from scrapy.utils import display

from crawler.cli import Strict, check_spider_arguments
from crawler.feeds import ARTICLE_FIELDS
from crawler.items import ArticleItem
from pipelines.chain import normalise


def shown(item: Any) -> dict[str, Any]:
    """An article as `-O out.jsonl` writes it: normalised (dates, text), no internals."""
    fields = dict(ItemAdapter(item).asdict())
    if not isinstance(item, ArticleItem):
        return fields
    fields = normalise(fields)  # adds `rejected`: why the store would drop it, or None
    return {k: fields.get(k) for k in [*ARTICLE_FIELDS, "rejected"]}


class Command(Strict, ScrapyParse):
    max_args = 1

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        self.settings.set("INCREMENTAL", False, priority="cmdline")  # show every link
        if not opts.pipelines:  # nothing stored unless asked
            self.settings.set("ITEM_PIPELINES", {}, priority="cmdline")

    def print_items(self, lvl: int | None = None, colour: bool = True) -> None:
        items = (
            [item for level in self.items.values() for item in level]
            if lvl is None
            else self.items.get(lvl, [])
        )
        print("# Scraped Items ", "-" * 60)
        display.pprint([shown(item) for item in items], colorize=colour)

    def set_spidercls(self, url: str, opts: argparse.Namespace) -> None:
        super().set_spidercls(url, opts)
        if self.spidercls is not None:
            check_spider_arguments(self.spidercls, opts.spargs)
