"""vinhphuc.gov.vn on SharePoint, with the fault modes of the merged province's old portal.

URL scheme: "/" -> 302 "/Pages/default.aspx" (home); articles
"/ct/cms/tintuc/Lists/<ListName>/View_Detail.aspx?ItemID=<n>"; list views
"/ct/cms/tintuc/Pages/<ListName>.aspx" (paging by JavaScript postback only); SharePoint's own
list view of each list, "/ct/cms/tintuc/Lists/<ListName>/AllItems.aspx" (the registry's
`section_url`, a discovery fallback when the API fails); JSON API
"POST /APIVP/api/DSTinTuc/QUERYDATA". Paths are case-insensitive, as on IIS.

Modes: "normal"; "redirect" (every URL -> 301 https://phutho.gov.vn/); "dead" (the connection
is closed without any response); "api_html" (the API answers an HTML error page with status 200).
"""

from __future__ import annotations

import base64
import hashlib
import html as htmllib
import json
import re

from . import redesign
from .content import ARTICLES
from .model import Article
from .sites import SITE_CLOCK, SITES
from .textutil import dmy, esc, weekday
from .web import Request, Response, html, redirect

MODES = ("normal", "redirect", "dead", "api_html")
SITE = SITES["vinhphuc"]
BASE = f"https://{SITE.main_host}"
API_PATH = "/apivp/api/dstintuc/querydata"
DETAIL_RE = re.compile(r"^/ct/cms/tintuc/lists/(?P<list>[a-z]+)/view_detail\.aspx$")
LISTVIEW_RE = re.compile(r"^/ct/cms/tintuc/pages/(?P<list>[a-z]+)\.aspx$")
ALLITEMS_RE = re.compile(r"^/ct/cms/tintuc/lists/(?P<list>[a-z]+)/allitems\.aspx$")
LIST_PATH = "/ct/cms/tintuc/Lists/"
# Lists linked from the menus; only ThoiSuChinhTri and KinhTe hold mirrored articles.
LIST_NAMES = {
    "ThoiSuChinhTri": "Thời sự chính trị",
    "KinhTe": "Kinh tế",
    "VanHoaXaHoi": "Văn hóa xã hội",
    "NguoiTotViecTot": "Người tốt việc tốt",
    "KyNiemNgayTruyenThong": "Kỷ niệm ngày truyền thống",
}


def _token(seed: str, size: int) -> str:
    """A deterministic base64 blob that looks like __VIEWSTATE."""
    raw = b""
    counter = 0
    while len(raw) < size:
        raw += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return "/wEPDw" + base64.b64encode(raw[:size]).decode()


class SharePoint:
    """Renderer and router of vinhphuc.gov.vn."""

    def __init__(self, mode: str = "normal", redesign: bool = False) -> None:
        self.redesign = redesign
        if mode not in MODES:
            raise ValueError(f"vinhphuc_mode must be one of {MODES}, not {mode!r}")
        self.mode = mode
        self.articles = ARTICLES["vinhphuc"]
        self.lists = {s.path.lower(): s for s in SITE.sections}
        self.list_names = {name.lower(): name for name in LIST_NAMES}

    def handle(self, req: Request) -> Response:
        if self.mode == "dead":
            return Response(0, drop_connection=True)
        if self.mode == "redirect":
            return redirect("https://phutho.gov.vn/", 301)
        path = req.path.lower()
        if path == API_PATH:
            return self.api(req)
        if path == "/":
            return redirect(f"{BASE}/Pages/default.aspx", 302)
        if path == "/pages/default.aspx":
            return html(self.home_page())
        if match := DETAIL_RE.match(path):
            query = {key.lower(): value for key, value in req.query.items()}
            article = self.find(match["list"], query.get("itemid", ""))
            if article is not None:
                return html(self.article_page(article))
            return html(self.error_page(), 404)
        if path == "/ct/cms/tintuc/pages/default.aspx":
            return html(self.list_page(None))
        if (match := LISTVIEW_RE.match(path)) and match["list"] in self.list_names:
            return html(self.list_page(self.list_names[match["list"]]))
        if (match := ALLITEMS_RE.match(path)) and match["list"] in self.list_names:
            return html(self.all_items_page(self.list_names[match["list"]]))
        return html(self.error_page(), 404)

    def find(self, list_name: str, item_id: str) -> Article | None:
        section = self.lists.get(list_name)
        if section is None or not item_id.isdigit():
            return None
        return next(
            (a for a in self.articles if a.section == section.path and a.id == int(item_id)), None
        )

    # ------------------------------------------------------------------ JSON API
    def api(self, req: Request) -> Response:
        if req.method != "POST":
            body = {"Message": "The requested resource does not support http method 'GET'."}
            return Response(
                405,
                json.dumps(body).encode(),
                "application/json; charset=utf-8",
                headers=[("Allow", "POST")],
            )
        if self.mode == "api_html":
            return html(self.error_page(api=True), 200)
        form = {**req.query, **req.form}
        url_list = form.get("UrlList", "").rstrip("/").lower()
        try:
            start = max(int(form.get("start", "0")), 0)
            length = max(int(form.get("length", "10")), 0)
        except ValueError:
            start, length = 0, 10
        items = [a for a in self.articles if (LIST_PATH + a.section).lower() == url_list]
        reverse = form.get("ascending", "desc").lower() != "asc"
        items.sort(key=lambda a: a.published, reverse=reverse)
        page = items[start : start + length]
        data = {
            "draw": int(form["draw"]) if form.get("draw", "").isdigit() else 0,
            "recordsTotal": len(items),
            "recordsFiltered": len(items),
            "data": [self.api_item(a) for a in page],
        }
        body = json.dumps(data, ensure_ascii=False)
        return Response(200, body.encode("utf-8"), "application/json; charset=utf-8")

    def api_item(self, article: Article) -> dict:
        return {
            "ID": article.id,
            "Title": article.opt("api_title", article.title),
            "ContentNews": htmllib.escape(self.content_html(article), quote=True),
            "DescriptionNews": article.lead or "",
            "CreatedDate": f"{article.published:%Y-%m-%dT%H:%M:%S}",
            "ImageNews": self.image_src(article) if article.captions else "",
            "Author": article.author or "",
        }

    # ------------------------------------------------------------------ pages
    def image_src(self, article: Article) -> str:
        p = article.published
        return f"/ct/cms/tintuc/PublishingImages/{p:%Y}/{p:%m}/{p:%d}/anh{article.id}.jpg"

    def content_html(self, article: Article) -> str:
        out = []
        for kind, text in article.blocks:
            if kind in ("p", "h"):
                inner = f"<strong>{esc(text)}</strong>" if kind == "h" else esc(text)
                out.append(f'<p style="text-align: justify;">{inner}</p>')
            elif kind == "img":
                out.append(
                    '<table class="imgcaption" align="center" border="0" cellpadding="3" '
                    f'cellspacing="0"><tbody><tr><td><img src="{self.image_src(article)}" '
                    f'alt="" width="600" /></td></tr><tr><td><em>{esc(text)}</em></td></tr>'
                    "</tbody></table>"
                )
        if article.author:
            out.append(f'<p style="text-align: right;"><strong>{esc(article.author)}</strong></p>')
        return "\n".join(out)

    def head(self, title: str, form_action: str) -> str:
        viewstate = _token(title, 180)
        validation = _token("ev" + title, 48)
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"
 "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html dir="ltr" lang="vi-VN" xmlns="http://www.w3.org/1999/xhtml">
<head><meta charset="utf-8" /><meta http-equiv="X-UA-Compatible" content="IE=10" />
<meta name="GENERATOR" content="Microsoft SharePoint" />
<meta http-equiv="Expires" content="0" />
<title>
\t{esc(title)}
</title>
<link rel="stylesheet" type="text/css" href="/_layouts/15/1066/styles/Themable/corev15.css?rev=\
2bq%2FTuMLzANmeqZjSqxF7A%3D%3D" />
<link rel="stylesheet" type="text/css" href="/Style%20Library/VinhPhuc/css/portal.css" />
<script type="text/javascript" src="/_layouts/15/init.js?rev=ZKGLhjyz7qN5sRmVhnJqUg%3D%3D">\
</script>
<script type="text/javascript" src="/ScriptResource.axd?d=nv7asgRUU0tRmHNR2D6t1HtYzFtCE5xEDl\
&amp;t=ffffffff9e1d1fd1"></script>
</head>
<body scroll="yes" onload="if (typeof(_spBodyOnLoadWrapper) != 'undefined') \
{{_spBodyOnLoadWrapper();}}">
<form method="post" action="{form_action}" id="aspnetForm">
<div class="aspNetHidden">
<input type="hidden" name="_wpcmWpid" id="_wpcmWpid" value="" />
<input type="hidden" name="__REQUESTDIGEST" id="__REQUESTDIGEST" value="0x5F2C9A1B7E3D4C6A,\
{dmy(SITE_CLOCK)} 02:41:07 -0000" />
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />
<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{viewstate}" />
</div>
<script type="text/javascript">
//<![CDATA[
var theForm = document.forms['aspnetForm'];
function __doPostBack(eventTarget, eventArgument) {{
    if (!theForm.onsubmit || (theForm.onsubmit() != false)) {{
        theForm.__EVENTTARGET.value = eventTarget;
        theForm.__EVENTARGUMENT.value = eventArgument;
        theForm.submit();
    }}
}}
var MSOWebPartPageFormName = 'aspnetForm';
var g_presenceEnabled = true; var _spPageContextInfo = {{webServerRelativeUrl: "\\u002fct\\u002fcms\
\\u002ftintuc", webLanguage: 1066, currentLanguage: 1066}};
//]]>
</script>
<div class="aspNetHidden">
<input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="BAB98CB3" />
<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="{validation}" />
</div>
<div id="s4-workspace"><div id="s4-bodyContainer">
<table class="vp-header" width="100%" border="0" cellpadding="0" cellspacing="0"><tbody>
<tr>
 <td class="vp-logo"><a href="/Pages/default.aspx"><img src="/Style%20Library/VinhPhuc/images/\
banner.jpg" alt="Cổng thông tin điện tử tỉnh Vĩnh Phúc" /></a></td>
</tr>
<tr>
 <td class="vp-topbar">
  <table width="100%" cellpadding="0" cellspacing="0"><tbody><tr>
   <td class="vp-clock"><span id="ctl00_lblDate">{weekday(SITE_CLOCK)}, {dmy(SITE_CLOCK)}</span>\
</td>
   <td class="vp-search" align="right"><input name="ctl00$txtSearch" type="text" \
id="ctl00_txtSearch" class="search-box" value="Tìm kiếm..." /><input type="submit" \
name="ctl00$btnSearch" value="Tìm" id="ctl00_btnSearch" /></td>
  </tr></tbody></table>
 </td>
</tr>
<tr><td class="vp-menu">{self.menu()}</td></tr>
</tbody></table>
"""

    def menu(self) -> str:
        items = [
            ("/Pages/default.aspx", "Trang chủ"),
            ("/ct/cms/tintuc/Pages/ThoiSuChinhTri.aspx", "Thời sự chính trị"),
            ("/ct/cms/tintuc/Pages/KinhTe.aspx", "Kinh tế"),
            ("/ct/cms/tintuc/Pages/VanHoaXaHoi.aspx", "Văn hóa - Xã hội"),
            ("/ct/cms/dukhach/Pages/default.aspx", "Du khách"),
            ("/ct/cms/doanhnghiep/Pages/default.aspx", "Doanh nghiệp"),
            ("https://dichvucong.vinhphuc.gov.vn/", "Dịch vụ công"),
        ]
        links = "".join(f'<li><a href="{url}">{esc(name)}</a></li>' for url, name in items)
        return f'<ul class="vp-topmenu">{links}</ul>'

    def left_column(self) -> str:
        links = [
            ("/ct/cms/tintuc/Pages/ThoiSuChinhTri.aspx", "Thời sự chính trị"),
            ("/ct/cms/tintuc/Pages/KinhTe.aspx", "Kinh tế"),
            ("/ct/cms/tintuc/Pages/VanHoaXaHoi.aspx", "Văn hóa xã hội"),
            ("/ct/cms/tintuc/Pages/NguoiTotViecTot.aspx", "Người tốt việc tốt"),
            ("/ct/cms/tintuc/Pages/KyNiemNgayTruyenThong.aspx", "Kỷ niệm ngày truyền thống"),
        ]
        items = "".join(
            f'<tr><td class="left-item"><a href="{url}">{esc(name)}</a></td></tr>'
            for url, name in links
        )
        return f"""<td class="vp-left" valign="top" width="210">
 <table class="left-menu" width="100%" cellpadding="0" cellspacing="0"><tbody>
  <tr><td class="left-title">TIN TỨC - SỰ KIỆN</td></tr>{items}
 </tbody></table>
 <div class="left-banner"><a href="https://vinhphuc.gov.vn/ct/cms/Pages/HoiDap.aspx"><img \
src="/Style%20Library/VinhPhuc/images/hoidap.jpg" alt="Hỏi đáp trực tuyến" /></a></div>
</td>"""

    def right_column(self) -> str:
        return """<td class="vp-right" valign="top" width="230">
 <div class="right-box"><div class="right-title">Liên kết website</div>
  <select name="ctl00$ddlLienKet" onchange="window.open(this.value)">
   <option value="">-- Chọn liên kết --</option>
   <option value="https://chinhphu.vn/">Cổng thông tin điện tử Chính phủ</option>
   <option value="https://mofa.gov.vn/">Bộ Ngoại giao</option>
  </select>
 </div>
 <div class="right-box"><div class="right-title">Thống kê truy cập</div>
  <table class="stat"><tbody><tr><td>Đang truy cập:</td><td>1.127</td></tr>
  <tr><td>Tổng lượt truy cập:</td><td>48.562.310</td></tr></tbody></table>
 </div>
</td>"""

    def footer(self) -> str:
        return """<table class="vp-footer" width="100%" cellpadding="0" cellspacing="0"><tbody><tr>
 <td>
  <p><strong>CỔNG THÔNG TIN ĐIỆN TỬ TỈNH VĨNH PHÚC</strong></p>
  <p>Cơ quan chủ quản: Ủy ban nhân dân tỉnh Vĩnh Phúc</p>
  <p>Địa chỉ: Số 38 đường Nguyễn Trãi, phường Đống Đa, thành phố Vĩnh Yên, tỉnh Vĩnh Phúc</p>
  <p>Ghi rõ nguồn "Cổng thông tin điện tử tỉnh Vĩnh Phúc" khi phát hành lại thông tin từ \
website này.</p>
 </td>
</tr></tbody></table>
</div></div>
</form>
<script type="text/javascript">
//<![CDATA[
ExecuteOrDelayUntilScriptLoaded(function () { $('#ctl00_txtSearch').on('focus', function () \
{ this.value = ''; }); }, 'sp.js');
//]]>
</script>
</body>
</html>
"""

    def other_news(self, article: Article) -> str:
        same = [a for a in self.articles if a.section == article.section and a is not article]
        older = [a for a in same if a.published < article.published]
        picks = (older + [a for a in same if a not in older])[:6]
        items = "".join(
            f'<li><a href="{a.path}">{esc(a.title)}</a> <span class="date">'
            f"({dmy(a.published)})</span></li>"
            for a in picks
        )
        return (
            '<div class="other-news"><div class="other-title">Các tin khác</div>'
            f"<ul>{items}</ul></div>"
        )

    def chrome_texts(self, article: Article) -> list[str]:
        """Texts of the page chrome around an article."""
        same = [a for a in self.articles if a.section == article.section and a is not article]
        texts = [a.title for a in same]
        texts += [s.name for s in SITE.sections] + article.captions
        texts += [
            "Các tin đã đưa ngày:",
            "Các tin khác",
            "TIN TỨC - SỰ KIỆN",
            "Liên kết website",
            "Thống kê truy cập",
            "Cơ quan chủ quản: Ủy ban nhân dân tỉnh Vĩnh Phúc",
            "In bài viết",
            f"{weekday(SITE_CLOCK)}, {dmy(SITE_CLOCK)}",
        ]
        if article.author:
            texts.append(article.author)
        return texts

    def article_page(self, article: Article) -> str:
        if self.redesign:
            nav = [(f"/{s.path}", s.name) for s in SITE.sections]
            return redesign.article_page(SITE, "sharepoint", article, nav)
        section = self.lists[article.section.lower()]
        if article.id % 2:
            title = f'<h1 class="title-news">{esc(article.title)}</h1>'
        else:
            title = f'<div class="title-news">{esc(article.title)}</div>'
        sapo = (
            f'<div class="sapo-news"><strong>{esc(article.lead)}</strong></div>'
            if (article.lead)
            else ""
        )
        action = f"./View_Detail.aspx?ItemID={article.id}"
        return (
            self.head(article.title, action)
            + f"""<table class="vp-body" width="100%" cellpadding="0" cellspacing="0"><tbody><tr>
{self.left_column()}
<td class="vp-main" valign="top">
 <div class="breadcrumb"><a href="/Pages/default.aspx">Trang chủ</a> &gt; <a \
href="/ct/cms/tintuc/Pages/default.aspx">Tin tức</a> &gt; <a \
href="/ct/cms/tintuc/Pages/{section.path}.aspx">{esc(section.name)}</a></div>
 <div class="ms-rtestate-field">
 <div class="detail-news">
  {title}
  <div class="date-news">{dmy(article.published)}</div>
  {sapo}
  <div class="content-news">
{self.content_html(article)}
  </div>
  <div class="tool-news"><a href="javascript:window.print();">In bài viết</a> | <a \
href="mailto:?subject={esc(article.title)}">Gửi email</a> | <a href="#top">Về đầu trang</a></div>
 </div>
 </div>
 <div class="archive-news">
  <span class="archive-label">Các tin đã đưa ngày:</span>
  <input name="ctl00$PlaceHolderMain$txtTuNgay" type="text" value="{dmy(SITE_CLOCK)}" \
id="ctl00_PlaceHolderMain_txtTuNgay" class="date-input" />
  <input type="submit" name="ctl00$PlaceHolderMain$btnXem" value="Xem" \
id="ctl00_PlaceHolderMain_btnXem" />
 </div>
 {self.other_news(article)}
</td>
{self.right_column()}
</tr></tbody></table>
"""
            + self.footer()
        )

    def home_page(self) -> str:
        newest = self.articles[:3]
        hot = "".join(
            f'<tr><td class="hot-item"><a href="{a.path}">{esc(a.title)}</a><div class="hot-desc">'
            f"{esc(a.lead or '')}</div></td></tr>"
            for a in newest
        )
        return (
            self.head("Cổng thông tin điện tử tỉnh Vĩnh Phúc", "./default.aspx")
            + f"""<table class="vp-body" width="100%" cellpadding="0" cellspacing="0"><tbody><tr>
{self.left_column()}
<td class="vp-main" valign="top">
 <div class="home-title">TIN NỔI BẬT</div>
 <table class="hot-news" width="100%"><tbody>{hot}</tbody></table>
 <div class="home-more"><a href="/ct/cms/tintuc/Pages/ThoiSuChinhTri.aspx">Xem thêm tin thời sự \
chính trị</a> | <a href="/ct/cms/tintuc/Pages/KinhTe.aspx">Xem thêm tin kinh tế</a></div>
</td>
{self.right_column()}
</tr></tbody></table>
"""
            + self.footer()
        )

    def list_page(self, list_name: str | None) -> str:
        """A list view (None: all news). Paging is by __doPostBack only, as on the real site."""
        if list_name is None:
            title, items = "Tin tức - Sự kiện", self.articles
            action = "./default.aspx"
        else:
            title = LIST_NAMES[list_name]
            items = [a for a in self.articles if a.section == list_name]
            action = f"./{list_name}.aspx"
        rows = (
            "".join(
                f'<tr><td class="list-item"><a href="{a.path}">{esc(a.title)}</a> '
                '<span class="date">'
                f'({dmy(a.published)})</span><div class="list-desc">{esc(a.lead or "")}</div>'
                "</td></tr>"
                for a in items[: SITE.page_size]
            )
            or '<tr><td class="list-empty">Chưa có tin bài.</td></tr>'
        )
        pages = max(1, -(-len(items) // SITE.page_size))
        pager = " ".join(
            f"<a href=\"javascript:__doPostBack('ctl00$PlaceHolderMain$gvTinTuc','Page${n}')\">"
            f"{n}</a>"
            for n in range(1, pages + 1)
        )
        return (
            self.head(title, action)
            + f"""<table class="vp-body" width="100%" cellpadding="0" cellspacing="0"><tbody><tr>
{self.left_column()}
<td class="vp-main" valign="top">
 <div class="list-title">{esc(title)}</div>
 <table class="list-news" id="ctl00_PlaceHolderMain_gvTinTuc" width="100%"><tbody>{rows}</tbody>
 </table>
 <div class="pager">{pager}</div>
</td>
{self.right_column()}
</tr></tbody></table>
"""
            + self.footer()
        )

    def all_items_page(self, list_name: str) -> str:
        """SharePoint's standard list view (ms-listviewtable): every item's title links to its
        View_Detail page, newest first, 30 rows a page as SharePoint shows them."""
        items = sorted(
            (a for a in self.articles if a.section == list_name),
            key=lambda a: a.published,
            reverse=True,
        )
        rows = "".join(
            f'<tr class="ms-itmhover"><td class="ms-vb2"><a href="{a.path}"'
            f" onclick=\"EditLink2(this,'WPQ2');return false;\">{esc(a.title)}</a></td>"
            f'<td class="ms-vb2"><nobr>{a.published:%d/%m/%Y %H:%M}</nobr></td></tr>'
            for a in items[:30]
        )
        title = LIST_NAMES[list_name]
        return (
            self.head(f"{title} - Tất cả mục", "./AllItems.aspx")
            + f"""<div id="s4-bodyContainer"><div class="ms-webpart-zone">
<table class="ms-listviewtable" summary="{esc(title)}" id="onetidDoclibViewTbl0">
<thead><tr><th class="ms-vh2">Tiêu đề</th><th class="ms-vh2">Ngày tạo</th></tr></thead>
<tbody>{rows}</tbody></table></div></div>
"""
            + self.footer()
        )

    def error_page(self, api: bool = False) -> str:
        detail = (
            "Đã xảy ra lỗi khi xử lý yêu cầu. Vui lòng thử lại sau."
            if api
            else "Trang bạn yêu cầu không tồn tại."
        )
        return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8" /><title>Lỗi</title></head>
<body><div class="error-page"><h2>Cổng thông tin điện tử tỉnh Vĩnh Phúc</h2>
<p class="error-text">{detail}</p>
<p>Correlation ID: 5e0c8a9f-31d2-40b7-a0c4-7d9d3b6f1e21</p>
<p><a href="/Pages/default.aspx">Về trang chủ</a></p></div></body></html>
"""
