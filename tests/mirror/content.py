"""The mirror's content set: hand-cleaned articles (data/articles/) plus generated fillers.

Article text files have a "key: value" header, a "---" line, then the body: paragraphs separated
by blank lines, "## " bold sub-headings, "! " captioned photos, "[embed]" for the related-article
embed. `body_from: <key>` reuses another article's lead and body (the republication).
Everything here is importable without starting a server.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .fillers import build_fillers
from .model import Article, Block
from .sites import LIFERAY_INSTANCES, SITES
from .textutil import slugify

ARTICLE_DIR = Path(__file__).parent / "data" / "articles"
FALSE_WORDS = ("no", "false", "0")


def _parse_file(path: Path) -> tuple[dict[str, str], list[Block]]:
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("\n---\n")
    meta: dict[str, str] = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    blocks: list[Block] = []
    if meta.get("image"):
        blocks.append(("img", meta["image"]))
    for chunk in body.split("\n\n"):
        chunk = " ".join(chunk.split())
        if not chunk:
            continue
        if chunk == "[embed]":
            blocks.append(("embed", ""))
        elif chunk.startswith("## "):
            blocks.append(("h", chunk[3:]))
        elif chunk.startswith("! "):
            blocks.append(("img", chunk[2:]))
        else:
            blocks.append(("p", chunk))
    return meta, blocks


def _precision(site: str, meta: dict[str, str]) -> str:
    if site == "vinhphuc" or meta.get("variant") == "dayonly":
        return "day"
    return "minute"


def _load_files() -> list[Article]:
    loaded: dict[str, tuple[dict[str, str], list[Block]]] = {}
    for path in sorted(ARTICLE_DIR.glob("*.txt")):
        loaded[path.stem] = _parse_file(path)
    articles = []
    for key, (meta, blocks) in loaded.items():
        lead = meta.get("lead") or None
        if meta.get("body_from"):
            source_meta, blocks = loaded[meta["body_from"]]
            lead = source_meta.get("lead") or None
        site = SITES[meta["site"]]
        section = site.section(meta["section"])
        assert section is not None, f"{key}: unknown section {meta['section']}"
        fa = section.foreign_affairs
        if meta.get("foreign_affairs"):
            fa = meta["foreign_affairs"].lower() not in FALSE_WORDS
        articles.append(
            Article(
                key=key,
                site=site.key,
                id=int(meta["id"]),
                slug=meta.get("slug") or slugify(meta["title"]),
                section=section.path,
                title=meta["title"],
                lead=lead,
                blocks=list(blocks),
                author=meta.get("author") or None,
                published=datetime.fromisoformat(meta["published"]),
                precision=_precision(site.key, meta),
                foreign_affairs=fa,
                opts={k: v for k, v in meta.items() if v},
            )
        )
    return articles


def article_path(article: Article) -> str:
    """The real site's URL path (with query, if any) of an article."""
    platform = SITES[article.site].platform
    if platform == "mastercms":
        return f"/{article.slug}-{article.id}.html"
    if platform == "sharepoint":
        return f"/ct/cms/tintuc/Lists/{article.section}/View_Detail.aspx?ItemID={article.id}"
    if platform == "liferay":
        if article.opt("variant") == "new":
            return f"/{article.section}/{article.slug}-{article.id}"
        instance = LIFERAY_INSTANCES[article.section]
        return f"/{article.section}/-/asset_publisher/{instance}/content/{article.slug}"
    return f"/tin-tuc/{article.slug}"


def _build() -> dict[str, list[Article]]:
    by_site: dict[str, list[Article]] = {key: [] for key in SITES}
    for article in _load_files() + build_fillers():
        article.path = article_path(article)
        article.url = f"https://{SITES[article.site].main_host}{article.path}"
        by_site[article.site].append(article)
    for items in by_site.values():
        items.sort(key=lambda a: (a.published, a.id), reverse=True)
        paths = [a.path for a in items]
        assert len(paths) == len(set(paths)), "duplicate article path"
    return by_site


# site key -> articles, newest first.
ARTICLES: dict[str, list[Article]] = _build()
BY_KEY: dict[str, Article] = {a.key: a for items in ARTICLES.values() for a in items}
BY_PATH: dict[tuple[str, str], Article] = {
    (a.site, a.path): a for items in ARTICLES.values() for a in items
}

# The two publications of the same body (dedupe tests): (thoidai key, baoquocte key).
REPUBLICATION = ("thoidai-vinh-phuc-doi-ngoai-dich-benh", "baoquocte-vinh-phuc-doi-ngoai-dich-benh")


def in_section(site: str, section: str) -> list[Article]:
    """Articles of a section and of its sub-sections, newest first."""
    prefix = section + "/"
    return [a for a in ARTICLES[site] if a.section == section or a.section.startswith(prefix)]


def expected(site: str) -> list[dict]:
    """Ground truth of every article page of a site, newest first."""
    if site not in ARTICLES:
        raise KeyError(f"unknown site {site!r}; known: {sorted(ARTICLES)}")
    return [a.expected() for a in ARTICLES[site]]


EXPECTED: dict[str, list[dict]] = {site: expected(site) for site in ARTICLES}
