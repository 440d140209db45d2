"""The benchmarks' mirror of a MasterCMS magazine (bench.bench_crawl.Mirror): the routes a
crawl of it takes, over one kept-alive connection, answered in order, hits counted."""

from __future__ import annotations

import http.client

from bench.bench_crawl import SECTION, Site, serve


def test_the_mirror_answers_a_crawls_routes_on_one_connection_and_counts_them():
    site = Site(20)
    mirror, port, hits = serve(site)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        got = {}
        paths = [
            "/robots.txt",
            f"/{SECTION}",
            f"/{SECTION}&s_cond=&BRSR=15",
            site.article_path(3),
            site.article_path(20),  # past the last article
            "/elsewhere.html",
        ]
        for path in paths:
            conn.request("GET", path, headers={"Host": "baoquocte.vn"})
            response = conn.getresponse()
            got[path] = (response.status, response.getheader("Content-Type"), response.read())
        conn.close()
    finally:
        mirror.shutdown()
    assert got["/robots.txt"][:2] == (200, "text/plain")
    assert site.article_path(15).encode() in got[f"/{SECTION}&s_cond=&BRSR=15"][2]
    assert got[site.article_path(3)] == (200, "text/html; charset=utf-8", site.article_bytes(3))
    assert got[site.article_path(20)][0] == got["/elsewhere.html"][0] == 404
    assert hits == {path: 1 for path in paths}


def test_the_mirror_waits_its_latency_and_keeps_the_answers_in_order():
    site = Site(5)
    mirror, port, _ = serve(site, latency=0.05)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        bodies = []
        for i in range(5):
            conn.request("GET", site.article_path(i))
            bodies.append(conn.getresponse().read())
        conn.close()
    finally:
        mirror.shutdown()
    assert bodies == [site.article_bytes(i) for i in range(5)]
