"""thainguyen.gov.vn on Liferay, with some articles already on the post-merger URL scheme.

URL scheme: home "/" (also "/vi_VN"); section pages "/vi_VN/<section>" whose asset-publisher
portlet pages with "?p_p_id=<portlet>&p_p_lifecycle=0&_<portlet>_cur=<N>" (1-based); old-style
articles "/<section>/-/asset_publisher/<instanceId>/content/<slug>" (a "/vi_VN" prefix is
accepted too); new-style articles "/<section>/<slug>-<id>".
"""

from __future__ import annotations

import re

from . import redesign
from .content import ARTICLES, in_section
from .model import Article, Section
from .sites import LIFERAY_INSTANCES, LIFERAY_PORTLET, SITE_CLOCK, SITES
from .textutil import dmy, esc, hm, weekday
from .web import Request, Response, html

SITE = SITES["thainguyen"]
BASE = f"https://{SITE.main_host}"
OLD_RE = re.compile(
    r"^(?:/vi_VN)?/(?P<section>[a-z-]+)/-/asset_publisher/(?P<instance>\w+)/content/(?P<slug>[\w-]+)$"
)
NEW_RE = re.compile(r"^/(?P<section>[a-z-]+)/(?P<slug>[a-z0-9-]+)-(?P<id>\d+)$")
THEME = "/o/thainguyen-theme"


def portlet_id(section: str) -> str:
    return LIFERAY_PORTLET + LIFERAY_INSTANCES[section]


def page_url(section: str, page: int) -> str:
    """The asset publisher's own paging link (what the real portlet renders)."""
    pid = portlet_id(section)
    return f"/vi_VN/{section}?p_p_id={pid}&p_p_lifecycle=0&_{pid}_cur={page}"


class Liferay:
    """Renderer and router of thainguyen.gov.vn."""

    def __init__(self, redesign: bool = False) -> None:
        self.articles = ARTICLES["thainguyen"]
        self.redesign = redesign

    def handle(self, req: Request) -> Response:
        path = req.path.rstrip("/") or "/"
        if path in ("/", "/vi_VN", "/vi_VN/tin-tuc", "/web/guest", "/web/guest/home"):
            return html(self.home_page())
        if path.startswith("/vi_VN/") and (section := SITE.section(path[len("/vi_VN/") :])):
            return html(self.listing_page(section, self.current_page(req, section)))
        if match := OLD_RE.match(path):
            article = self.find_old(match["section"], match["instance"], match["slug"])
            if article is not None:
                return html(self.article_page(article))
        elif match := NEW_RE.match(path):
            article = next(
                (
                    a
                    for a in self.articles
                    if a.opt("variant") == "new"
                    and a.section == match["section"]
                    and a.id == int(match["id"])
                ),
                None,
            )
            if article is not None:
                return html(self.article_page(article))
        return html(self.not_found_page(), 404)

    def find_old(self, section: str, instance: str, slug: str) -> Article | None:
        if LIFERAY_INSTANCES.get(section) != instance:
            return None
        return next(
            (
                a
                for a in self.articles
                if a.opt("variant") != "new" and a.section == section and a.slug == slug
            ),
            None,
        )

    @staticmethod
    def current_page(req: Request, section: Section) -> int:
        key = f"_{portlet_id(section.path)}_cur"
        value = req.query.get(key, "1")
        return int(value) if value.isdigit() and int(value) > 0 else 1

    # ------------------------------------------------------------------ chrome
    def head(self, title: str, description: str, canonical: str) -> str:
        return f"""<!DOCTYPE html>
<html class="ltr" dir="ltr" lang="vi-VN">
<head>
<meta charset="utf-8" />
<title>{esc(title)}</title>
<meta content="initial-scale=1.0, width=device-width" name="viewport" />
<meta content="text/html; charset=UTF-8" http-equiv="content-type" />
<meta content="{esc(description)}" lang="vi-VN" name="description" />
<link href="{THEME}/images/favicon.ico" rel="icon" />
<link data-senna-track="temporary" href="{canonical}" rel="canonical" />
<link data-senna-track="temporary" href="{canonical}" hreflang="vi-VN" rel="alternate" />
<link class="lfr-css-file" data-senna-track="temporary" href="{THEME}/css/clay.css?browserId=\
other&amp;themeId=thainguyentheme_WAR_thainguyentheme&amp;languageId=vi_VN&amp;t=1690165846000" \
rel="stylesheet" type="text/css" />
<link data-senna-track="temporary" href="/combo?browserId=other&amp;minifierType=&amp;\
themeId=thainguyentheme_WAR_thainguyentheme&amp;languageId=vi_VN&amp;\
com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet:%2Fcss%2Fmain.css&amp;\
t=1690165846000" rel="stylesheet" type="text/css" />
<script data-senna-track="temporary" type="text/javascript">
// <![CDATA[
var Liferay = Liferay || {{}};
Liferay.Browser = {{acceptsGzip: function() {{ return true; }}}};
var themeDisplay = {{
  getCompanyId: function() {{ return "20099"; }},
  getLanguageId: function() {{ return "vi_VN"; }},
  getPathThemeImages: function() {{ return "{BASE}{THEME}/images"; }},
  getScopeGroupId: function() {{ return "20126"; }},
  isSignedIn: function() {{ return false; }}
}};
// ]]>
</script>
<script src="/o/frontend-js-web/liferay/aui_loader.js?t=1690165846000" type="text/javascript">\
</script>
</head>
<body class="controls-visible yui3-skin-sam guest-site signed-out public-page site">
<div class="d-flex flex-column min-vh-100">
<div class="d-flex flex-column flex-fill" id="wrapper">
<header id="banner" role="banner">
 <div class="top-bar"><div class="container">
  <span class="site-clock" id="tn-clock">{weekday(SITE_CLOCK)}, ngày {dmy(SITE_CLOCK)}</span>
  <ul class="top-links"><li><a href="/vi_VN/so-do-cong">Sơ đồ cổng</a></li><li><a \
href="/vi_VN/lien-he">Liên hệ</a></li><li><a href="/en_US">English</a></li></ul>
 </div></div>
 <div id="heading" class="container"><a class="logo custom-logo" href="{BASE}/vi_VN" \
title="Đi đến Cổng thông tin điện tử tỉnh Thái Nguyên"><img alt="Cổng thông tin điện tử tỉnh \
Thái Nguyên" height="120" src="/image/layout_set_logo?img_id=4172511&amp;t=1690165846000" \
width="1140" /></a></div>
 {self.navigation()}
</header>
<section class="flex-fill" id="content">
"""

    def navigation(self) -> str:
        subs = "".join(
            f'<li class="lfr-nav-item"><a href="/vi_VN/{s.path}" role="menuitem">'
            f"<span>{esc(s.name)}</span></a></li>"
            for s in SITE.sections
        )
        return f"""<nav class="sort-pages modify-pages" id="navigation" role="navigation">
  <ul aria-label="Trang web" role="menubar" class="container">
   <li class="lfr-nav-item"><a href="/vi_VN" role="menuitem"><span>Trang chủ</span></a></li>
   <li class="lfr-nav-item"><a href="/vi_VN/gioi-thieu" role="menuitem"><span>Giới thiệu\
</span></a></li>
   <li class="lfr-nav-item dropdown"><a href="/vi_VN/tin-tuc" role="menuitem"><span>Tin tức\
</span></a><ul class="child-menu" role="menu">{subs}</ul></li>
   <li class="lfr-nav-item"><a href="/vi_VN/van-ban" role="menuitem"><span>Văn bản</span></a>\
</li>
   <li class="lfr-nav-item"><a href="https://dichvucong.thainguyen.gov.vn" role="menuitem"><span>\
Dịch vụ công</span></a></li>
  </ul>
 </nav>"""

    def footer(self) -> str:
        return """</section>
<footer id="footer" role="contentinfo">
 <div class="container">
  <p class="footer-title">CỔNG THÔNG TIN ĐIỆN TỬ TỈNH THÁI NGUYÊN</p>
  <p>Cơ quan chủ quản: Ủy ban nhân dân tỉnh Thái Nguyên</p>
  <p>Địa chỉ: Số 18 đường Nha Trang, phường Trưng Vương, thành phố Thái Nguyên</p>
  <p>Ghi rõ nguồn “Cổng thông tin điện tử tỉnh Thái Nguyên” khi phát hành lại thông tin.</p>
  <p class="powered-by">Powered By <a href="http://www.liferay.com" rel="external">Liferay</a></p>
 </div>
</footer>
</div>
</div>
<script type="text/javascript">
// <![CDATA[
AUI().use('liferay-menu', 'liferay-notice', 'liferay-poller', function(A) {
  (function() { Liferay.Util.addInputType(); Liferay.Portlet.ready(function(portletId, node) {
    Liferay.Util.addInputType(node); }); })();
});
setInterval(function () { var c = document.getElementById('tn-clock'); }, 60000);
// ]]>
</script>
</body>
</html>
"""

    def portlet(self, instance_section: str, title: str, inner: str, extra_id: str = "") -> str:
        pid = portlet_id(instance_section) + extra_id
        return f"""<div class="portlet-boundary portlet-boundary_\
com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_ portlet-static portlet-static-end \
portlet-decorate portlet-asset-publisher" id="p_p_id_{pid}_">
 <span id="p_{pid}"></span>
 <section class="portlet" id="portlet_{pid}">
  <div class="portlet-content">
   <div class="autofit-float autofit-row portlet-header"><div class="autofit-col \
autofit-col-expand">
    <h2 class="portlet-title-text">{esc(title)}</h2></div></div>
   <div class="portlet-content-container"><div class="portlet-body">
{inner}
   </div></div>
  </div>
 </section>
</div>"""

    def sidebar(self) -> str:
        return """<div class="col-md-4 portlet-column portlet-column-last" id="column-2">
 <div class="portlet-dropzone portlet-column-content portlet-column-content-last" \
id="layout-column_column-2">
  <div class="portlet-boundary portlet-boundary_com_liferay_journal_content_web_portlet_\
JournalContentPortlet_ portlet-journal-content" id="p_p_id_lienket_">
   <section class="portlet"><div class="portlet-content"><h2 class="portlet-title-text">Liên \
kết website</h2>
    <ul class="link-list"><li><a href="https://chinhphu.vn">Cổng TTĐT Chính phủ</a></li>
    <li><a href="https://mofa.gov.vn">Bộ Ngoại giao</a></li>
    <li><a href="https://dichvucong.gov.vn">Cổng Dịch vụ công quốc gia</a></li></ul>
   </div></section>
  </div>
  <div class="portlet-boundary portlet-statistics" id="p_p_id_thongke_">
   <section class="portlet"><div class="portlet-content"><h2 class="portlet-title-text">Thống \
kê truy cập</h2>
    <table class="table"><tbody><tr><td>Đang truy cập</td><td>356</td></tr>
    <tr><td>Tổng lượt truy cập</td><td>21.845.907</td></tr></tbody></table>
   </div></section>
  </div>
 </div>
</div>"""

    # ------------------------------------------------------------------ pages
    def date_text(self, article: Article) -> str:
        p = article.published
        if article.opt("variant") == "new":
            return f"{hm(p)} {dmy(p)}"
        return f"{dmy(p)} {hm(p)}"

    def body(self, article: Article) -> str:
        out = []
        for n, (kind, text) in enumerate(article.blocks):
            if kind in ("p", "h"):
                inner = f"<strong>{esc(text)}</strong>" if kind == "h" else esc(text)
                out.append(f'<p style="text-align: justify;">{inner}</p>')
            elif kind == "img":
                src = f"/documents/20126/{article.id}/anh-{n}.jpg/{article.id:x}-{n:02d}a7c"
                out.append(
                    f'<figure class="image"><img alt="{esc(text)}" src="{src}" width="700" />'
                    f"<figcaption>{esc(text)}</figcaption></figure>"
                )
        if article.author:
            out.append(f'<p style="text-align: right;"><strong>{esc(article.author)}</strong></p>')
        return "\n".join(out)

    def others(self, article: Article) -> str:
        same = [a for a in in_section("thainguyen", article.section) if a is not article]
        if len(same) < 3:
            same += [a for a in self.articles if a is not article and a not in same]
        items = "".join(
            f'<li class="list-group-item"><a href="{a.path}">{esc(a.title)}</a> '
            f'<span class="date">({dmy(a.published)})</span></li>'
            for a in same[:5]
        )
        return f'<ul class="list-group other-news">{items}</ul>'

    def chrome_texts(self, article: Article) -> list[str]:
        """Texts of the page chrome around an article."""
        texts = [a.title for a in self.articles if a is not article]
        texts += [s.name for s in SITE.sections] + article.captions
        texts += [
            "Tin khác",
            "Liên kết website",
            "Thống kê truy cập",
            "Lượt xem:",
            "In trang",
            "Cơ quan chủ quản: Ủy ban nhân dân tỉnh Thái Nguyên",
            f"{weekday(SITE_CLOCK)}, ngày {dmy(SITE_CLOCK)}",
        ]
        if article.author:
            texts.append(article.author)
        return texts

    def article_page(self, article: Article) -> str:
        if self.redesign:
            nav = [(f"/{s.path}", s.name) for s in SITE.sections]
            return redesign.article_page(SITE, "liferay", article, nav)
        section = SITE.section(article.section)
        assert section is not None
        new = article.opt("variant") == "new"
        if new:
            title = f'<h3 class="title">{esc(article.title)}</h3>'
            sapo = f'<div class="sapo"><strong>{esc(article.lead or "")}</strong></div>'
        else:
            title = f'<h1 class="header-title"><span>{esc(article.title)}</span></h1>'
            sapo = ""
        content = f"""<div class="asset-full-content clearfix mb-5 default-asset-publisher \
show-asset-title">
 <div class="align-items-center d-flex mb-2"><p class="component-title h4"><a \
class="header-back-to lfr-portal-tooltip" href="/vi_VN/{section.path}" title="Quay lại">\
<span class="icon-angle-left"></span></a></p>
 {title}
 </div>
 <div class="metadata asset-metadata"><span class="date">{self.date_text(article)}</span> \
<span class="view-count">Lượt xem: {article.id % 4000 + 312}</span></div>
 {sapo}
 <div class="asset-content mb-3">
  <div class="journal-content-article " data-analytics-asset-id="{article.id}" \
data-analytics-asset-title="{esc(article.title)}" data-analytics-asset-type="web-content">
{self.body(article)}
  </div>
 </div>
 <div class="asset-links"><a href="javascript:window.print();" class="print-link">In trang</a> \
<a href="https://www.facebook.com/sharer/sharer.php?u={article.url}" class="share-fb">Chia sẻ</a>\
</div>
</div>"""
        return (
            self.head(
                f"{article.title} - {section.name} - {SITE.name}", article.lead or "", article.url
            )
            + f"""<div class="columns-2-1" id="main-content" role="main">
<div class="portlet-layout row container">
<div class="col-md-8 portlet-column portlet-column-first" id="column-1">
 <div class="portlet-dropzone portlet-column-content portlet-column-content-first" \
id="layout-column_column-1">
{self.portlet(section.path, section.name, content)}
{self.portlet(section.path, "Tin khác", self.others(article), "_other")}
 </div>
</div>
{self.sidebar()}
</div>
</div>
"""
            + self.footer()
        )

    def abstract(self, article: Article) -> str:
        return f"""<div class="asset-abstract">
 <div class="asset-image"><a href="{article.path}"><img alt="" src="/documents/20126/\
{article.id}/thumb.jpg" /></a></div>
 <h4 class="asset-title"><a href="{article.path}">{esc(article.title)}</a></h4>
 <div class="asset-metadata"><span class="metadata-entry metadata-publish-date">\
{dmy(article.published)}</span></div>
 <div class="asset-summary">{esc(article.lead or "")}</div>
</div>"""

    def listing_page(self, section: Section, page: int) -> str:
        size = SITE.page_size
        items = in_section("thainguyen", section.path)
        pages = max(1, -(-len(items) // size))
        shown = items[(page - 1) * size : page * size]
        links = []
        for n in range(1, pages + 1):
            active = " active" if n == page else ""
            href = esc(page_url(section.path, n))
            links.append(
                f'<li class="page-item{active}"><a class="page-link" href="{href}">{n}</a></li>'
            )
        if page < pages:
            href = esc(page_url(section.path, page + 1))
            links.append(f'<li class="page-item"><a class="page-link" href="{href}">Sau »</a></li>')
        inner = (
            (
                "".join(self.abstract(a) for a in shown)
                or '<div class="alert alert-info">Không có kết quả nào.</div>'
            )
            + f"""
<div class="pagination-bar"><ul class="pagination">{"".join(links)}</ul>
<div class="pagination-results">Đang hiển thị trang {page} / {pages}.</div></div>"""
        )
        return (
            self.head(
                f"{section.name} - {SITE.name}",
                f"Tin tức {section.name}",
                f"{BASE}/vi_VN/{section.path}",
            )
            + f"""<div class="columns-2-1" id="main-content" role="main">
<div class="portlet-layout row container">
<div class="col-md-8 portlet-column portlet-column-first" id="column-1">
 <div class="portlet-dropzone portlet-column-content" id="layout-column_column-1">
{self.portlet(section.path, section.name, inner)}
 </div>
</div>
{self.sidebar()}
</div>
</div>
"""
            + self.footer()
        )

    def home_page(self) -> str:
        blocks = []
        for section in SITE.sections:
            items = in_section("thainguyen", section.path)[:3]
            inner = "".join(self.abstract(a) for a in items) + (
                f'<div class="more"><a href="/vi_VN/{section.path}">Xem tất cả</a></div>'
            )
            blocks.append(self.portlet(section.path, section.name, inner, "_home"))
        return (
            self.head(SITE.name, "Cổng thông tin điện tử tỉnh Thái Nguyên", f"{BASE}/vi_VN")
            + f"""<div class="columns-2-1" id="main-content" role="main">
<div class="portlet-layout row container">
<div class="col-md-8 portlet-column portlet-column-first" id="column-1">
 <div class="portlet-dropzone portlet-column-content" id="layout-column_column-1">
{"".join(blocks)}
 </div>
</div>
{self.sidebar()}
</div>
</div>
"""
            + self.footer()
        )

    def not_found_page(self) -> str:
        return (
            self.head(f"Không tìm thấy - {SITE.name}", "404", f"{BASE}/vi_VN")
            + '<div class="container" id="main-content"><h2>Không tìm thấy trang</h2><p>Đường dẫn'
            ' được yêu cầu không thể tìm thấy.</p><p><a href="/vi_VN">Về trang chủ</a></p></div>'
            + self.footer()
        )
