"""MasterCMS magazines: thoidai.com.vn (+ aliases), vietnamtimes.thoidai.com.vn, baoquocte.vn.

URL scheme: home "/", listing "/<section>[/<sub>]", page N "/<section>&s_cond=&BRSR=<offset>"
(the "&" is part of the path), article "/<slug>-<id>.html" (served by id), baoquocte RSS at
"/rss_feed/" and "/rss_feed/<section>[/<sub>]".
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from . import chrome, redesign
from .content import ARTICLES, BY_KEY, in_section
from .model import Article, Section, Site
from .sites import SITE_CLOCK, SITES
from .textutil import dmy, esc, hm, iso_local, rfc822, slugify, weekday
from .web import Request, Response, html

ARTICLE_RE = re.compile(r"^/(?P<slug>[a-z0-9-]+)-(?P<id>\d+)\.html$")

BRANDS = {
    "thoidai": {
        "theme": "thoidai",
        "owner": "Cơ quan của Liên hiệp các tổ chức hữu nghị Việt Nam",
        "licence": "Giấy phép hoạt động báo chí số 285/GP-BTTTT của Bộ Thông tin và Truyền thông",
        "editor": "Tổng Biên tập: Nguyễn Hồng Sơn",
        "address": "Tòa soạn: Số 105A Quán Thánh, quận Ba Đình, Hà Nội",
        "contact": "Điện thoại: 024.3945.4510 - Email: toasoan@thoidai.com.vn",
        "follow": "",
    },
    "vietnamtimes": {
        "theme": "vietnamtimes",
        "owner": "Vietnam Times - Ấn phẩm của Tạp chí Thời Đại",
        "licence": "Giấy phép số 315/GP-BTTTT do Bộ Thông tin và Truyền thông cấp",
        "editor": "Tổng Biên tập: Nguyễn Hồng Sơn",
        "address": "Tòa soạn: Số 105A Quán Thánh, quận Ba Đình, Hà Nội",
        "contact": "Email: vietnamtimes@thoidai.com.vn",
        "follow": "",
    },
    "baoquocte": {
        "theme": "baoquocte",
        "owner": "Cơ quan chủ quản: Bộ Ngoại giao",
        "licence": "Giấy phép số 461/GP-BTTTT do Bộ Thông tin và Truyền thông cấp",
        "editor": "Tổng Biên tập: Trần Minh Khôi",
        "address": "Tòa soạn: Số 40 Trần Phú, quận Ba Đình, Hà Nội",
        "contact": "Điện thoại: 024.3823.3016 - Email: baoquocte@mofa.gov.vn",
        "follow": "Theo dõi TGVN trên",
    },
}

HEADER_LINKS = {
    "thoidai": (
        ("https://vietnamtimes.thoidai.com.vn/", "Vietnam Times"),
        ("https://huunghivietlao.thoidai.com.vn/", "Hữu nghị Việt - Lào"),
        ("https://tacnghiep.thoidai.com.vn/", "Tác nghiệp"),
    ),
    "vietnamtimes": (("https://thoidai.com.vn/", "Tạp chí Thời Đại"),),
    "baoquocte": (
        ("https://baoquocte.vn/rss_feed/", "RSS"),
        ("https://worldandvietnamreport.com/", "English"),
    ),
}


class MasterCMS:
    """Renderer and router of one MasterCMS site."""

    def __init__(self, site: Site, redesign: bool = False) -> None:
        self.site = site
        self.redesign = redesign
        self.brand = BRANDS[site.key]
        self.articles = ARTICLES[site.key]
        self.by_id = {a.id: a for a in self.articles}
        self.base = f"https://{site.main_host}"

    # ------------------------------------------------------------------ routing
    def handle(self, req: Request) -> Response:
        path = req.path
        if path == "/":
            return html(self.home_page())
        if match := ARTICLE_RE.match(path):
            article = self.by_id.get(int(match["id"]))
            if article is not None:
                return html(self.article_page(article))
            return html(self.not_found_page(), 404)
        if self.site.key == "baoquocte" and path.startswith("/rss_feed"):
            return self.rss(path[len("/rss_feed") :].strip("/"))
        section_path, _, params = path.lstrip("/").partition("&")
        section = self.site.section(section_path.rstrip("/"))
        if section is not None:
            query = parse_qs(params, keep_blank_values=True)
            try:
                offset = int(query.get("BRSR", ["0"])[0] or 0)
            except ValueError:
                offset = 0
            return html(self.listing_page(section, max(offset, 0)))
        if path in ("/video", "/infographic", "/multimedia"):
            return html(self.empty_page(path.strip("/").capitalize()))
        return html(self.not_found_page(), 404)

    # ------------------------------------------------------------------ links & helpers
    def href(self, article: Article) -> str:
        return article.path if article.site == self.site.key else article.url

    def section_of(self, article: Article) -> Section:
        section = SITES[article.site].section(article.section)
        assert section is not None
        return section

    def trail(self, section_path: str) -> list[tuple[str, str]]:
        """[(name, path)] from the top-level section down to section_path."""
        parts = section_path.split("/")
        out = []
        for i in range(len(parts)):
            sec = self.site.section("/".join(parts[: i + 1]))
            if sec is not None:
                out.append((sec.name, "/" + sec.path))
        return out

    def pool(self) -> list[Article]:
        """Teaser pool; the small Vietnam Times edition also shows thoidai.com.vn articles."""
        if self.site.key == "vietnamtimes":
            return self.articles + ARTICLES["thoidai"]
        return self.articles

    def most_read(self, exclude: Article | None) -> list[Article]:
        if self.site.key == "vietnamtimes":
            return [a for a in self.pool() if a is not exclude][:9]
        return chrome.most_read(self.site.key, exclude)

    def thumb(self, article: Article, cls: str = "article-thumb") -> str:
        src = chrome.photo_path(article).replace("news_dataimages", "news_dataimages/thumbnail")
        return (
            f'<a class="{cls}" href="{self.href(article)}" title="{esc(article.title)}">'
            f'<img src="{src}" alt="{esc(article.title)}" loading="lazy" width="300" '
            f'height="188"></a>'
        )

    def teaser(self, article: Article, desc: bool = True, date: bool = False) -> str:
        parts = [
            f'<div class="article-item clearfix">{self.thumb(article)}',
            '<div class="article-info">',
            f'<h3 class="article-title"><a href="{self.href(article)}" '
            f'title="{esc(article.title)}">{esc(article.title)}</a></h3>',
        ]
        if date:
            parts.append(
                f'<div class="article-meta"><span class="article-date">'
                f'<span class="format_time">{hm(article.published)}</span> | '
                f'<span class="format_date">{dmy(article.published)}</span></span></div>'
            )
        if desc and article.lead:
            parts.append(f'<div class="article-desc">{esc(article.lead)}</div>')
        parts.append("</div></div>")
        return "".join(parts)

    # ------------------------------------------------------------------ chrome
    def head(self, title: str, description: str, canonical: str, extra: str = "") -> str:
        theme = self.brand["theme"]
        rss = ""
        if self.site.key == "baoquocte":
            rss = (
                f'<link rel="alternate" type="application/rss+xml" title="{esc(self.site.name)}"'
                f' href="{self.base}/rss_feed/">\n'
            )
        return f"""<!DOCTYPE html>
<html lang="vi" prefix="og: https://ogp.me/ns#">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=5">
<title>{esc(title)}</title>
<meta name="description" content="{esc(description)}">
<meta name="robots" content="index, follow, max-image-preview:large">
<meta name="generator" content="MasterCMS">
<meta property="fb:app_id" content="1520846018214305">
<meta property="og:site_name" content="{esc(self.site.name)}">
<link rel="canonical" href="{canonical}">
<link rel="shortcut icon" href="/modules/frontend/themes/{theme}/images/favicon.ico">
<link rel="stylesheet" href="/modules/frontend/themes/{theme}/css/style.min.css?v=4.2.7">
<link rel="stylesheet" href="/modules/frontend/themes/{theme}/css/responsive.min.css?v=4.2.7">
{rss}{extra}{chrome.ANALYTICS}
<script src="/modules/frontend/themes/{theme}/js/jquery-3.6.0.min.js"></script>
</head>
"""

    def header(self) -> str:
        theme = self.brand["theme"]
        links = "".join(
            f'<li><a href="{url}" target="_blank" rel="noopener">{esc(name)}</a></li>'
            for url, name in HEADER_LINKS[self.site.key]
        )
        return f"""<body class="{theme}">
<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-N8QH3S2" height="0"
 width="0" style="display:none;visibility:hidden"></iframe></noscript>
<div id="fb-root"></div>
<div class="site-wrapper">
<header class="site-header" id="header">
 <div class="header-top"><div class="container clearfix">
  <div class="header-date lt"><span class="icon-calendar"></span> {weekday(SITE_CLOCK)}, \
{dmy(SITE_CLOCK)}</div>
  <ul class="header-links rt">{links}</ul>
 </div></div>
 <div class="header-main"><div class="container clearfix">
  <a class="logo lt" href="{self.base}/" title="{esc(self.site.name)}"><img
   src="/modules/frontend/themes/{theme}/images/logo.png" alt="{esc(self.site.name)}"></a>
  <div class="header-ads rt"><a href="/lien-he-quang-cao" rel="nofollow"><img
   src="/stores/banners/2024/top-banner-728x90.jpg" alt="Quảng cáo"></a></div>
  <form class="header-search rt" action="/search" method="get"><input type="text" name="q"
   placeholder="Tìm kiếm..."><button type="submit">Tìm</button></form>
 </div></div>
{self.menu()}
</header>
"""

    def menu(self) -> str:
        items = ['<li class="menu-home"><a href="/" title="Trang chủ">Trang chủ</a></li>']
        for top in (s for s in self.site.sections if s.parent is None):
            subs = [s for s in self.site.sections if s.parent == top.path]
            sub_html = ""
            if subs:
                sub_html = (
                    '<ul class="sub-menu">'
                    + "".join(f'<li><a href="/{s.path}">{esc(s.name)}</a></li>' for s in subs)
                    + "</ul>"
                )
            cls = ' class="has-sub"' if subs else ""
            items.append(f'<li{cls}><a href="/{top.path}">{esc(top.name)}</a>{sub_html}</li>')
        items.append('<li><a href="/video">Video</a></li>')
        items.append('<li><a href="/infographic">Infographic</a></li>')
        return (
            '<nav class="main-menu" id="main-menu"><div class="container">'
            '<ul class="menu-list clearfix">' + "".join(items) + "</ul></div></nav>"
        )

    def breadcrumb(self, section_path: str) -> str:
        links = ['<a href="/" class="bc-home">Trang chủ</a>']
        for name, path in self.trail(section_path):
            links.append(f'<a href="{path}">{esc(name)}</a>')
        return '<div class="breadcrumbs bx-breadcrumb clearfix">' + " ".join(links) + "</div>"

    def sidebar(self, exclude: Article | None) -> str:
        most = "".join(self.teaser(a) for a in self.most_read(exclude))
        infographics = "".join(
            f'<tr><td class="ig-item"><a href="/infographic"><img src="/stores/infographic/'
            f'{alt.replace(" ", "-")[:40]}.jpg" alt="{esc(alt)}"></a></td></tr>'
            for alt in chrome.INFOGRAPHIC_ALTS
        )
        return f"""<aside class="col-sidebar rt">
 <table class="sidebar-table" width="100%" cellpadding="0" cellspacing="0"><tbody>
  <tr><td class="sidebar-cell">
   <div class="box box-most-read" id="box-most-read">
    <div class="box-hd"><h3 class="box-title">Đọc nhiều</h3></div>
    <div class="box-bd">{most}</div>
   </div>
  </td></tr>
  <tr><td class="sidebar-cell">
   <div class="box box-infographic"><div class="box-hd"><h3 class="box-title">Infographic</h3>
   </div><table class="ig-list" width="100%"><tbody>{infographics}</tbody></table></div>
  </td></tr>
  <tr><td class="sidebar-cell"><div class="box-ads"><a href="/lien-he-quang-cao"
   rel="nofollow"><img src="/stores/banners/2024/right-300x250.jpg" alt="Quảng cáo"></a></div>
  </td></tr>
 </tbody></table>
</aside>"""

    def multimedia(self) -> str:
        videos = "".join(
            f'<li><a href="/video" class="video-link">{esc(title)}</a></li>'
            for title in chrome.VIDEO_TITLES
        )
        return f"""<div class="box box-multimedia clearfix">
 <div class="box-hd"><h3 class="box-title"><a href="/video">Video</a></h3></div>
 <div class="video-player" id="mb-video-player"><div class="loading-text">Xin chờ trong giây \
lát...</div></div>
 <ul class="video-list">{videos}</ul>
</div>"""

    def footer(self) -> str:
        b = self.brand
        tops = " ".join(
            f'<a href="/{s.path}">{esc(s.name)}</a>' for s in self.site.sections if s.parent is None
        )
        rss = ' <a href="/rss_feed/">RSS</a>' if self.site.key == "baoquocte" else ""
        return f"""<footer class="site-footer" id="footer">
 <div class="footer-menu"><div class="container">{tops}{rss}</div></div>
 <div class="footer-info"><div class="container clearfix">
  <table class="footer-table" width="100%"><tbody><tr>
   <td class="footer-logo" valign="top"><img src="/modules/frontend/themes/{b["theme"]}/images/\
logo-footer.png" alt="{esc(self.site.name)}"></td>
   <td class="footer-text" valign="top">
    <p><strong>{esc(self.site.name)}</strong></p>
    <p>{esc(b["owner"])}</p><p>{esc(b["licence"])}</p><p>{esc(b["editor"])}</p>
    <p>{esc(b["address"])}</p><p>{esc(b["contact"])}</p>
   </td>
  </tr></tbody></table>
  <div class="footer-mobile"><a href="https://m.{self.site.main_host}/">Phiên bản di động</a></div>
  <div class="copyright">© Bản quyền thuộc về {esc(self.site.name)}. Cấm sao chép dưới mọi hình \
thức nếu không có sự chấp thuận bằng văn bản.</div>
  <div class="powered">Powered by <a href="https://mastercms.vn/" rel="nofollow">MasterCMS</a>\
</div>
 </div></div>
</footer>
</div>
<script src="/modules/frontend/themes/{b["theme"]}/js/main.min.js?v=4.2.7"></script>
"""

    # ------------------------------------------------------------------ article page
    def date_line(self, article: Article) -> str:
        p = article.published
        if article.opt("variant") == "B":
            sec = self.section_of(article).name
            who = article.author or ""
            return f'<div class="article-date">{esc(who)} {dmy(p)} {hm(p)} | {esc(sec)}</div>'
        gmt = "" if article.opt("nogmt") else " GMT+7"
        return (
            f'<span class="article-detail-date rt"><span class="format_time">{hm(p)}</span> | '
            f'<span class="format_date">{dmy(p)}</span>{gmt}</span>'
        )

    def body(self, article: Article, embed: Article) -> str:
        out = []
        photo = 0
        for kind, text in article.blocks:
            if kind == "p":
                out.append(f'<p style="text-align: justify;">{esc(text)}</p>')
            elif kind == "h":
                out.append(f'<p style="text-align: justify;"><strong>{esc(text)}</strong></p>')
            elif kind == "img":
                photo += 1
                src = chrome.photo_path(article, photo)
                out.append(
                    '<table class="MASTERCMS_TPL_TABLE" style="width: 100%;" border="0" '
                    'cellspacing="0" cellpadding="0" align="center"><tbody>'
                    f'<tr><td><img src="{src}" alt="{esc(text)}" width="800" height="533" '
                    'style="width: 100%;" loading="lazy"></td></tr>'
                    f'<tr><td class="image-caption">{esc(text)}</td></tr></tbody></table>'
                )
            elif kind == "embed":
                out.append(self.embed(embed))
        if article.opt("author_style") == "cms" and article.author:
            out.append(
                f'<p class="cms-author" style="text-align: right;"><strong>'
                f"{esc(article.author)}</strong></p>"
            )
        return "\n".join(out)

    def embed(self, target: Article) -> str:
        return (
            '<table class="tpl_CMS_ARTICLE_EMBED" style="width: 100%;" border="0" '
            'cellspacing="0" cellpadding="0"><tbody><tr>'
            f'<td class="embed-thumb" width="160">{self.thumb(target, "embed-thumb-link")}</td>'
            f'<td class="embed-info"><a class="embed-title" href="{self.href(target)}">'
            f'{esc(target.title)}</a><p class="embed-desc">{esc(target.lead or "")}</p></td>'
            "</tr></tbody></table>"
        )

    def author_box(self, article: Article) -> str:
        style, name = article.opt("author_style", "title"), article.author
        if not name or style in ("dateline", "cms"):
            return ""
        source = esc(article.opt("author_source"))
        if style == "member_slash":
            return f'<div class="article-member">{esc(name)} / {source}</div>'
        if style == "member_paren":
            return f'<div class="article-member">{esc(name)} ({source})</div>'
        note = article.opt("author_note")
        note_html = f'<span class="author-desc"> - {esc(note)}</span>' if note else ""
        return (
            '<div class="article-detail-author clearfix"><h2 class="author-title">'
            f'<a href="/tac-gia/{slugify(name)}" rel="author">{esc(name)}</a></h2>{note_html}</div>'
        )

    def article_meta(self, article: Article) -> str:
        section = self.section_of(article)
        image = self.base + chrome.photo_path(article)
        meta = [
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{esc(article.title)}">',
            f'<meta property="og:description" content="{esc(article.lead or "")}">',
            f'<meta property="og:url" content="{article.url}">',
            f'<meta property="og:image" content="{image}">',
            f'<meta property="article:section" content="{esc(section.name)}">',
            f'<meta name="keywords" content="{esc(section.name.lower())}, tin tức, đối ngoại">',
        ]
        flags = article.opt("meta").split()
        if "published_time" in flags:
            meta.append(
                f'<meta property="article:published_time" content="{iso_local(article.published)}">'
            )
            meta.append(
                f'<meta property="article:modified_time" '
                f'content="{iso_local(chrome.modified(article))}">'
            )
        if "jsonld" in flags:
            logo = f"{self.base}/modules/frontend/themes/{self.brand['theme']}/images/logo.png"
            meta.append(chrome.news_article_ld(article, self.site.name, logo, image))
        trail = [("Trang chủ", self.base + "/")] + [
            (name, self.base + path) for name, path in self.trail(article.section)
        ]
        meta.append(chrome.breadcrumb_ld(trail))
        return "\n".join(meta) + "\n"

    def article_page(self, article: Article) -> str:
        if self.redesign:
            nav = [(f"/{s.path}", s.name) for s in self.site.sections]
            return redesign.article_page(self.site, "mastercms", article, nav)
        rel = chrome.related(article, 3)
        embed = BY_KEY[article.opts["embed"]] if "embed" in article.opts else rel[0]
        others = chrome.older_in_section(article, 5)
        lead = article.lead or ""
        if self.site.key == "baoquocte" and lead:
            lead = "Baoquocte.vn. " + lead
        layout_b = article.opt("variant") == "B"
        date_line = self.date_line(article)
        top = esc(article.title)
        hd = (
            f'<h1 class="article-detail-title f0">{top}</h1>\n{date_line}'
            if layout_b
            else f'{date_line}\n<h1 class="article-detail-title f0">{top}</h1>'
        )
        related_top = "".join(
            f'<li><a href="{self.href(a)}">{esc(a.title)}</a></li>' for a in rel[1:3]
        )
        source = article.opt("source")
        if source:
            source_html = f'<div class="article-detail-source">Nguồn: {esc(source)}</div>'
        else:
            source_html = "" if layout_b else '<div class="article-detail-source">Nguồn:</div>'
        follow = ""
        if self.brand["follow"]:
            follow = (
                f'<div class="follow-news clearfix"><span>{self.brand["follow"]}</span> '
                '<a href="https://news.google.com/publications/CAAqBwgKMMTfmgswhuqyAw" '
                'target="_blank" rel="nofollow"><img src="/modules/frontend/themes/baoquocte/'
                'images/google-news.svg" alt="Google News"></a></div>'
            )
        share_url = esc(article.url)
        return (
            self.head(
                f"{article.title} | {self.site.name}",
                article.lead or article.title,
                article.url,
                self.article_meta(article),
            )
            + self.header()
            + f"""<main class="site-main" id="main"><div class="container">
{self.breadcrumb(article.section)}
<div class="row clearfix">
<div class="col-main lt">
<article class="article-detail clearfix" id="article-{article.id}" data-id="{article.id}">
 <div class="article-detail-hd">
{hd}
  <div class="article-detail-tools clearfix">
   <div class="font-size-tool lt"><a href="javascript:void(0)" class="font-down" title="Giảm cỡ \
chữ">a</a><a href="javascript:void(0)" class="font-up" title="Tăng cỡ chữ">a</a></div>
   <div class="share-tools rt">
    <a class="share-fb" href="https://www.facebook.com/sharer/sharer.php?u={share_url}"
     target="_blank" rel="nofollow">Chia sẻ</a>
    <a class="share-zalo" href="https://sp.zalo.me/share_inline?u={share_url}" target="_blank"
     rel="nofollow">Zalo</a>
    <a class="share-mail" href="mailto:?subject={esc(article.title)}&amp;body={share_url}">Email</a>
    <a class="share-print" href="javascript:window.print()">In bài</a>
   </div>
  </div>
 </div>
 <div class="article-detail-desc fw lt f0 mb clearfix">{esc(lead)}</div>
 <div class="article-related-top clearfix"><div class="hd">TIN LIÊN QUAN</div><ul>{related_top}</ul>
 </div>
 <div class="__MASTERCMS_CONTENT fw f1 mb clearfix" id="__MB_MASTERCMS_EL_3">
{self.body(article, embed)}
 </div>
 {self.author_box(article)}
 {source_html}
 <div class="article-tags clearfix"><span class="tags-label">Tags:</span> <a
  href="/tags/{slugify(self.section_of(article).name)}">{esc(self.section_of(article).name)}</a>
  <a href="/tags/doi-ngoai">đối ngoại</a></div>
 {follow}
 <div class="article-detail-bottom clearfix"><div class="fb-like" data-href="{share_url}"
  data-layout="button_count" data-action="like" data-share="true"></div></div>
 <div class="box box-comment" id="box-comment">
  <div class="box-hd"><h3 class="box-title">Bình luận</h3></div>
  <form class="comment-form" action="/ajax/comment" method="post">
   <input type="hidden" name="article_id" value="{article.id}">
   <textarea name="content" rows="4" placeholder="Ý kiến của bạn..."></textarea>
   <table class="comment-fields"><tbody><tr>
    <td><input type="text" name="fullname" placeholder="Họ và tên"></td>
    <td><input type="email" name="email" placeholder="Email"></td>
    <td><button type="submit" class="btn-send">Gửi bình luận</button></td>
   </tr></tbody></table>
   <p class="comment-note">Ý kiến bạn đọc sẽ được biên tập trước khi đăng. Xin vui lòng gõ tiếng
    Việt có dấu.</p>
  </form>
 </div>
 <div class="box box-related clearfix">
  <div class="box-hd"><h3 class="box-title">Tin bài liên quan</h3></div>
  <div class="box-bd">{"".join(self.teaser(a) for a in rel)}</div>
 </div>
 <div class="box box-other-news clearfix">
  <div class="box-hd"><h3 class="box-title">Các tin bài khác</h3></div>
  <div class="box-bd">{"".join(self.teaser(a) for a in others)}</div>
 </div>
</article>
</div>
{self.sidebar(article)}
</div>
{self.multimedia()}
</div></main>
{self.footer()}{chrome.FONT_SIZE_JS}
<script>var MB_ARTICLE = {{"id": {article.id}, "url": "{article.url}"}};
$.post('/ajax/view-count', {{"id": MB_ARTICLE.id}});</script>
</body>
</html>
"""
        )

    def chrome_texts(self, article: Article) -> list[str]:
        """Texts of the page chrome around an article (teasers, captions, widgets, footer)."""
        rel = chrome.related(article, 3)
        embed = BY_KEY[article.opts["embed"]] if "embed" in article.opts else rel[0]
        texts = [s.name for s in self.site.sections]
        for teaser in [*rel, *chrome.older_in_section(article, 5), *self.most_read(article), embed]:
            texts += [teaser.title, teaser.lead or ""]
        texts += article.captions
        texts += [
            "TIN LIÊN QUAN",
            "Tin bài liên quan",
            "Các tin bài khác",
            "Đọc nhiều",
            "Xin chờ trong giây lát...",
            "Phiên bản di động",
            "Gửi bình luận",
            "Ý kiến bạn đọc sẽ được biên tập trước khi đăng.",
            self.brand["owner"],
            self.brand["address"],
            f"{weekday(SITE_CLOCK)}, {dmy(SITE_CLOCK)}",
            *chrome.VIDEO_TITLES[:4],
        ]
        if article.opt("source"):
            texts.append(f"Nguồn: {article.opt('source')}")
        if article.opt("author_note"):
            texts.append(article.opt("author_note"))
        if self.brand["follow"]:
            texts += [self.brand["follow"], "Baoquocte.vn."]
        if article.author:
            texts.append(article.author)
        return texts

    # ------------------------------------------------------------------ home & listings
    def home_page(self) -> str:
        fa = [a for a in self.articles if a.foreign_affairs]
        lead_story, featured = fa[0], fa[1:5]
        blocks = []
        for top in (s for s in self.site.sections if s.parent is None):
            items = in_section(self.site.key, top.path)[:4]
            if not items:
                continue
            blocks.append(
                f'<section class="box box-cate clearfix"><div class="box-hd"><h2 class="box-title">'
                f'<a href="/{top.path}">{esc(top.name)}</a></h2></div><div class="box-bd">'
                + "".join(self.teaser(a, desc=(i == 0)) for i, a in enumerate(items))
                + "</div></section>"
            )
        desc = f"{self.site.name} - tin tức đối ngoại, hữu nghị, hợp tác quốc tế"
        return (
            self.head(self.site.name, desc, self.base + "/")
            + self.header()
            + f"""<main class="site-main home" id="main"><div class="container">
<div class="row clearfix">
<div class="col-main lt">
 <section class="box box-featured clearfix">
  <div class="featured-big">{self.teaser(lead_story)}</div>
  <div class="featured-list">{"".join(self.teaser(a, desc=False) for a in featured)}</div>
 </section>
 {"".join(blocks)}
</div>
{self.sidebar(None)}
</div>
{self.multimedia()}
</div></main>
{self.footer()}</body>
</html>
"""
        )

    def listing_url(self, section: Section, page: int) -> str:
        if page <= 1:
            return f"/{section.path}"
        return f"/{section.path}&s_cond=&BRSR={(page - 1) * self.site.page_size}"

    def listing_page(self, section: Section, offset: int) -> str:
        size = self.site.page_size
        items = in_section(self.site.key, section.path)
        page_items = items[offset : offset + size]
        pages = max(1, -(-len(items) // size))
        current = offset // size + 1
        links = []
        for n in range(1, pages + 1):
            cls = ' class="active"' if n == current else ""
            links.append(f'<a href="{self.listing_url(section, n)}"{cls}>{n}</a>')
        if current < pages:
            links.append(
                f'<a class="next" href="{self.listing_url(section, current + 1)}">Trang sau</a>'
            )
        subs = "".join(
            f'<li><a href="/{s.path}">{esc(s.name)}</a></li>'
            for s in self.site.sections
            if s.parent == section.path
        )
        body = "".join(self.teaser(a, date=True) for a in page_items) or (
            '<p class="no-data">Chưa có bài viết trong chuyên mục.</p>'
        )
        canonical = self.base + self.listing_url(section, current)
        return (
            self.head(f"{section.name} | {self.site.name}", f"Tin tức {section.name}", canonical)
            + self.header()
            + f"""<main class="site-main category" id="main"><div class="container">
{self.breadcrumb(section.path)}
<div class="row clearfix">
<div class="col-main lt">
 <div class="cate-hd clearfix"><h1 class="cate-title"><a href="/{section.path}">\
{esc(section.name)}</a></h1><ul class="cate-sub">{subs}</ul></div>
 <div class="article-list" id="__MB_ARTICLE_LIST">{body}</div>
 <div class="__MB_ARTICLE_PAGING clearfix">{" ".join(links)}</div>
 <div class="btn-viewmore"><a href="javascript:void(0)" onclick="MB.loadMore('{section.path}', \
{offset + size})">Xem thêm</a></div>
</div>
{self.sidebar(None)}
</div>
</div></main>
{self.footer()}</body>
</html>
"""
        )

    def empty_page(self, name: str) -> str:
        return (
            self.head(f"{name} | {self.site.name}", name, f"{self.base}/{name.lower()}")
            + self.header()
            + f'<main class="site-main"><div class="container"><h1 class="cate-title">{name}</h1>'
            '<p class="no-data">Nội dung đang được cập nhật.</p></div></main>'
            + self.footer()
            + "</body>\n</html>\n"
        )

    def not_found_page(self) -> str:
        return (
            self.head(f"Không tìm thấy trang | {self.site.name}", "404", self.base + "/")
            + self.header()
            + '<main class="site-main"><div class="container page-404"><h1>404</h1>'
            "<p>Trang bạn tìm không tồn tại hoặc đã bị xóa.</p>"
            '<p><a href="/">Về trang chủ</a></p></div></main>'
            + self.footer()
            + "</body>\n</html>\n"
        )

    # ------------------------------------------------------------------ RSS (baoquocte)
    def rss(self, section_path: str) -> Response:
        if section_path:
            section = self.site.section(section_path)
            if section is None:
                return html(self.not_found_page(), 404)
            items, title = in_section(self.site.key, section.path), section.name
            link, self_url = f"{self.base}/{section.path}", f"{self.base}/rss_feed/{section.path}"
        else:
            items, title = self.articles, "Trang chủ"
            link, self_url = self.base + "/", f"{self.base}/rss_feed/"
        entries = []
        for a in items[:20]:
            img = self.base + chrome.photo_path(a)
            entries.append(
                f"<item><title>{esc(a.title)}</title><link>{a.url}</link>"
                f'<guid isPermaLink="true">{a.url}</guid>'
                f'<description><![CDATA[<a href="{a.url}"><img src="{img}" /></a>'
                f"{a.lead or ''}]]></description><pubDate>{rfc822(a.published)}</pubDate></item>"
            )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
            f"<title>{esc(self.site.name)} - {esc(title)}</title><link>{link}</link>"
            f"<description>{esc(self.site.name)} - {esc(title)}</description>"
            "<language>vi</language>"
            f'<atom:link href="{self_url}" rel="self" type="application/rss+xml" />'
            f"<lastBuildDate>{rfc822(SITE_CLOCK)}</lastBuildDate>"
            + "\n".join(entries)
            + "</channel></rss>\n"
        )
        return Response(200, body.encode("utf-8"), "application/rss+xml; charset=utf-8")
