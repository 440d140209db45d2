"""Legacy TLS only for the hosts whose registry entry asks for it (`tls_ciphers`): the context
factory Scrapy uses (crawler.discovery.tls), directly and through `scrapy fetch` (the project's
download handler), against a real TLS server (Python's ssl) that offers only a 1024-bit
Diffie-Hellman group, which OpenSSL accepts at `@SECLEVEL=1` and refuses at its default level
("dh key too small"), as old government portals need."""

from __future__ import annotations

import datetime
import http.server
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dh, rsa
from cryptography.x509.oid import NameOID
from OpenSSL import SSL
from scrapy.utils.test import get_crawler

from crawler.discovery.tls import SiteTLSContextFactory
from crawler.registry import DEFAULT_REGISTRY, load_registry
from tests.conftest import ROOT, clean_env

LEGACY = [s for s in load_registry().values() if s.tls_ciphers]
MODERN = [s for s in load_registry().values() if not s.tls_ciphers]

# RFC 2409's second Oakley group: a public 1024-bit MODP prime, generator 2.
OAKLEY_1024 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
    "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
    "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
    16,
)


@pytest.fixture(scope="module")
def weak_server(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    """TLS 1.2, DHE key exchange only, over a 1024-bit group; a self-signed certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "legacy.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    folder: Path = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    group = dh.DHParameterNumbers(OAKLEY_1024, 2).parameters()
    (folder / "dh.pem").write_bytes(
        group.parameter_bytes(serialization.Encoding.PEM, serialization.ParameterFormat.PKCS3)
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers("DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0")
    context.load_dh_params(folder / "dh.pem")
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


def handshake(client: SSL.Context, server: ssl.SSLContext, host: str) -> str | None:
    """None when the TLS handshake succeeds, else the client's error."""
    ours, theirs = socket.socketpair()
    theirs.settimeout(10)  # ours stays blocking: pyOpenSSL reads a plain socket

    def serve() -> None:
        try:
            with server.wrap_socket(theirs, server_side=True):
                pass
        except (ssl.SSLError, OSError):
            theirs.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    conn = SSL.Connection(client, ours)
    conn.set_connect_state()
    conn.set_tlsext_host_name(host.encode("ascii"))
    try:
        conn.do_handshake()
        return None
    except SSL.Error as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        ours.close()
        thread.join(10)


def factory() -> SiteTLSContextFactory:
    crawler = get_crawler(settings_dict={"DOWNLOADER_CLIENTCONTEXTFACTORY": "x"})
    return SiteTLSContextFactory.from_crawler(crawler)


def test_the_registry_names_legacy_and_modern_sites():
    assert LEGACY and MODERN


def test_legacy_ciphers_apply_to_the_sites_that_ask_for_them_only():
    tls = factory()
    for site in LEGACY:
        for host in site.hosts:
            assert tls.ciphers_for(host) == site.tls_ciphers
            assert tls.for_host(host) is not tls
    for site in MODERN:
        for host in site.hosts:
            assert tls.ciphers_for(host) is None
            assert tls.for_host(host) is tls
    assert tls.ciphers_for("example.org") is None


def test_a_legacy_site_reaches_a_weak_dh_server_and_others_do_not(weak_server: ssl.SSLContext):
    tls = factory()
    legacy_host, modern_host = LEGACY[0].hosts[0], MODERN[0].hosts[0]
    assert handshake(tls.context_for(legacy_host), weak_server, legacy_host) is None
    refused = handshake(tls.context_for(modern_host), weak_server, modern_host)
    assert refused is not None and "too small" in refused.lower(), refused


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's
        body = b"<html><body>legacy portal</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def weak_https(weak_server: ssl.SSLContext) -> Iterator[int]:
    """An HTTPS server on 127.0.0.1 (port 0) speaking only the weak handshake; its port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    server.socket = weak_server.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def fetch(url: str, registry: Path) -> subprocess.CompletedProcess[str]:
    """`scrapy fetch URL` with the project's settings and this registry."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "fetch", "-s", "ALLOW_PRIVATE_ADDRESSES=1",
         "-s", "RETRY_ENABLED=0", "-s", "DOWNLOAD_TIMEOUT=20", "-s", "LOG_LEVEL=INFO", url],
        cwd=ROOT, env={**clean_env(), "CRAWLER_REGISTRY": str(registry)},
        capture_output=True, text=True, timeout=120,
    )


def test_the_crawler_reaches_a_weak_server_as_a_legacy_site_only(weak_https: int,
                                                                  tmp_path: Path):
    """The registry's vinhphuc moved to https://localhost:PORT/: `localhost` gets its legacy
    ciphers and reaches the server; the same server as 127.0.0.1 (no registry entry) is
    refused. No deprecated setting is used on the way."""
    site = next(s for s in LEGACY if s.name == "vinhphuc")
    registry = tmp_path / "sites.toml"
    registry.write_text(
        DEFAULT_REGISTRY.read_text(encoding="utf-8").replace(
            site.root, f"https://localhost:{weak_https}/"
        ),
        encoding="utf-8",
    )
    assert load_registry(str(registry))["vinhphuc"].hosts == ("localhost",)
    legacy = fetch(f"https://localhost:{weak_https}/", registry)
    assert legacy.returncode == 0 and "legacy portal" in legacy.stdout, legacy.stderr[-3000:]
    modern = fetch(f"https://127.0.0.1:{weak_https}/", registry)
    assert "legacy portal" not in modern.stdout
    assert "dh key too small" in modern.stderr.lower(), modern.stderr[-3000:]
    for run in (legacy, modern):
        assert "Deprecat" not in run.stderr, run.stderr[-3000:]
