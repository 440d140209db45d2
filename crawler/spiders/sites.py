"""One spider per registry entry, so `scrapy list` and `scrapy crawl NAME` know every site."""

from __future__ import annotations

import sys

from crawler.registry import RegistryError, Site, default_registry

from .base import SiteSpider


def spider_class(site: Site) -> type[SiteSpider]:
    name = "".join(part.title() for part in site.name.split("_")) + "Spider"
    return type(
        name,
        (SiteSpider,),
        {"name": site.name, "site": site, "__module__": __name__, "__doc__": site.label},
    )


try:
    _SITES = default_registry()
except RegistryError as exc:  # an operator's edit: say what is wrong, without a traceback
    print(f"registry error: {exc}", file=sys.stderr)
    raise SystemExit(2) from None

globals().update(
    {cls.__name__: cls for cls in map(spider_class, _SITES.values()) if cls.site.enabled}
)
