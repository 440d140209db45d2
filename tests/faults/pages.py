"""Bodies the fault server sends: pages in legacy encodings, bombs, broken feeds and binaries.

Good article pages come from the mirror's MasterCMS renderer (tests/mirror), so a fault page
that the crawler should recover (windows-1258, UTF-8 with a BOM) is the real page of a known
article whose ground truth is `tests.mirror.BY_KEY[key].expected()`.
"""

from __future__ import annotations

import json
import random
import unicodedata
import zlib
from dataclasses import dataclass
from functools import cache

from crawler.text.legacy_encoding import TCVN3_TO_UNICODE
from tests.mirror.content import BY_KEY
from tests.mirror.model import Article
from tests.mirror.textutil import esc, rfc822

BASE = "https://baoquocte.vn"
UTF8_META = '<meta charset="utf-8">'

# ---------------------------------------------------------------------------------------------
# Legacy encodings
# ---------------------------------------------------------------------------------------------

TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below


def to_cp1258(text: str) -> bytes:
    """Text as windows-1258 writes Vietnamese: a precomposed letter when cp1258 has one (à, ê,
    ơ, đ), otherwise the base letter and a combining tone mark (ệ = ê + U+0323)."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        tones = "".join(c for c in parts if c in TONES)
        try:
            out += base.encode("cp1258") + tones.encode("cp1258")
        except UnicodeEncodeError:
            out += f"&#{ord(ch)};".encode("ascii")
    return bytes(out)


_UNICODE_TO_TCVN3 = {letter: code for code, letter in TCVN3_TO_UNICODE.items()}


def to_tcvn3(text: str) -> bytes:
    """Vietnamese text typed with the ABC fonts (TCVN3). Capitals with a tone do not exist in
    TCVN3: callers put such text, in lower case, inside a .VnTimeH element."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch in _UNICODE_TO_TCVN3:
            out.append(_UNICODE_TO_TCVN3[ch])
        elif ord(ch) < 128:
            out.append(ord(ch))
        else:
            raise ValueError(f"{ch!r} has no TCVN3 code")
    return bytes(out)


def cp1258_page(html: str) -> bytes:
    """A mirror page re-encoded as windows-1258, declared only by a http-equiv meta tag."""
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
    assert UTF8_META in html
    return to_cp1258(html.replace(UTF8_META, meta, 1))


def bom_page(html: str) -> bytes:
    """A mirror page as UTF-8 with a byte order mark, no meta charset (nor header charset)."""
    assert UTF8_META in html
    return b"\xef\xbb\xbf" + html.replace(UTF8_META, "", 1).encode("utf-8")


@dataclass(frozen=True)
class LegacyArticle:
    """An archive article typed with the ABC fonts, and what the store must hold for it."""

    path: str
    title: str  # as the page shows it: the title is set in .VnTimeH (capitals)
    lead: str
    paragraphs: tuple[str, ...]
    published: str  # "HH:MM | dd/mm/yyyy" on the page
    published_at: str  # gold

    @property
    def url(self) -> str:
        return BASE + self.path

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


TCVN3_ARTICLES = {
    "declared": LegacyArticle(
        path="/giao-luu-huu-nghi-viet-nam-lao-tai-ha-noi-900018.html",
        title="GIAO LƯU HỮU NGHỊ VIỆT NAM - LÀO TẠI HÀ NỘI",
        lead=(
            "Sáng 14/3, tại Hà Nội, Liên hiệp các tổ chức hữu nghị Việt Nam phối hợp với Đại sứ"
            " quán Lào tổ chức buổi giao lưu hữu nghị nhân dịp kỷ niệm ngày thành lập Đảng Nhân"
            " dân Cách mạng Lào."
        ),
        paragraphs=(
            "Tham dự buổi giao lưu có đại diện lãnh đạo các bộ, ngành, đoàn thể, cùng đông đảo"
            " cán bộ, sinh viên Lào đang học tập và công tác tại Hà Nội.",
            "Phát biểu tại buổi giao lưu, đại diện Liên hiệp các tổ chức hữu nghị Việt Nam nhấn"
            " mạnh mối quan hệ hữu nghị truyền thống, đoàn kết đặc biệt và hợp tác toàn diện"
            " giữa hai Đảng, hai Nhà nước và nhân dân hai nước.",
            "Đại sứ Lào cảm ơn sự giúp đỡ quý báu mà Đảng, Nhà nước và nhân dân Việt Nam đã dành"
            " cho cách mạng Lào trong suốt những năm qua, đồng thời mong muốn hai bên tiếp tục"
            " tăng cường giao lưu văn hóa, giáo dục và thể thao.",
            "Buổi giao lưu diễn ra trong không khí thân tình với nhiều tiết mục văn nghệ đặc sắc"
            " của hai nước.",
        ),
        published="08:30 | 15/03/2004",
        published_at="2004-03-15T08:30:00+07:00",
    ),
    "undeclared": LegacyArticle(
        path="/hoi-thao-hop-tac-giao-duc-viet-nam-campuchia-900019.html",
        title="HỘI THẢO HỢP TÁC GIÁO DỤC VIỆT NAM - CAMPUCHIA",
        lead=(
            "Ngày 20/5, tại thành phố Hồ Chí Minh đã diễn ra hội thảo về hợp tác giáo dục và"
            " đào tạo giữa các trường đại học của Việt Nam và Campuchia."
        ),
        paragraphs=(
            "Hội thảo thu hút sự tham gia của gần một trăm nhà khoa học, giảng viên và nhà quản"
            " lý giáo dục đến từ hai nước.",
            "Các đại biểu đã trao đổi kinh nghiệm về đào tạo nguồn nhân lực, trao đổi sinh viên,"
            " giảng viên và nghiên cứu khoa học chung giữa các trường.",
            "Kết thúc hội thảo, hai bên đã ký kết nhiều biên bản ghi nhớ về hợp tác đào tạo"
            " trong giai đoạn tới, góp phần vun đắp tình hữu nghị giữa nhân dân hai nước.",
        ),
        published="14:05 | 21/05/2005",
        published_at="2005-05-21T14:05:00+07:00",
    ),
}


def tcvn3_page(article: LegacyArticle, charset: str | None) -> bytes:
    """An archive page kept in the CMS exactly as it was typed in 2004: TCVN3 bytes, .VnTime
    fonts, the title in .VnTimeH; `charset` in a meta tag when given."""
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        if charset
        else ""
    )
    paragraphs = "\n".join(
        f'<p style="text-align: justify;"><font face=".VnTime" size="3">{esc(p)}</font></p>'
        for p in article.paragraphs
    )
    title_typed = article.title.lower()  # .VnTimeH draws the lowercase codes as capitals
    page = f"""<html>
<head>
{meta}
<title>{esc(title_typed)}</title>
<meta name="generator" content="Microsoft FrontPage 4.0">
</head>
<body bgcolor="#FFFFFF">
<table width="760" border="0" cellpadding="0" cellspacing="0" align="center"><tr><td>
<div class="breadcrumbs"><a href="/"><font face=".VnTime">Trang chủ</font></a>
<a href="/tu-lieu"><font face=".VnTime">Tư liệu</font></a></div>
<div class="article-detail">
<span class="article-detail-date"><font face=".VnTime">{article.published}</font></span>
<h1 class="article-detail-title"><font face=".VnTimeH" size="4">{esc(title_typed)}</font></h1>
<div class="article-detail-desc"><b><font face=".VnTime">{esc(article.lead)}</font></b></div>
<div class="__MASTERCMS_CONTENT">
{paragraphs}
</div>
</div>
<p align="center"><font face=".VnTime" size="2">Bản quyền thuộc về Thế giới và Việt Nam</font></p>
</td></tr></table>
</body>
</html>
"""
    return to_tcvn3(page)


# ---------------------------------------------------------------------------------------------
# Listings, feeds, sitemaps
# ---------------------------------------------------------------------------------------------


def link_page(title: str, links: list[tuple[str, str]]) -> bytes:
    """A MasterCMS home or listing page: one teaser per (path, title)."""
    items = "\n".join(
        f'<div class="article-item clearfix"><div class="article-info"><h3 class="article-title">'
        f'<a href="{path}" title="{esc(text)}">{esc(text)}</a></h3></div></div>'
        for path, text in links
    )
    return f"""<!DOCTYPE html>
<html lang="vi">
<head><meta charset="utf-8"><title>{esc(title)} | Báo Thế giới và Việt Nam</title>
<meta name="generator" content="MasterCMS"></head>
<body class="baoquocte"><main class="site-main"><div class="container">
<h1 class="cate-title">{esc(title)}</h1>
<div class="article-list" id="__MB_ARTICLE_LIST">
{items}
</div></div></main></body>
</html>
""".encode()


def rss(articles: list[Article]) -> bytes:
    items = "\n".join(
        f"<item><title>{esc(a.title)}</title><link>{a.url}</link>"
        f'<guid isPermaLink="true">{a.url}</guid><pubDate>{rfc822(a.published)}</pubDate></item>'
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        "<title>Báo Thế giới và Việt Nam</title><link>https://baoquocte.vn/</link>"
        f"<description>Tin mới</description>\n{items}\n</channel></rss>\n"
    ).encode()


def malformed_rss(article: Article) -> bytes:
    """A feed broken the ways CMS feeds break: a raw "&" and "<" in titles, an unclosed item,
    a stray byte sequence, and the document cut before </channel>. The one link in it is
    still recoverable."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        "<title>Thế giới & Việt Nam</title><link>https://baoquocte.vn/</link>\n"
        f"<item><title>Kinh tế & đối ngoại <2024></title><link>{article.url}</link>"
        f"<pubDate>{rfc822(article.published)}</pubDate></item>\n"
        "<item><title>Bài viết chưa đóng thẻ<link>https://baoquocte.vn/</link>\n"
        "<item><title>\x01\x02 rác</tit"
    ).encode()


def billion_laughs(root: str, article: Article | None = None, depth: int = 10) -> bytes:
    """An XML entity-expansion bomb: &lol9; would expand to 10**9 "lol" (3 GB).

    `root` is "rss" (a feed: one good item, then one whose title and link use the entity) or
    "urlset" / "sitemapindex" (a sitemap: one good <loc>, then one that is the entity). libxml2
    stops at the first use ("entity amplification factor exceeded"): what comes before it is
    still read."""
    entities = ['<!ENTITY lol "lol">']
    for level in range(1, depth):
        previous = f"&lol{level - 1};" if level > 1 else "&lol;"
        entities.append(f'<!ENTITY lol{level} "{previous * 10}">')
    bomb = f"&lol{depth - 1};"
    doctype = f"<!DOCTYPE {root} [\n " + "\n ".join(entities) + "\n]>\n"
    good = article.url if article else ""
    if root == "rss":
        body = (
            '<rss version="2.0"><channel><title>Tin mới</title>'
            + (f"<item><title>Tin</title><link>{good}</link></item>" if good else "")
            + f"<item><title>{bomb}</title><link>https://baoquocte.vn/{bomb}-1.html</link></item>"
            + "</channel></rss>"
        )
    else:
        tag = "url" if root == "urlset" else "sitemap"
        body = (
            f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + (f"<{tag}><loc>{good}</loc></{tag}>" if good else "")
            + f"<{tag}><loc>{bomb}</loc></{tag}>"
            + f"</{root}>"
        )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + doctype + body + "\n").encode()


def sitemap(locs: list[str], index: bool = False) -> bytes:
    root, tag = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    entries = "".join(f"<{tag}><loc>{loc}</loc></{tag}>" for loc in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</{root}>\n'
    ).encode()


# ---------------------------------------------------------------------------------------------
# Bombs and binaries
# ---------------------------------------------------------------------------------------------

GZIP_BOMB_SIZE = 1 << 30  # 1 GiB once inflated


@cache
def gzip_bomb() -> bytes:
    """About 1 MB of gzip that inflates to 1 GiB of spaces: 128 members of 8 MiB each (valid
    gzip, RFC 1952 allows members back to back, and every gzip reader inflates them all)."""
    member = zlib.compressobj(9, zlib.DEFLATED, 31)
    one = member.compress(b" " * (8 << 20)) + member.flush()
    return one * (GZIP_BOMB_SIZE // (8 << 20))


@cache
def binary_blob(size: int = 48 * 1024) -> bytes:
    """A PNG file (signature, IHDR, then noise): what a misconfigured server sends as HTML."""
    noise = random.Random(5).randbytes(size)
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x03\x20\x00\x00\x02\x15\x08\x02" + noise


def article(key: str) -> Article:
    return BY_KEY[key]


# ---------------------------------------------------------------------------------------------
# Articles carrying what challenge pages carry; generated discovery pages; a broken API answer
# ---------------------------------------------------------------------------------------------

COMMENT_FORM = """<div class="comment-box clearfix" id="__MB_COMMENT">
<h3 class="comment-title">Ý kiến bạn đọc</h3>
<form id="frm-comment" action="/ajax/comment" method="post">
<textarea name="content" placeholder="Nhập ý kiến của bạn (tối đa 1000 ký tự)"></textarea>
<input type="text" name="fullname" placeholder="Họ và tên"><input type="email" name="email">
<div class="g-recaptcha" data-sitekey="6LcQmBsUAAAAANmJ3kFz1R2pS_cyQxbGNpzEbb2q"></div>
<button type="submit" class="btn-send">Gửi ý kiến</button>
</form></div>
<script src="https://www.google.com/recaptcha/api.js?hl=vi" async defer></script>
"""


def with_comment_form(page: bytes) -> bytes:
    """A mirror article page with a reCAPTCHA comment form under the article."""
    return page.replace(b"</body>", COMMENT_FORM.encode() + b"</body>", 1)


def with_paragraph(page: bytes, text: str) -> bytes:
    """A mirror article page with one more paragraph after the body's first."""
    start = page.index(b"__MASTERCMS_CONTENT")
    end = page.index(b"</p>", start) + len(b"</p>")
    extra = f'\n<p style="text-align: justify;">{esc(text)}</p>'.encode()
    return page[:end] + extra + page[end:]


def generated_teasers(first: int, last: int) -> bytes:
    """Bare listing links to generated article paths /bai-so-N-9NNNNNN.html (~40 bytes each:
    100k of them fit in DOWNLOAD_MAXSIZE)."""
    return "".join(
        f'<a href="/bai-so-{n}-{9_000_000 + n}.html">{n}</a>\n' for n in range(first, last)
    ).encode()


def generated_items(first: int, last: int) -> bytes:
    """RSS items linking generated article paths /bai-so-N-9NNNNNN.html."""
    return "".join(
        f"<item><title>Bài số {n}</title>"
        f"<link>{BASE}/bai-so-{n}-{9_000_000 + n}.html</link></item>\n"
        for n in range(first, last)
    ).encode()


def api_bad_fields(body: bytes) -> bytes:
    """A real API answer with fields of the wrong type (what a CMS migration leaves behind):
    ContentNews a number, DescriptionNews an object and a list, Title a number, plus a record
    without ID and a record that is a plain string."""
    data = json.loads(body)
    records = data["data"]
    bad = [
        ("ContentNews", 5),
        ("DescriptionNews", {"vi": "Tóm tắt", "en": "Summary"}),
        ("DescriptionNews", ["Tóm tắt", "bài viết"]),
        ("Title", 12345),
    ]
    for record, (key, value) in zip(records, bad, strict=False):
        record[key] = value
    records.insert(1, {"Title": "Bản ghi không có ID", "ContentNews": "<p>x</p>"})
    records.insert(2, "bản ghi hỏng")
    return json.dumps(data, ensure_ascii=False).encode()
