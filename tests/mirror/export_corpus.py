"""Write the extraction-test corpus: tests/corpus/<site>/<name>.html + <name>.json.

The .html file is the page exactly as MirrorServer serves it; the .json file is its gold:
{url, site, template, title, lead, paragraphs, author, published_at, captions, section,
foreign_affairs, boilerplate}. `boilerplate` lists chrome strings (teaser titles, captions,
widgets, source line, menu items...) that must not appear in extracted body text; strings that
also occur in the title, lead or body are left out. Run from the repository root:

    python -m tests.mirror.export_corpus [OUTPUT_DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .content import ARTICLES
from .model import Article
from .server import MirrorServer
from .sites import SITES
from .web import Request

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "corpus"
GENERATED_PER_SITE = 2  # generated filler pages added per magazine (both author/date layouts)


def template_of(article: Article) -> str:
    """Which page template/variant renders the article (for test parametrisation)."""
    platform = SITES[article.site].platform
    if platform == "mastercms":
        return f"mastercms-{article.site}-{article.opt('variant', 'A')}"
    if platform == "liferay":
        return f"liferay-{article.opt('variant', 'old')}"
    return platform


def corpus_articles() -> list[Article]:
    """Every hand-written article plus a few generated ones per magazine."""
    chosen = []
    for items in ARTICLES.values():
        chosen += [a for a in items if not a.opt("generated")]
        generated = [a for a in items if a.opt("generated")]
        # one layout-A and one layout-B page where both exist
        by_variant = {a.opt("variant"): a for a in reversed(generated)}
        picks = list(by_variant.values())[:GENERATED_PER_SITE]
        picks += [a for a in generated if a not in picks][: GENERATED_PER_SITE - len(picks)]
        chosen += picks
    return chosen


def page_name(article: Article) -> str:
    key = article.key.removeprefix(article.site + "-")
    return key.replace("filler-", "generated-")


def boilerplate(article: Article, chrome_texts: list[str]) -> list[str]:
    gold_text = "\n".join([article.title, article.lead or "", *article.paragraphs])
    out: list[str] = []
    for text in chrome_texts:
        text = text.strip()
        if len(text) >= 4 and text not in gold_text and text not in out:
            out.append(text)
    return out


def gold(article: Article, chrome_texts: list[str]) -> dict:
    data = article.expected()
    return {
        "url": data["url"],
        "site": article.site,
        "template": template_of(article),
        "title": data["title"],
        "lead": data["lead"],
        "paragraphs": data["paragraphs"],
        "author": data["author"],
        "published_at": data["published_at"],
        "captions": data["captions"],
        "section": data["section"],
        "foreign_affairs": data["foreign_affairs"],
        "boilerplate": boilerplate(article, chrome_texts),
    }


def export(out_dir: Path = DEFAULT_OUT) -> list[Path]:
    """Render and write the corpus; returns the written .html paths."""
    mirror = MirrorServer()  # not started: pages are rendered through dispatch()
    written = []
    for site in SITES:
        site_dir = out_dir / site
        site_dir.mkdir(parents=True, exist_ok=True)
        for stale in [*site_dir.glob("*.html"), *site_dir.glob("*.json")]:
            stale.unlink()
    index = []
    for article in corpus_articles():
        response = mirror.dispatch(Request("GET", SITES[article.site].main_host, article.path))
        assert response.status == 200, article.url
        app = mirror.app(article.site)
        name = page_name(article)
        html_path = out_dir / article.site / f"{name}.html"
        html_path.write_bytes(response.body)
        record = gold(article, app.chrome_texts(article))
        json_path = html_path.with_suffix(".json")
        json_path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", "utf-8")
        index.append({"file": f"{article.site}/{name}", "template": record["template"]})
        written.append(html_path)
    (out_dir / "index.json").write_text(
        json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else DEFAULT_OUT
    written = export(out_dir)
    print(f"wrote {len(written)} pages under {out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
