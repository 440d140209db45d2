"""The article template each site moved to after a redesign (MirrorServer(redesign=True)).

Real portals differ from our notes in exactly these ways, and a redesign brings them all at once:
new class names for every part of the story (the profile's selectors match nothing, or match
the wrong box); meta tags on only some pages; boxes before and after the story that reuse the
story's own classes (a featured teaser, a "Tin khác" / "Các tin khác" list); the portal's name
in <title> and in a banner <h1>; the author's job title glued to the byline. URLs, listings and
home pages stay as they were: discovery still works, extraction is what breaks.

Ground truth is unchanged (Article.expected()): the page shows the same story.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import chrome
from .model import Article, Site
from .sites import SITE_CLOCK
from .textutil import dmy, esc, hm, iso_local, weekday

# The job title a redesigned byline glues to the author's name.
JOB_TITLE = "Phó Trưởng phòng Thông tin đối ngoại"


@dataclass(frozen=True)
class Template:
    """Class names of one family's new article template (none of them in our profiles)."""

    story: str
    title: str
    date: str
    lead: str
    body: str
    author: str
    more: str  # the list of other articles under the story
    more_label: str
    banner: str


TEMPLATES = {
    "mastercms": Template(
        "detail-news",
        "detail-news__title",
        "detail-news__time",
        "detail-news__sapo",
        "detail-news__content",
        "detail-news__author",
        "box-other-news",
        "Các tin khác",
        "site-brand",
    ),
    "sharepoint": Template(
        "vp-article",
        "vp-article-heading",
        "vp-article-time",
        "vp-article-summary",
        "vp-article-body",
        "vp-article-signature",
        "vp-related",
        "Các tin khác",
        "vp-portal-name",
    ),
    "liferay": Template(
        "tn-news",
        "tn-news-name",
        "tn-news-published",
        "tn-news-abstract",
        "tn-news-main",
        "tn-news-writer",
        "tn-news-others",
        "Tin khác",
        "tn-portal-name",
    ),
    "drupal": Template(
        "node-news",
        "node-news__heading",
        "node-news__posted",
        "node-news__intro",
        "node-news__text",
        "node-news__writer",
        "block-news-others",
        "Tin khác",
        "site-name",
    ),
}


def _date_text(article: Article) -> str:
    p = article.published
    day = f"{weekday(p)}, {dmy(p)}"
    return f"{day} | {hm(p)}" if article.precision == "minute" else day


def _meta(article: Article, site: Site) -> str:
    """Meta tags on every other page only: the redesign's SEO plug-in is not on all types."""
    description = f'<meta name="description" content="{esc(article.lead or site.name)}" />'
    if article.id % 2:
        return description
    published = (
        iso_local(article.published)
        if article.precision == "minute"
        else f"{article.published:%Y-%m-%d}"
    )
    return f"""{description}
<meta property="og:site_name" content="{esc(site.name)}" />
<meta property="og:title" content="{esc(article.title)}" />
<meta property="og:url" content="{article.url}" />
<meta property="article:published_time" content="{published}" />"""


def _teaser(t: Template, other: Article) -> str:
    """A teaser dressed in the story's own classes (featured box, sidebar)."""
    return f"""<div class="{t.story} {t.story}--teaser">
 <h2 class="{t.title}"><a href="{other.url}">{esc(other.title)}</a></h2>
 <div class="{t.date}">{_date_text(other)}</div>
 <div class="{t.lead}">{esc(other.lead or "")}</div>
</div>"""


def _body(t: Template, article: Article, image_src: str) -> str:
    out = []
    for n, (kind, text) in enumerate(article.blocks):
        if kind == "p":
            out.append(f"<p>{esc(text)}</p>")
        elif kind == "h":
            out.append(f"<p><b>{esc(text)}</b></p>")
        elif kind == "img":
            out.append(
                f'<figure class="{t.body}__photo"><img src="{image_src}?n={n}" alt="" />'
                f"<figcaption>{esc(text)}</figcaption></figure>"
            )
    if article.author:
        out.append(f'<p class="{t.author}">{esc(article.author)} - {JOB_TITLE}</p>')
    return "\n".join(out)


def article_page(site: Site, family: str, article: Article, nav: list[tuple[str, str]]) -> str:
    """The redesigned page of `article` on `site` (a family's new template)."""
    t = TEMPLATES[family]
    others = chrome.older_in_section(article, 5)
    featured, sidebar = others[:1], others[1:3]
    image = (
        chrome.photo_path(article)
        if family == "mastercms"
        else f"/uploads/news/{article.id}/photo.jpg"
    )
    menu = "".join(f'<li><a href="{href}">{esc(name)}</a></li>' for href, name in nav)
    more = "".join(
        f'<li><a href="{a.url}">{esc(a.title)}</a> <span class="date">({dmy(a.published)})</span>'
        "</li>"
        for a in others
    )
    lead = f'<div class="{t.lead}">{esc(article.lead)}</div>' if article.lead else ""
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8" />
<title>{esc(site.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1" />
{_meta(article, site)}
<link rel="stylesheet" href="/assets/v2/main.css" />
</head>
<body class="page-news-detail">
<header class="header-v2">
 <div class="topbar">{weekday(SITE_CLOCK)}, {dmy(SITE_CLOCK)}</div>
 <h1 class="{t.banner}"><a href="/">{esc(site.name)}</a></h1>
 <nav class="main-nav"><ul>{menu}</ul></nav>
</header>
<main class="container-v2">
 <div class="row-v2">
  <div class="col-main">
   <section class="box-featured">{"".join(_teaser(t, a) for a in featured)}</section>
   <article class="{t.story}">
    <h2 class="{t.title}">{esc(article.title)}</h2>
    <div class="{t.date}">{_date_text(article)}</div>
    {lead}
    <div class="{t.body}">
{_body(t, article, image)}
    </div>
   </article>
   <section class="{t.more}"><h3 class="{t.more}__label">{t.more_label}</h3>
    <ul>{more}</ul></section>
  </div>
  <aside class="col-side">
   <h3 class="side-label">Tin nổi bật</h3>
   {"".join(_teaser(t, a) for a in sidebar)}
  </aside>
 </div>
</main>
<footer class="footer-v2"><p>{esc(site.name)}</p>
<p>Bản quyền thuộc về {esc(site.name)}. Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p>
</footer>
</body>
</html>"""
