"""CheapMetaRefreshMiddleware: Scrapy's meta refresh, without decoding pages that have none."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.discovery.middlewares import CheapMetaRefreshMiddleware

REFRESH = '<html><head><meta http-equiv="Refresh" content="0; url=/moi.html"></head><body>x</body>'


def middleware() -> CheapMetaRefreshMiddleware:
    return CheapMetaRefreshMiddleware.from_crawler(get_crawler())


def page(html: str, encoding: str = "utf-8") -> tuple[Request, HtmlResponse]:
    request = Request("https://baoquocte.vn/cu.html")
    body = html.encode(encoding)
    headers = {"Content-Type": f"text/html; charset={encoding}"}
    return request, HtmlResponse(request.url, body=body, headers=headers, request=request)


def test_a_refresh_in_the_head_is_followed_as_scrapy_does():
    request, response = page(REFRESH)
    out = middleware().process_response(request, response)
    assert isinstance(out, Request) and out.url == "https://baoquocte.vn/moi.html"


def test_a_refresh_in_utf16_is_still_followed():
    request, response = page(REFRESH, "utf-16")
    out = middleware().process_response(request, response)
    assert isinstance(out, Request) and out.url == "https://baoquocte.vn/moi.html"


def test_a_page_without_refresh_passes_undecoded():
    request, response = page("<html><body><p>Tin đối ngoại</p></body></html>" * 50)
    assert middleware().process_response(request, response) is response
    assert response._cached_ubody is None  # Scrapy's own would have decoded it
