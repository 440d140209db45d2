"""Data model of the mirror: sites, sections and articles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .textutil import iso_local

# A body block: ("p", text) paragraph, ("h", text) bold sub-heading (a body paragraph too),
# ("img", caption) captioned photo, ("embed", "") related-article embed (MasterCMS only).
Block = tuple[str, str]


@dataclass(frozen=True)
class Section:
    """A listing of a site; `path` has no leading slash ("huu-nghi/bon-phuong-ket-ban")."""

    path: str
    name: str
    foreign_affairs: bool

    @property
    def parent(self) -> str | None:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else None


@dataclass(frozen=True)
class Site:
    """One mirrored web site (possibly served under several host names)."""

    key: str
    platform: str  # "mastercms" | "sharepoint" | "liferay" | "drupal"
    main_host: str
    aliases: tuple[str, ...]
    name: str
    sections: tuple[Section, ...]
    page_size: int = 16

    @property
    def hosts(self) -> tuple[str, ...]:
        return (self.main_host, *self.aliases)

    def section(self, path: str) -> Section | None:
        return next((s for s in self.sections if s.path == path), None)


@dataclass
class Article:
    """One article page together with its ground truth."""

    key: str
    site: str
    id: int
    slug: str
    section: str
    title: str
    lead: str | None
    blocks: list[Block]
    author: str | None
    published: datetime
    precision: str  # "minute" or "day": what the page itself shows
    foreign_affairs: bool
    path: str = ""
    url: str = ""
    opts: dict[str, str] = field(default_factory=dict)

    @property
    def paragraphs(self) -> list[str]:
        """Body paragraphs (sub-headings included; captions, embeds and byline excluded)."""
        return [text for kind, text in self.blocks if kind in ("p", "h")]

    @property
    def captions(self) -> list[str]:
        return [text for kind, text in self.blocks if kind == "img"]

    @property
    def published_at(self) -> str:
        """Ground-truth publication time at the page's precision."""
        if self.precision == "day":
            return f"{self.published:%Y-%m-%d}"
        return iso_local(self.published)

    def opt(self, name: str, default: str = "") -> str:
        return self.opts.get(name, default) or default

    def expected(self) -> dict:
        """Ground truth as returned by MirrorServer.expected()."""
        return {
            "url": self.url,
            "title": self.title,
            "lead": self.lead,
            "paragraphs": self.paragraphs,
            "author": self.author,
            "published_at": self.published_at,
            "captions": self.captions,
            "section": self.section,
            "foreign_affairs": self.foreign_affairs,
        }
