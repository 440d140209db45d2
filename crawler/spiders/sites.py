"""One spider class per registry entry (crawler.spiders.loader hands them to Scrapy)."""

from __future__ import annotations

from typing import Any

from scrapy.http import Response

from crawler.registry import Site

from .base import SiteSpider


def _home_contract(site: Site) -> Any:
    """`scrapy check`'s contract for the site: its home page links to article pages."""

    def parse_home(self: SiteSpider, response: Response) -> Any:
        return SiteSpider.parse_home(self, response)

    parse_home.__doc__ = f"""Article links of the home page.

        @url {site.home_url()}
        @returns requests 1
        """
    return parse_home


def spider_class(site: Site) -> type[SiteSpider]:
    name = "".join(part.title() for part in site.name.split("_")) + "Spider"
    return type(
        name,
        (SiteSpider,),
        {
            "name": site.name,
            "site": site,
            "__module__": __name__,
            "__doc__": site.label,
            "parse_home": _home_contract(site),
        },
    )
