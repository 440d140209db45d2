"""Older friendship-news articles generated from data/fillers/ to make listings span 2 pages.

Each event record (events.txt) gives the facts; templates.txt gives alternative phrasings per
paragraph slot (7 per body slot). The slot choice follows a code with minimum distance 3, so two
generated bodies share at most one paragraph template (and never the facts in it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from .model import Article, Block
from .textutil import slugify

DATA = Path(__file__).parent / "data" / "fillers"

SUBSECTIONS = {
    "thoidai": ("huu-nghi/bon-phuong-ket-ban", "huu-nghi/hoat-dong-huu-nghi"),
    "baoquocte": ("ngoai-giao/tin-tuc", "ngoai-giao/doi-ngoai-dia-phuong"),
}
AUTHORS = {
    "thoidai": ("Thu Hà", "Minh Hòa", "Phương Anh", "Đức Tâm", "Hồng Nhung"),
    "baoquocte": ("Thanh Bình", "Hải Đăng", "Ngọc Vân", "Quốc Việt"),
}
# (id at the anchor date, anchor date, ids per day): ids grow with time as on the real CMS.
ID_CLOCK = {
    "thoidai": (138514, datetime(2021, 12, 3), 36),
    "baoquocte": (168274, datetime(2021, 12, 2), 100),
}
THOIDAI_STYLES = (
    ("A", "title"),
    ("B", "dateline"),
    ("A", "member_slash"),
    ("B", "cms"),
    ("A", "member_paren"),
)
BAOQUOCTE_STYLES = ("title", "member_slash", "member_paren", "title")
META = ("published_time jsonld", "published_time", "")


def _parse_blocks(path: Path, header: str) -> list[dict[str, str]]:
    """Parse "key: value" records separated by blank lines (lines starting "#" ignored)."""
    records: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if current:
                records.append(current)
            current = {}
            continue
        key, _, value = line.partition(":")
        current[key.strip()] = value.strip()
    if current:
        records.append(current)
    return [r for r in records if header in r]


def _parse_templates(path: Path) -> dict[str, list[str]]:
    slots: dict[str, list[str]] = {}
    slot = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            slot = line[1:-1]
            slots[slot] = []
        else:
            slots[slot].append(line)
    return slots


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fields(event: dict[str, str], index: int, published: datetime, photo: str) -> dict[str, str]:
    partner = event["partner"]
    day = published - timedelta(days=index % 2)
    return {
        "partner": partner,
        "amb": event["amb"],
        "amb_title": f"Đại sứ {partner} tại Việt Nam",
        "pron": event["pron"],
        "Pron": _cap(event["pron"]),
        "person": event["person"],
        "Person": _cap(event["person"]),
        "pron_person": event["person"].split()[0],
        "role": event["role"],
        "place": event["place"],
        "event": event["event"],
        "Event": _cap(event["event"]),
        "org": event.get("org") or f"Hội hữu nghị Việt Nam - {partner}",
        "occasion": event.get("occasion", ""),
        "people": str((index * 7 % 20 + 5) * 10),
        "detail": event["detail"],
        "dd": f"{day.day}",
        "mm": f"{day.month}",
        "next_year": str(published.year + 1),
        "edition": str(2 + index % 7),
        "photo": photo,
    }


def build_fillers() -> list[Article]:
    """All generated articles, for thoidai and baoquocte."""
    templates = _parse_templates(DATA / "templates.txt")
    events = _parse_blocks(DATA / "events.txt", "site")
    counters = {"thoidai": 0, "baoquocte": 0}
    articles = []
    for event in events:
        site = event["site"]
        i = counters[site]
        counters[site] += 1
        published = datetime.fromisoformat(event["date"])
        anchor_id, anchor_day, per_day = ID_CLOCK[site]
        art_id = anchor_id + (published - anchor_day).days * per_day + 7 * i + 3
        authors = AUTHORS[site]
        author = authors[i % len(authors)]
        f = _fields(event, i, published, author)

        # Paragraph templates follow the code (x, y, x+y, x+2y) over Z/7: any two generated
        # articles share at most one paragraph template, so no two bodies are near-duplicates.
        n = len(articles)
        x, y = n % 7, n // 7
        lead_ix = n % 5
        if lead_ix == 4 and not f["occasion"]:
            lead_ix = 0
        blocks: list[Block] = [
            ("p", templates["intro"][x].format(**f)),
            ("img", templates["caption"][n % 5].format(**f)),
            ("p", templates["speech"][y].format(**f)),
        ]
        if i % 2 == 0:
            blocks.append(("embed", ""))
        blocks.append(("p", templates["detail"][(x + y) % 7].format(**f)))
        blocks.append(("p", templates["closing"][(x + 2 * y) % 7].format(**f)))

        opts = {"meta": META[i % 3], "generated": "yes"}
        if site == "thoidai":
            variant, style = THOIDAI_STYLES[i % len(THOIDAI_STYLES)]
        else:
            variant, style = "A", BAOQUOCTE_STYLES[i % len(BAOQUOCTE_STYLES)]
            if i % 4 == 3:
                opts["nogmt"] = "yes"
        opts.update(variant=variant, author_style=style, author_source=_source(site))
        if i % 2:
            opts["source"] = _source(site)
        title = event["title"]
        articles.append(
            Article(
                key=f"{site}-filler-{i:02d}",
                site=site,
                id=art_id,
                slug=slugify(title),
                section=SUBSECTIONS[site][i % 2],
                title=title,
                lead=templates["lead"][lead_ix].format(**f),
                blocks=blocks,
                author=author,
                published=published,
                precision="minute",
                foreign_affairs=True,
                opts=opts,
            )
        )
    return articles


def _source(site: str) -> str:
    return "Tạp chí Thời Đại" if site == "thoidai" else "Báo Thế giới và Việt Nam"
