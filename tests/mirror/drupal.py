"""phutho.gov.vn on Drupal (pre-merger theme).

URL scheme: home "/"; listings "/tin-tuc" (all news), "/doi-ngoai" (foreign affairs),
"/kinh-te-xa-hoi", each paged with "?page=N" (0-based, pager links are "?page=N" relative
hrefs); articles at their pathauto alias "/tin-tuc/<slug>", also served at "/node/<nid>" with
the alias as canonical (as Drupal does).
"""

from __future__ import annotations

import json
import re

from . import redesign
from .content import ARTICLES
from .model import Article
from .sites import SITE_CLOCK, SITES
from .textutil import dmy, esc, hm, vn_long_date, weekday
from .web import Request, Response, html

SITE = SITES["phutho"]
BASE = f"https://{SITE.main_host}"
NODE_RE = re.compile(r"^/node/(?P<nid>\d+)$")
LISTINGS = {
    "tin-tuc": "Tin tức - Sự kiện",
    "doi-ngoai": "Đối ngoại",
    "kinh-te-xa-hoi": "Kinh tế - Xã hội",
}
THEME = "/themes/custom/phutho"


class Drupal:
    """Renderer and router of phutho.gov.vn."""

    def __init__(self, redesign: bool = False) -> None:
        self.articles = ARTICLES["phutho"]
        self.redesign = redesign
        self.by_path = {a.path: a for a in self.articles}
        self.by_nid = {a.id: a for a in self.articles}

    def handle(self, req: Request) -> Response:
        path = req.path.rstrip("/") or "/"
        if path == "/":
            return html(self.home_page())
        if path.lstrip("/") in LISTINGS:
            raw = req.query.get("page", "0")
            page = int(raw) if raw.isdigit() else 0
            return html(self.listing_page(path.lstrip("/"), page))
        article = self.by_path.get(path)
        if article is None and (match := NODE_RE.match(path)):
            article = self.by_nid.get(int(match["nid"]))
        if article is not None:
            return html(self.article_page(article))
        return html(self.not_found_page(), 404)

    def items(self, listing: str) -> list[Article]:
        if listing == "tin-tuc":
            return self.articles
        return [a for a in self.articles if a.section == listing]

    # ------------------------------------------------------------------ chrome
    def head(self, title: str, description: str, canonical: str, current: str) -> str:
        settings = {
            "path": {
                "baseUrl": "/",
                "scriptPath": None,
                "pathPrefix": "",
                "currentPath": current,
                "currentPathIsAdmin": False,
                "isFront": current == "node",
                "currentLanguage": "vi",
            },
            "pluralDelimiter": "\u0003",
            "user": {"uid": 0, "permissionsHash": "4f2d9c1e0b7a"},
        }
        settings_json = json.dumps(settings, ensure_ascii=False).replace("/", "\\/")
        return f"""<!DOCTYPE html>
<html lang="vi" dir="ltr" prefix="content: http://purl.org/rss/1.0/modules/content/  \
dc: http://purl.org/dc/terms/  og: http://ogp.me/ns#  schema: http://schema.org/">
<head>
<meta charset="utf-8" />
<meta name="description" content="{esc(description)}" />
<link rel="canonical" href="{canonical}" />
<meta name="Generator" content="Drupal 9 (https://www.drupal.org)" />
<meta name="MobileOptimized" content="width" />
<meta name="HandheldFriendly" content="true" />
<meta name="viewport" content="width=device-width, initial-scale=1.0" />
<link rel="icon" href="{THEME}/favicon.ico" type="image/vnd.microsoft.icon" />
<title>{esc(title)}</title>
<link rel="stylesheet" media="all" href="/sites/default/files/css/\
css_Qx8YtFbKgrx3vX1n5mJwU2tBcdEfG9hI0jKlMnOp.css" />
<link rel="stylesheet" media="all" href="{THEME}/css/pt-post.css?s3k2j1" />
<script type="application/json" data-drupal-selector="drupal-settings-json">{settings_json}\
</script>
</head>
<body class="path-{current.split("/")[0]}">
<a href="#main-content" class="visually-hidden focusable skip-link">Bỏ qua nội dung chính</a>
<div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>
<div class="layout-container">
<header role="banner" class="pt-header">
 <div class="region region-header">
  <div id="block-phutho-branding" class="block block-system block-system-branding-block">
   <a href="/" rel="home" class="site-logo"><img src="{THEME}/logo.png" alt="Trang chủ" /></a>
   <div class="site-name"><a href="/" rel="home">{esc(SITE.name)}</a></div>
  </div>
  <div id="block-ptclock" class="block block-pt-clock"><span class="pt-clock">\
{weekday(SITE_CLOCK)}, {dmy(SITE_CLOCK)}</span></div>
  <div class="search-block-form block block-search" role="search"><form action="/search/node" \
method="get" accept-charset="UTF-8"><input type="search" name="keys" size="15" maxlength="128" \
placeholder="Tìm kiếm" /><input type="submit" value="Tìm kiếm" /></form></div>
 </div>
 <div class="region region-primary-menu">
  <nav role="navigation" id="block-phutho-main-menu" class="block block-menu navigation \
menu--main">
   <ul class="menu">
    <li class="menu-item"><a href="/">Trang chủ</a></li>
    <li class="menu-item"><a href="/gioi-thieu">Giới thiệu</a></li>
    <li class="menu-item menu-item--expanded"><a href="/tin-tuc">Tin tức - Sự kiện</a>
     <ul class="menu"><li class="menu-item"><a href="/doi-ngoai">Đối ngoại</a></li>
     <li class="menu-item"><a href="/kinh-te-xa-hoi">Kinh tế - Xã hội</a></li></ul></li>
    <li class="menu-item"><a href="/van-ban">Văn bản</a></li>
    <li class="menu-item"><a href="https://dichvucong.phutho.gov.vn/">Dịch vụ công</a></li>
   </ul>
  </nav>
 </div>
</header>
"""

    def breadcrumb(self, trail: list[tuple[str, str]]) -> str:
        items = "".join(f'<li><a href="{url}">{esc(name)}</a></li>' for name, url in trail)
        return f"""<div class="region region-breadcrumb"><div id="block-phutho-breadcrumbs" \
class="block block-system block-system-breadcrumb-block"><nav class="breadcrumb" \
role="navigation" aria-labelledby="system-breadcrumb"><h2 id="system-breadcrumb" \
class="visually-hidden">Breadcrumb</h2><ol><li><a href="/">Trang chủ</a></li>{items}</ol></nav>\
</div></div>"""

    def sidebar(self) -> str:
        newest = "".join(
            f'<li><a href="{a.path}" hreflang="vi">{esc(a.title)}</a></li>'
            for a in self.articles[:4]
        )
        return f"""<aside class="layout-sidebar-second" role="complementary">
 <div class="region region-sidebar-second">
  <div class="views-element-container block block-views block-views-blocktin-moi-block-1">
   <h2 class="block-title">Tin mới</h2><div class="item-list"><ul>{newest}</ul></div>
  </div>
  <div class="block block-block-content"><h2 class="block-title">Liên kết</h2>
   <ul><li><a href="https://chinhphu.vn">Cổng TTĐT Chính phủ</a></li>
   <li><a href="https://dichvucong.gov.vn">Cổng Dịch vụ công quốc gia</a></li></ul>
  </div>
 </div>
</aside>"""

    def footer(self) -> str:
        return """<footer role="contentinfo" class="pt-footer">
 <div class="region region-footer">
  <div id="block-footerinfo" class="block block-block-content">
   <div class="clearfix text-formatted field field--name-body">
    <p><strong>CỔNG THÔNG TIN ĐIỆN TỬ TỈNH PHÚ THỌ</strong></p>
    <p>Cơ quan chủ quản: Ủy ban nhân dân tỉnh Phú Thọ</p>
    <p>Địa chỉ: Đường Trần Phú, phường Tân Dân, thành phố Việt Trì, tỉnh Phú Thọ</p>
   </div>
  </div>
 </div>
</footer>
</div>
</div>
<script src="/core/assets/vendor/jquery/jquery.min.js?v=3.6.3"></script>
<script src="/core/misc/drupalSettingsLoader.js?v=9.5.11"></script>
<script src="/core/misc/drupal.js?v=9.5.11"></script>
<script src="/core/misc/drupal.init.js?v=9.5.11"></script>
</body>
</html>
"""

    # ------------------------------------------------------------------ pages
    def date_text(self, article: Article) -> str:
        p = article.published
        variant = article.opt("variant", "normal")
        if variant == "dayonly":
            return vn_long_date(p)
        if variant == "updated":
            return f"Cập nhật: {hm(p)}, {dmy(p)}"
        return f"{weekday(p)}, {dmy(p)} - {hm(p)}"

    def body(self, article: Article) -> str:
        out = []
        for n, (kind, text) in enumerate(article.blocks):
            if kind in ("p", "h"):
                inner = f"<strong>{esc(text)}</strong>" if kind == "h" else esc(text)
                out.append(f'<p class="text-align-justify">{inner}</p>')
            elif kind == "img":
                src = f"/sites/default/files/{article.published:%Y-%m}/anh-{article.id}-{n}.jpg"
                out.append(
                    '<figure role="group" class="caption caption-img align-center">'
                    f'<img src="{src}" alt="{esc(text)}" width="720" height="480" loading="lazy" />'
                    f"<figcaption>{esc(text)}</figcaption></figure>"
                )
        return "\n".join(out)

    def post(self, article: Article) -> str:
        return f"""<div class="views-row"><div class="pt-post">
 <div class="pt-post__image"><a href="{article.path}" hreflang="vi"><img \
src="/sites/default/files/styles/thumbnail/public/{article.published:%Y-%m}/anh-{article.id}.jpg" \
alt="" loading="lazy" /></a></div>
 <div class="pt-post__body">
  <div class="pt-post__title"><a href="{article.path}" hreflang="vi">{esc(article.title)}</a></div>
  <div class="pt-post__date">{dmy(article.published)}</div>
  <div class="pt-post__summary">{esc(article.lead or "")}</div>
 </div>
</div></div>"""

    def chrome_texts(self, article: Article) -> list[str]:
        """Texts of the page chrome around an article."""
        texts = [a.title for a in self.articles if a is not article]
        texts += [a.lead or "" for a in self.articles if a is not article]
        texts += list(LISTINGS.values()) + article.captions
        texts += [
            "Tin liên quan",
            "Tin mới",
            "Bỏ qua nội dung chính",
            "Tác giả",
            "Chuyên mục",
            "Cơ quan chủ quản: Ủy ban nhân dân tỉnh Phú Thọ",
            f"{weekday(SITE_CLOCK)}, {dmy(SITE_CLOCK)}",
        ]
        if article.author:
            texts.append(article.author)
        return texts

    def article_page(self, article: Article) -> str:
        if self.redesign:
            nav = [(f"/{s.path}", s.name) for s in SITE.sections]
            return redesign.article_page(SITE, "drupal", article, nav)
        section = SITE.section(article.section)
        assert section is not None
        related = [a for a in self.articles if a.section == article.section and a is not article]
        author = ""
        if article.author:
            author = (
                '<div class="field field--name-field-tac-gia field--type-string '
                'field--label-inline clearfix"><div class="field__label">Tác giả</div>'
                f'<div class="field__item">{esc(article.author)}</div></div>'
            )
        return (
            self.head(
                f"{article.title} | {SITE.name}",
                article.lead or "",
                article.url,
                f"node/{article.id}",
            )
            + self.breadcrumb(
                [("Tin tức - Sự kiện", "/tin-tuc"), (section.name, f"/{section.path}")]
            )
            + f"""<main role="main"><a id="main-content" tabindex="-1"></a>
<div class="layout-content">
 <div class="region region-content">
  <div data-drupal-messages-fallback class="hidden"></div>
  <div id="block-phutho-content" class="block block-system block-system-main-block">
   <article role="article" about="/node/{article.id}" class="node node--type-article \
node--promoted node--view-mode-full">
    <h1 class="page-title"><span class="field field--name-title field--type-string \
field--label-hidden">{esc(article.title)}</span></h1>
    <div class="node__meta"><span class="field field--name-created field--type-created \
field--label-hidden">{self.date_text(article)}</span></div>
    <div class="node__content clearfix">
     <div class="field field--name-field-tom-tat field--type-string-long field--label-hidden \
field__item">{esc(article.lead or "")}</div>
     <div class="clearfix text-formatted field field--name-body field--type-text-with-summary \
field--label-hidden field__item">
{self.body(article)}
     </div>
     {author}
     <div class="field field--name-field-chuyen-muc field--label-inline"><div \
class="field__label">Chuyên mục</div><div class="field__item"><a href="/{section.path}" \
hreflang="vi">{esc(section.name)}</a></div></div>
    </div>
   </article>
  </div>
  <div class="views-element-container block block-views block-views-blocktin-lien-quan">
   <h2 class="block-title">Tin liên quan</h2>
   <div class="view-content">{"".join(self.post(a) for a in related[:3])}</div>
  </div>
 </div>
</div>
{self.sidebar()}
</main>
"""
            + self.footer()
        )

    def pager(self, page: int, pages: int) -> str:
        items = []
        for n in range(pages):
            if n == page:
                items.append(
                    f'<li class="pager__item is-active"><a href="?page={n}" '
                    f'title="Trang hiện tại">{n + 1}</a></li>'
                )
            else:
                items.append(
                    f'<li class="pager__item"><a href="?page={n}" '
                    f'title="Đi tới trang {n + 1}">{n + 1}</a></li>'
                )
        if page + 1 < pages:
            items.append(
                f'<li class="pager__item pager__item--next"><a href="?page={page + 1}" '
                'title="Đi tới trang sau" rel="next">›</a></li>'
            )
            items.append(
                f'<li class="pager__item pager__item--last"><a href="?page={pages - 1}" '
                'title="Đi tới trang cuối">»</a></li>'
            )
        return (
            '<nav class="pager" role="navigation" aria-labelledby="pagination-heading">'
            '<h4 id="pagination-heading" class="visually-hidden">Phân trang</h4>'
            f'<ul class="pager__items js-pager__items">{"".join(items)}</ul></nav>'
        )

    def listing_page(self, listing: str, page: int) -> str:
        items = self.items(listing)
        size = SITE.page_size
        pages = max(1, -(-len(items) // size))
        shown = items[page * size : (page + 1) * size]
        rows = "".join(self.post(a) for a in shown) or (
            '<div class="view-empty">Không có nội dung.</div>'
        )
        name = LISTINGS[listing]
        trail = (
            [(name, f"/{listing}")]
            if listing == "tin-tuc"
            else [("Tin tức - Sự kiện", "/tin-tuc"), (name, f"/{listing}")]
        )
        return (
            self.head(f"{name} | {SITE.name}", name, f"{BASE}/{listing}", listing)
            + self.breadcrumb(trail)
            + f"""<main role="main"><a id="main-content" tabindex="-1"></a>
<div class="layout-content">
 <div class="region region-content">
  <div id="block-phutho-content" class="block block-system block-system-main-block">
   <div class="views-element-container"><div class="view view-tin-tuc view-id-tin_tuc \
view-display-id-page_1">
    <h1 class="page-title">{esc(name)}</h1>
    <div class="view-content">{rows}</div>
    {self.pager(page, pages)}
   </div></div>
  </div>
 </div>
</div>
{self.sidebar()}
</main>
"""
            + self.footer()
        )

    def home_page(self) -> str:
        sections = []
        for listing in ("doi-ngoai", "kinh-te-xa-hoi"):
            posts = "".join(self.post(a) for a in self.items(listing)[:3])
            sections.append(
                f'<div class="block block-views pt-home-section"><h2 class="block-title"><a '
                f'href="/{listing}">{esc(LISTINGS[listing])}</a></h2><div class="view-content">'
                f"{posts}</div></div>"
            )
        return (
            self.head(SITE.name, SITE.name, f"{BASE}/", "node")
            + f"""<main role="main"><a id="main-content" tabindex="-1"></a>
<div class="layout-content"><div class="region region-content">
 <div class="block block-views pt-home-hot"><h2 class="block-title"><a href="/tin-tuc">Tin tức \
- Sự kiện</a></h2><div class="view-content">{"".join(self.post(a) for a in self.articles[:2])}\
</div></div>
 {"".join(sections)}
</div></div>
{self.sidebar()}
</main>
"""
            + self.footer()
        )

    def not_found_page(self) -> str:
        return (
            self.head(f"Không tìm thấy trang | {SITE.name}", "404", f"{BASE}/", "system/404")
            + '<main role="main"><div class="layout-content"><h1 class="page-title">Không tìm thấy '
            "trang</h1><p>Không tìm thấy trang được yêu cầu.</p></div></main>" + self.footer()
        )
