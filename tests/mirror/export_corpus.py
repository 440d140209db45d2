"""Write the extraction-test corpus: tests/corpus/<site>/<name>.html + <name>.json.

The .html file is the page exactly as MirrorServer serves it; the .json file is its gold:
{url, site, template, title, lead, paragraphs, author, published_at, captions, section,
foreign_affairs, boilerplate}. `boilerplate` lists chrome strings (teaser titles, captions,
widgets, source line, menu items...) that must not appear in extracted body text; strings that
also occur in the title, lead or body are left out.

SharePoint articles are also written as the spider meets them through the JSON API
(`vinhphuc/api-*`): the gold then holds `hints`, what `parse_api` (crawler/spiders/base.py)
passes to extract_article, built from the mirror's API record, and `published_at` is the API's
CreatedDate. One of them is a broken page (the body container is gone, as when a SharePoint web
part fails): the mirror never serves it (`"mirror": false`), and its body must come from the
API's ContentNews. Directories of hand-made pages (`generic/`) are kept and listed in
index.json. Run from the repository root:

    python -m tests.mirror.export_corpus [OUTPUT_DIR]
"""

from __future__ import annotations

import html as htmllib
import json
import re
import sys
from pathlib import Path

from .content import ARTICLES
from .model import Article
from .server import MirrorServer
from .sites import SITES
from .web import Request

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "corpus"
GENERATED_PER_SITE = 2  # generated filler pages added per magazine (both author/date layouts)
# SharePoint articles also exported as API items: article key -> (page name, page broken?)
API_ITEMS = {
    "vinhphuc-asean": ("api-asean", False),
    "vinhphuc-hop-tac-kinh-te": ("api-hop-tac-kinh-te", False),
    "vinhphuc-nuoc-sach": ("api-nuoc-sach", False),
    "vinhphuc-nhat-ban": ("api-nhat-ban-trang-loi", True),
}
API_TITLE_MARKERS = re.compile(r"^#+|#+$")  # as in crawler/spiders/base.py
BODY_RE = re.compile(
    r'  <div class="content-news">\n.*?\n  </div>\n(?=  <div class="tool-news">)', re.S
)
WEBPART_ERROR = (
    "Lỗi Phần Web: Một Phần Web hoặc điều khiển Phần Web trên Trang này không thể hiển thị "
    "hoặc nhập được. Không tìm thấy loại hoặc loại chưa được đăng ký là an toàn."
)
WEBPART_ERROR_HTML = f"""  <div class="ms-webpart-chrome ms-webpart-chrome-fullWidth">
   <div class="ms-WPBody" id="WebPartctl00_m_g_5b2f0c3e_8a41_4d7e_9c1a_2e6f7d3b9a10">
    <div class="ms-webpart-error"><span class="ms-error">{WEBPART_ERROR}</span><br />
    ID Tương quan: 9c4e2a7b-61f0-4d3a-b8e5-0f2d1c7a6e34</div>
   </div>
  </div>
"""


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


def api_hints(record: dict, section: str) -> dict:
    """What the spider's parse_api passes to extract_article for one API record."""
    return {
        "section": section,
        "title": API_TITLE_MARKERS.sub("", str(record.get("Title") or "")).strip() or None,
        "date": record.get("CreatedDate"),
        "lead": record.get("DescriptionNews") or None,
        "body_html": htmllib.unescape(record.get("ContentNews") or "") or None,
    }


def break_page(page: bytes) -> bytes:
    """The article page with its body container replaced by a web part error."""
    text, count = BODY_RE.subn(WEBPART_ERROR_HTML, page.decode("utf-8"))
    assert count == 1, "the SharePoint body container was not found"
    return text.encode("utf-8")


def api_gold(article: Article, record: dict, page_gold: dict, broken: bool) -> dict:
    out = dict(page_gold)
    out["template"] = "sharepoint-api-broken" if broken else "sharepoint-api"
    out["published_at"] = f"{record['CreatedDate']}+07:00"  # the API's timestamp, local time
    if broken:
        out["mirror"] = False  # not what the mirror serves: test_mirror skips it
        out["boilerplate"] = [*page_gold["boilerplate"], WEBPART_ERROR]
    out["hints"] = api_hints(record, article.section)
    return out


def hand_made(out_dir: Path) -> list[dict]:
    """Index entries of the hand-made pages (directories that are no mirrored site)."""
    index = []
    for json_path in sorted(out_dir.glob("*/*.json")):
        if json_path.parent.name not in SITES:
            record = json.loads(json_path.read_text("utf-8"))
            name = f"{json_path.parent.name}/{json_path.stem}"
            index.append({"file": name, "template": record["template"]})
    return index


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
        if article.key in API_ITEMS:
            api_name, broken = API_ITEMS[article.key]
            api_path = html_path.with_name(f"{api_name}.html")
            api_path.write_bytes(break_page(response.body) if broken else response.body)
            api_record = api_gold(article, app.api_item(article), record, broken)
            api_path.with_suffix(".json").write_text(
                json.dumps(api_record, ensure_ascii=False, indent=1) + "\n", "utf-8"
            )
            index.append({"file": f"{article.site}/{api_name}", "template": api_record["template"]})
            written.append(api_path)
    index += hand_made(out_dir)
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
