"""Tiny request/response types used between the HTTP server and the site renderers."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """A request as a site sees it: real host, raw target, parsed query and form."""

    method: str
    host: str
    target: str
    form: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return urlsplit(self.target).path or "/"

    @property
    def query(self) -> dict[str, str]:
        parsed = parse_qs(urlsplit(self.target).query, keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    drop_connection: bool = False  # close the socket without answering (dead host)


def html(text: str, status: int = 200) -> Response:
    return Response(status, text.encode("utf-8"))


def redirect(location: str, status: int = 301) -> Response:
    body = f'<html><body>Moved: <a href="{location}">{location}</a></body></html>'
    return Response(status, body.encode(), headers=[("Location", location)])


def robots_txt() -> Response:
    """Allow everything; no Sitemap line on any mirrored host."""
    body = "User-agent: *\nDisallow:\n"
    return Response(200, body.encode(), content_type="text/plain; charset=utf-8")
