"""Shared fixtures: local mirror servers and real `scrapy crawl` subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FETCH_TIME = "2026-11-23T08:00:00+00:00"
PROXY_VARS = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")


def clean_env() -> dict[str, str]:
    """The environment for subprocesses: no proxy, so nothing leaves the machine."""
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env["PYTHONPATH"] = str(ROOT)
    env["no_proxy"] = "*"
    return env


def fast_settings(hosts_map: dict[str, str], db: Path) -> list[str]:
    settings = {
        "MIRROR_HOSTS": json.dumps(hosts_map),
        "SQLITE_PATH": str(db),
        "FETCH_TIME": FETCH_TIME,
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
        "RETRY_TIMES": "1",
        "DOWNLOAD_TIMEOUT": "10",
        "HTTPPROXY_ENABLED": "False",
        "LOG_LEVEL": "INFO",
        "EXTRACT_WORKERS": "1",
    }
    return [arg for key, value in settings.items() for arg in ("-s", f"{key}={value}")]


def scrapy(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def python_code(code: str) -> str:
    """What `python -c code` prints, run from the project's root in a fresh interpreter (what a
    module imports, or changes in a library, stays out of the test's process); its stderr
    when it fails."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="session")
def mirror() -> Iterator[object]:
    from tests.mirror.server import MirrorServer

    with MirrorServer() as server:
        yield server


def crawl(
    mirror: object, spider: str, db: Path, *extra: str, tracebacks: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run `scrapy crawl SPIDER` against the mirror into `db`; fail loudly on a crash."""
    result = scrapy("crawl", spider, *fast_settings(mirror.hosts_map(), db), *extra)
    tb = -1 if tracebacks else result.stderr.find("Traceback")
    assert tb < 0, result.stderr[max(0, tb - 2000) : tb + 3000]
    return result


def v3_store(dest: Path) -> Path:
    """A copy of a real schema-3 store (tests/fixtures/README.md) at `dest`."""
    import gzip

    dest.write_bytes(gzip.decompress((ROOT / "tests" / "fixtures" / "store_v3.db.gz").read_bytes()))
    return dest
