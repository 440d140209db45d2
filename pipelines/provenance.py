"""Where each article's fields came from, counted per crawl: the profile, a fallback, or nothing.

A profile rule is a guess about a site's markup; after a redesign it stops matching and the
fallbacks take over quietly. These counts (`extract/field/<field>/<profile|fallback|empty>` and
`extract/rejected/<field:reason>`) make that visible in `crawl_runs.stats`, the summary line and
the crawl's verdict (`crawler.extensions.health`). It runs before validation, so pages dropped for a
missing title or body are counted too.

A profile rule can also match the wrong element on every page (a banner `<h1>` holding the
portal's name): a title from the profile that many articles of the crawl share is counted in
`extract/repeated/title`, and the verdict does not take it as the profile's.

Why not Spidermon's field coverage: it counts whether a field is present, not where it came
from, and its monitors report through their own actions, while cron reads the exit status.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

# Counted field -> (item key holding the value, `methods` keys naming its source).
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "title": ("title", ("title",)),
    "date": ("published_at", ("published_at", "date")),
    "text": ("text", ("text",)),
    "author": ("author", ("author",)),
    "lead": ("lead", ("lead",)),
}
PROFILE_METHOD = "rule"
REPEATED = 3  # articles of one crawl sharing a title from the profile: not their headline


def provenance(item: Any) -> dict[str, str]:
    """{field: "profile" | "fallback" | "empty"} for one item."""
    methods = item.get("methods") or {}
    out = {}
    for name, (key, method_keys) in FIELDS.items():
        value = item.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            out[name] = "empty"
            continue
        method = next((methods[k] for k in method_keys if k in methods), None)
        profile = method == PROFILE_METHOD or (name == "date" and _rule_gave_the_day(item))
        out[name] = "profile" if profile else "fallback"
    return out


def _rule_gave_the_day(item: Any) -> bool:
    """The profile's date line named the day that another source told to the minute."""
    sources = {str(c[0]) for c in item.get("date_candidates") or ()}
    conflicts = {c.get("source") for c in item.get("date_conflicts") or ()}
    return PROFILE_METHOD in sources and PROFILE_METHOD not in conflicts


def count_provenance(item: Any, stats: StatsCollector) -> None:
    for name, source in provenance(item).items():
        stats.inc_value(f"extract/field/{name}/{source}")
    for rejection in item.get("rejections") or ():
        stats.inc_value(f"extract/rejected/{rejection}")


class FieldProvenancePipeline:
    def __init__(self, stats: StatsCollector):
        self.stats = stats
        self.profile_titles: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FieldProvenancePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        count_provenance(item, self.stats)
        if provenance(item)["title"] == "profile":
            title = " ".join(item["title"].split()).casefold()
            self.profile_titles[title] += 1
            repeated = self.profile_titles[title]
            # the n-th copy: the first REPEATED - 1 copies now count too
            n = REPEATED if repeated == REPEATED else 1 if repeated > REPEATED else 0
            if n:
                self.stats.inc_value("extract/repeated/title", n)
        return item
