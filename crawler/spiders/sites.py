"""One spider per registry entry, so `scrapy list` and `scrapy crawl NAME` know every site."""

from __future__ import annotations

from crawler.registry import Site, default_registry

from .base import SiteSpider


def spider_class(site: Site) -> type[SiteSpider]:
    name = "".join(part.title() for part in site.name.split("_")) + "Spider"
    return type(
        name,
        (SiteSpider,),
        {"name": site.name, "site": site, "__module__": __name__, "__doc__": site.label},
    )


globals().update(
    {
        cls.__name__: cls
        for cls in map(spider_class, default_registry().values())
        if cls.site.enabled
    }
)
