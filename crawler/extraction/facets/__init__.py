"""Who an article is about: foreign partners, Vietnamese provinces, foreign-affairs relevance.

`analyse(title, lead, text, url=..., section=..., published_at=...)` is pure (no store, no
network): one article in, its facets out, as plain data (JSON-able, picklable for the worker
pool). The store keeps them in `article_partners`, `article_provinces` and `article_relevance`
(docs/schema.md); `scrapy facets` recomputes them when the gazetteer changes.

Photo credits and source lines ("Ảnh: TTXVN", "(Nguồn: Báo Lào Cai)") are removed before the
scan: the agency or paper that took a photo is not who the article is about.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any
from urllib.parse import urlsplit

from crawler.text.normalise import fold

from . import signals
from .gazetteer import Gazetteer, GazetteerError, gazetteer

FIELDS = ("title", "lead", "text")
MERGER_DATE = "2025-07-01"  # Resolution 202/2025/QH15: the 34 provinces operate from this day
HOME_COUNTRY = "VN"

# "(Ảnh: TTXVN)", "Ảnh: Báo Lào Cai" at the end of a paragraph, a "Nguồn: ..." line. Bounded
# repetitions only (linear).
CREDIT = re.compile(
    r"\(\s*(?:Ảnh|Ảnh minh họa|Ảnh minh hoạ|Nguồn|Nguồn ảnh|Video|Clip|Đồ họa|Đồ hoạ|Photo)"
    r"\s*:[^()\n]{0,200}\)"
    r"|(?:^|(?<=[.!?…”\"]))[ \t]*(?:Ảnh|Nguồn|Nguồn ảnh|Video|Đồ họa|Đồ hoạ|Photo)\s*:[^\n]{0,200}$"
    r"|^[ \t]*Theo [^\n]{0,80}$",
    re.MULTILINE,
)


def strip_credits(text: str | None) -> str:
    return CREDIT.sub(" ", text or "")


def site_province(url: str | None, gaz: Gazetteer) -> str | None:
    """The 63-unit code of the province whose own portal `url` is on (`vinhphuc.gov.vn`,
    `songoaivu.quangninh.gov.vn`), else None."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    labels = host.split(".")
    for start in range(len(labels) - 2):
        found = gaz.site_provinces.get(".".join(labels[start:]))
        if found:
            return found
    return None


def _era_names(gaz: Gazetteer) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """The 63 units by code and the 34 provinces by name, made once per province table (every
    province an article names looks them up)."""
    made = gaz.__dict__.get("_era_names")
    if made is None or made[0] is not gaz.provinces:
        old = {r["code"]: r for r in gaz.provinces if r["era"] == "63"}
        new = {r["name"]: r for r in gaz.provinces if r["era"] == "34"}
        made = gaz.__dict__["_era_names"] = (gaz.provinces, old, new)
    return made[1], made[2]


def resolve_province(code63: str, published_at: str | None, gaz: Gazetteer) -> dict[str, str]:
    """The province a 63-unit name means on the article's date: the unit as named (its own code
    and name, with the era of that code: 63 before the reorganisation, 34 after) and the province
    of today it belongs to. From 1 July 2025 a name that is also a
    new province's ("Phú Thọ", "Lào Cai") means the new one; a name that disappeared ("Vĩnh
    Phúc") keeps its historical code and belongs to the province that absorbed it."""
    old, new = _era_names(gaz)
    row = old[code63]
    after = bool(published_at) and published_at[:10] >= MERGER_DATE
    if after and row["name"] in new:
        now = new[row["name"]]
        return {"named_era": 34, "named_code": now["code"], "named": now["name"],
                "code": now["code"], "name": now["name"]}
    return {"named_era": 63, "named_code": row["code"], "named": row["name"],
            "code": row["becomes_code"], "name": row["becomes"]}


def analyse(
    title: str | None,
    lead: str | None,
    text: str | None,
    url: str | None = None,
    section: str | None = None,
    published_at: str | None = None,
) -> dict[str, Any]:
    """The article's facets: `partners`, `provinces`, `relevance`, and the gazetteer `version`."""
    gaz = gazetteer()
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for name, value in zip(FIELDS, (title, lead, text), strict=True):
        for hit in gaz.scan(strip_credits(value)):
            entry = hit.entry
            counts[(entry.kind, entry.code)][name] += 1
            if entry.kind in ("subdivision", "organisation") and entry.country:
                counts[("country", entry.country)]["implied"] += 1
    partners = _partners(counts, gaz)
    provinces = _provinces(counts, url, published_at, gaz)
    relevance = _relevance(counts, partners, section, url)
    return {"version": gaz.version, "partners": partners, "provinces": provinces,
            "relevance": relevance}


def _partners(counts: dict[tuple[str, str], Counter], gaz: Gazetteer) -> list[dict[str, Any]]:
    rows = []
    for (kind, code), found in counts.items():
        if kind not in ("country", "subdivision", "organisation") or code == HOME_COUNTRY:
            continue
        label_kind, name, country = gaz.labels.get(code, (kind, code, None))
        rows.append(
            {
                "kind": kind,
                "code": code,
                "name": name,
                "country": country,
                **{f"in_{f}": found[f] for f in FIELDS},
                "mentions": sum(found[f] for f in FIELDS),
                "implied": found["implied"],
            }
        )
    rows.sort(key=lambda r: (r["kind"], -r["mentions"] - r["implied"], r["code"]))
    return rows


def _provinces(
    counts: dict[tuple[str, str], Counter], url: str | None, published_at: str | None,
    gaz: Gazetteer,
) -> list[dict[str, Any]]:
    home = site_province(url, gaz)
    found = {code: c for (kind, code), c in counts.items() if kind == "province"}
    if home and home not in found:
        found[home] = Counter()
    rows = []
    for code, c in found.items():
        mentions = sum(c[f] for f in FIELDS)
        on_site = code == home
        rows.append(
            {
                **resolve_province(code, published_at, gaz),
                **{f"in_{f}": c[f] for f in FIELDS},
                "mentions": mentions,
                "site": on_site,
                "about": on_site or c["title"] > 0 or c["lead"] > 0 or c["text"] >= 2,
            }
        )
    rows.sort(key=lambda r: (not r["about"], -r["mentions"], r["named_code"]))
    return rows


def _relevance(
    counts: dict[tuple[str, str], Counter], partners: list[dict[str, Any]], section: str | None,
    url: str | None,
) -> dict[str, Any]:
    fired: list[dict[str, Any]] = []

    def fire(name: str, count: int = 1, weight: float | None = None) -> None:
        fired.append({"signal": name, "count": count,
                      "weight": signals.WEIGHTS[name] if weight is None else weight})

    where = " ".join(p for p in (section, urlsplit(url).path if url else None) if p)
    if where and signals.SECTION.search(fold(where)):
        fire("section")
    elif where and signals.OTHER_SECTION.search(fold(where)):
        fire("section_other")
    for (kind, code), found in sorted(counts.items()):
        if kind == "signal":
            fire(code, sum(found[f] for f in FIELDS))
    named = [p for p in partners if p["mentions"] or p["implied"]]
    if named:
        fire("partners", len(named), signals.WEIGHTS["partners"] * min(len(named),
                                                                        signals.PARTNERS_CAP))
    if any(p["in_title"] for p in partners):
        fire("partner_in_title")
    if any(p["in_lead"] for p in partners):
        fire("partner_in_lead")
    score = round(sum(f["weight"] for f in fired), 2)
    activities = sorted(f["signal"].split(":", 1)[1] for f in fired
                        if f["signal"].startswith("activity:"))
    return {"score": score, "foreign_affairs": score >= signals.THRESHOLD, "signals": fired,
            "activities": activities}


FACET_INPUTS = ("title", "lead", "text", "url", "section", "published_at")


def stamp_facets(item: dict[str, Any]) -> str | None:
    """analyse() of the item into `facets`: a pipeline step run in the extraction worker;
    returns the gazetteer's error (the article is then stored without facets), else None."""
    try:
        item["facets"] = analyse(*(item.get(name) for name in FACET_INPUTS))
    except GazetteerError as exc:
        return str(exc)
    return None
