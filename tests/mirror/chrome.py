"""Page chrome shared by several templates: teaser picking, JSON-LD, image paths, scripts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from .content import ARTICLES
from .model import Article
from .textutil import iso_local, slugify


def most_read(site: str, exclude: Article | None, count: int = 9) -> list[Article]:
    """A stable pseudo-random "Đọc nhiều" list (same on every page but the current article)."""
    pool = sorted(ARTICLES[site], key=lambda a: (a.id * 2654435761) % 1009)
    return [a for a in pool if a is not exclude][:count]


def related(article: Article, count: int = 3) -> list[Article]:
    """Articles of the same top-level section, nearest in time first."""
    top = article.section.split("/")[0]
    pool = [
        a for a in ARTICLES[article.site] if a is not article and a.section.split("/")[0] == top
    ]
    if len(pool) < count:
        pool += [a for a in ARTICLES[article.site] if a is not article and a not in pool]
    pool.sort(key=lambda a: abs((a.published - article.published).total_seconds()))
    return pool[:count]


def older_in_section(article: Article, count: int = 5) -> list[Article]:
    """ "Các tin bài khác": the next older articles of the same section, wrapping around."""
    same = [a for a in ARTICLES[article.site] if a.section == article.section]
    if len(same) <= 1:
        same = ARTICLES[article.site]
    index = same.index(article) if article in same else 0
    ring = same[index + 1 :] + same[:index]
    return [a for a in ring if a is not article][:count]


def photo_path(article: Article, n: int = 0, prefix: str = "/stores/news_dataimages") -> str:
    """MasterCMS-style photo path: /stores/news_dataimages/2023/012023/23/07/<name>.jpg."""
    p = article.published
    name = f"{slugify(article.title)[:32].rstrip('-')}{p:%Y%m%d%H%M}{n:02d}.jpg"
    return f"{prefix}/{p:%Y}/{p:%m%Y}/{p:%d}/{p:%H}/{name}"


def modified(article: Article) -> datetime:
    """A later "last modified" time shown in meta/JSON-LD (never the publication time)."""
    return article.published + timedelta(hours=2, minutes=17)


def json_ld(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def news_article_ld(article: Article, publisher: str, logo: str, image: str) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": article.url},
        "headline": article.title,
        "description": article.lead or "",
        "image": {"@type": "ImageObject", "url": image, "width": 800, "height": 450},
        "datePublished": iso_local(article.published),
        "dateModified": iso_local(modified(article)),
        "author": {"@type": "Person", "name": article.author or publisher},
        "publisher": {
            "@type": "Organization",
            "name": publisher,
            "logo": {"@type": "ImageObject", "url": logo},
        },
    }
    return json_ld(data)


def breadcrumb_ld(items: list[tuple[str, str]]) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i + 1, "item": {"@id": url, "name": name}}
            for i, (name, url) in enumerate(items)
        ],
    }
    return json_ld(data)


ANALYTICS = """<script async src="https://www.googletagmanager.com/gtag/js?id=G-7K2Q9ZP1XB"></script>
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('js', new Date());
  gtag('config', 'G-7K2Q9ZP1XB');
</script>"""

FONT_SIZE_JS = """<script>
(function () {
  var size = 17;
  function apply() {
    var box = document.getElementById('__MB_MASTERCMS_EL_3');
    if (box) { box.style.fontSize = size + 'px'; }
  }
  document.addEventListener('click', function (e) {
    if (e.target.classList.contains('font-up')) { size = Math.min(size + 1, 24); apply(); }
    if (e.target.classList.contains('font-down')) { size = Math.max(size - 1, 13); apply(); }
  });
})();
</script>"""

VIDEO_TITLES = (
    "[Video] 10 sự kiện văn hóa, thể thao và du lịch tiêu biểu năm 2025",
    "Vietnam Happy Fest 2025: Lan tỏa những giá trị hạnh phúc giữa lòng Hà Nội",
    "[Video] World Vision hỗ trợ hơn 1.100 người dân Quảng Ngãi tiếp cận nước sạch bền vững",
    "[Video] Lễ dâng y Kathina tại Đà Nẵng: Sợi dây gắn kết Phật giáo các nước châu Á",
    "Trailer lễ hội Văn hóa Thế giới tại Hà Nội lần thứ nhất",
    "[Video] Petr Tsvetov: Việt Nam ấm áp và thân thuộc",
    "Việt Nam - Cuba: 65 năm cùng chung nhịp đập",
    "[Video] Bạn bè quốc tế gửi lời chúc tới nhân dân Việt Nam",
)

INFOGRAPHIC_ALTS = (
    "infographic 6 danh hieu cua viet nam duoc unesco ghi danh nam 2025",
    "95 nam dang cong san viet nam ngon co dan loi dan toc qua moi chang duong",
    "infographic quy dinh ve bao ve du lieu ca nhan doi voi cac nen tang mang xa hoi",
    "viet nam khang dinh vi the va dau an noi bat tai unesco",
    "infographic dai hoi thi dua yeu nuoc toan quoc lan thu xi",
)
