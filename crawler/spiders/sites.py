"""One spider per registry entry, so `scrapy list` and `scrapy crawl NAME` know every site."""

from __future__ import annotations

import sys
from typing import Any

from scrapy.http import Response

from crawler.registry import RegistryError, Site, default_registry

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


try:
    _SITES = default_registry()
except RegistryError as exc:  # an operator's edit: say what is wrong, without a traceback
    print(f"registry error: {exc}", file=sys.stderr)
    raise SystemExit(2) from None

globals().update(
    {cls.__name__: cls for cls in map(spider_class, _SITES.values()) if cls.site.enabled}
)
