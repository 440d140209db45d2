"""Quick checks of the local mirror itself (tests/mirror): hosts, URL schemes, faults, gold."""

from __future__ import annotations

import http.client
import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.mirror import ARTICLES, BY_KEY, EXPECTED, REPUBLICATION, SITE_CLOCK, SITES, MirrorServer
from tests.mirror.content import in_section
from tests.mirror.liferay import page_url

CORPUS = Path(__file__).parent / "corpus"
API = "/APIVP/api/DSTinTuc/QUERYDATA"


def fetch(
    mirror: MirrorServer, host: str, target: str, form: dict | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request through the mirror the way the crawler's download handler sends it."""
    conn = http.client.HTTPConnection("127.0.0.1", mirror.port, timeout=5)
    headers = {"Host": host, "X-Forwarded-Host": host}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request("POST" if form is not None else "GET", target, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def api(mirror: MirrorServer, list_name: str, start: int, length: int) -> list[dict]:
    form = {
        "do": "QUERYDATA",
        "fieldOrder": "CreatedDate",
        "ascending": "desc",
        "UrlList": f"/ct/cms/tintuc/Lists/{list_name}",
        "start": start,
        "length": length,
    }
    status, headers, body = fetch(mirror, "vinhphuc.gov.vn", API, form)
    assert status == 200 and headers["content-type"].startswith("application/json")
    return json.loads(body)["data"]


def links(page: bytes) -> set[str]:
    return {m.replace("&amp;", "&") for m in re.findall(r'href="([^"]+)"', page.decode())}


@pytest.fixture(scope="module")
def mirror() -> Iterator[MirrorServer]:
    with MirrorServer() as server:
        yield server


def test_starts_fast_and_maps_every_host() -> None:
    began = time.perf_counter()
    with MirrorServer() as server:
        assert time.perf_counter() - began < 0.5
        mapping = server.hosts_map()
        assert server.url == f"http://127.0.0.1:{server.port}"
    expected_hosts = {
        "thoidai.com.vn",
        "www.thoidai.com.vn",
        "tacnghiep.thoidai.com.vn",
        "vietnamtimes.thoidai.com.vn",
        "baoquocte.vn",
        "vinhphuc.gov.vn",
        "thainguyen.gov.vn",
        "phutho.gov.vn",
    }
    assert expected_hosts <= set(mapping)
    assert set(mapping.values()) == {f"127.0.0.1:{server.port}"}


def test_home_pages_and_robots(mirror: MirrorServer) -> None:
    for host in mirror.hosts_map():
        status, headers, body = fetch(mirror, host, "/")
        if host.endswith("vinhphuc.gov.vn"):
            assert status == 302
            assert headers["location"] == "https://vinhphuc.gov.vn/Pages/default.aspx"
            status, headers, body = fetch(mirror, host, "/Pages/default.aspx")
        assert status == 200, host
        assert b'<meta charset="utf-8"' in body and b"127.0.0.1" not in body
        status, _, robots = fetch(mirror, host, "/robots.txt")
        assert status == 200 and b"Disallow:\n" in robots and b"Sitemap" not in robots


def test_host_header_fallback_and_aliases(mirror: MirrorServer) -> None:
    article = ARTICLES["thoidai"][0]
    conn = http.client.HTTPConnection("127.0.0.1", mirror.port, timeout=5)
    conn.request("GET", article.path, headers={"Host": "tacnghiep.thoidai.com.vn:443"})
    resp = conn.getresponse()
    page = resp.read()
    conn.close()
    assert resp.status == 200
    assert f'<link rel="canonical" href="{article.url}">'.encode() in page
    assert mirror.hits[("tacnghiep.thoidai.com.vn", article.path)] >= 1


def test_every_article_page_is_served(mirror: MirrorServer) -> None:
    for site, items in ARTICLES.items():
        host = SITES[site].main_host
        for article in items:
            status, _, body = fetch(mirror, host, article.path)
            assert status == 200, article.url
            page = body.decode()
            assert article.paragraphs[0].replace('"', "&quot;")[:40] in page
            assert "127.0.0.1" not in page
            assert mirror.hits[(host, article.path)] == 1
    assert fetch(mirror, "thoidai.com.vn", "/khong-co-bai-999999999.html")[0] == 404


def test_mastercms_listing_paging(mirror: MirrorServer) -> None:
    for site, section in (("thoidai", "huu-nghi"), ("baoquocte", "ngoai-giao")):
        size = SITES[site].page_size
        items = in_section(site, section)
        assert len(items) > size, "listing must span two pages"
        first = links(fetch(mirror, SITES[site].main_host, f"/{section}")[2])
        page2_url = f"/{section}&s_cond=&BRSR={size}"
        assert page2_url in first
        second = links(fetch(mirror, SITES[site].main_host, page2_url)[2])
        assert {a.path for a in items} <= first | second


def test_gov_listing_paging(mirror: MirrorServer) -> None:
    items = in_section("thainguyen", "tin-quoc-te")
    page1 = links(fetch(mirror, "thainguyen.gov.vn", "/vi_VN/tin-quoc-te")[2])
    assert page_url("tin-quoc-te", 2) in page1
    page2 = links(fetch(mirror, "thainguyen.gov.vn", page_url("tin-quoc-te", 2))[2])
    assert {a.path for a in items} <= page1 | page2
    assert any("/-/asset_publisher/aB3dE5fG7hJ9/content/" in a.path for a in items)
    assert "/tin-quoc-te/thai-nguyen-don-doan-nhat-ban-12345" in page1

    items = [a for a in ARTICLES["phutho"] if a.section == "doi-ngoai"]
    page1 = links(fetch(mirror, "phutho.gov.vn", "/doi-ngoai")[2])
    assert "?page=1" in page1
    page2 = links(fetch(mirror, "phutho.gov.vn", "/doi-ngoai?page=1")[2])
    assert {a.path for a in items} <= page1 | page2
    node = items[0]
    status, _, body = fetch(mirror, "phutho.gov.vn", f"/node/{node.id}")
    assert status == 200 and f'rel="canonical" href="{node.url}"'.encode() in body


def test_baoquocte_rss(mirror: MirrorServer) -> None:
    status, headers, body = fetch(mirror, "baoquocte.vn", "/rss_feed/ngoai-giao")
    assert status == 200 and "rss" in headers["content-type"]
    items = ET.fromstring(body).findall("./channel/item")
    assert len(items) == len(in_section("baoquocte", "ngoai-giao"))
    assert all(item.findtext("pubDate", "").endswith("+0700") for item in items)
    assert fetch(mirror, "baoquocte.vn", "/rss_feed/")[0] == 200


def test_vinhphuc_api_pages_by_start_and_length(mirror: MirrorServer) -> None:
    everything = api(mirror, "ThoiSuChinhTri", 0, 50)
    expected_ids = [a.id for a in ARTICLES["vinhphuc"] if a.section == "ThoiSuChinhTri"]
    assert [row["ID"] for row in everything] == expected_ids
    dates = [row["CreatedDate"] for row in everything]
    assert dates == sorted(dates, reverse=True)
    paged, start = [], 0
    while True:
        rows = api(mirror, "ThoiSuChinhTri", start, 3)
        paged += rows
        start += len(rows)
        if len(rows) < 3:
            break
    assert paged == everything
    assert any(row["Title"].startswith("##") for row in everything)
    assert all("&lt;p" in row["ContentNews"] for row in everything)
    kinhte = [a.id for a in ARTICLES["vinhphuc"] if a.section == "KinhTe"]
    assert [row["ID"] for row in api(mirror, "KinhTe", 2, 10)] == kinhte[2:]
    assert api(mirror, "VanHoaXaHoi", 0, 10) == []


@pytest.mark.parametrize("mode", ["redirect", "dead", "api_html"])
def test_vinhphuc_fault_modes(mode: str) -> None:
    with MirrorServer(vinhphuc_mode=mode) as server:
        article = ARTICLES["vinhphuc"][0]
        if mode == "redirect":
            status, headers, _ = fetch(server, "vinhphuc.gov.vn", article.path)
            assert (status, headers["location"]) == (301, "https://phutho.gov.vn/")
        elif mode == "dead":
            with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
                fetch(server, "vinhphuc.gov.vn", "/Pages/default.aspx")
        else:
            status, headers, body = fetch(server, "vinhphuc.gov.vn", API, {"start": 0})
            assert status == 200 and headers["content-type"].startswith("text/html")
            assert fetch(server, "vinhphuc.gov.vn", article.path)[0] == 200
        assert fetch(server, "phutho.gov.vn", "/")[0] == 200


def test_ground_truth() -> None:
    assert set(EXPECTED) == {
        "thoidai",
        "vietnamtimes",
        "baoquocte",
        "vinhphuc",
        "thainguyen",
        "phutho",
    }
    assert MirrorServer.expected("phutho") == EXPECTED["phutho"]
    bodies = [tuple(a["paragraphs"]) for items in EXPECTED.values() for a in items]
    assert all(len(body) >= 3 for body in bodies)
    assert len(set(bodies)) == len(bodies) - 1  # only the republication repeats a body
    thoidai, baoquocte = (BY_KEY[key] for key in REPUBLICATION)
    assert thoidai.paragraphs == baoquocte.paragraphs and thoidai.title != baoquocte.title
    assert any("8/8/1967" in p for a in EXPECTED["vinhphuc"] for p in a["paragraphs"])
    for items in EXPECTED.values():
        for gold in items:
            day = datetime.fromisoformat(gold["published_at"][:10]).date()
            assert 2019 <= day.year <= 2025 and day != SITE_CLOCK.date()
            assert urlsplit(gold["url"]).scheme == "https"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", EXPECTED["vinhphuc"][0]["published_at"])


def test_corpus_matches_served_pages(mirror: MirrorServer) -> None:
    golds = sorted(CORPUS.glob("*/*.json"))
    assert len(golds) >= 32
    templates = set()
    for gold_path in golds:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if gold.get("mirror") is False:  # hand-made pages the mirror does not serve
            continue
        templates.add(gold["template"])
        host = urlsplit(gold["url"]).hostname
        target = gold["url"].split(host, 1)[1]
        status, _, body = fetch(mirror, host, target)
        assert status == 200
        served = gold_path.with_suffix(".html").read_bytes()
        assert body == served, f"stale corpus, re-run tests.mirror.export_corpus: {gold_path}"
    assert {
        "mastercms-thoidai-A",
        "mastercms-thoidai-B",
        "mastercms-baoquocte-A",
        "sharepoint",
        "liferay-old",
        "liferay-new",
        "drupal",
    } <= templates
