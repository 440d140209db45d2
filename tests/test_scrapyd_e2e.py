"""The project as Scrapyd runs it: an egg built by scrapyd-deploy, deployed to a real Scrapyd
on 127.0.0.1, its spiders listed, one scheduled against the mirror, its articles in the store.

The Scrapyd process runs without PYTHONPATH: the code that runs is the egg's.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.registry import default_registry
from tests.conftest import FETCH_TIME, ROOT, clean_env

pytest.importorskip("scrapyd")
pytest.importorskip("scrapyd_client")
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env() -> dict[str, str]:
    env = clean_env()
    env.pop("PYTHONPATH")  # only the egg (and installed libraries) may provide the project
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def _project_copy(dest: Path) -> Path:
    """The project's files as a checkout holds them (tracked and new, not ignored)."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.split(b"\0")  # fmt: skip
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():
            (dest / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name.decode())
    return dest


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[str]:
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = _free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\npoll_interval = 0.5\nmax_proc = 2\n"
        f"eggs_dir = {home}/eggs\nlogs_dir = {home}/logs\ndbs_dir = {home}/dbs\n",
        encoding="utf-8",
    )
    log = (home / "scrapyd.log").open("w")
    proc = subprocess.Popen(
        [str(BIN / "scrapyd")], cwd=home, env=_env(), stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "daemonstatus.json", timeout=2).read()
                break
            except OSError:
                assert proc.poll() is None, (home / "scrapyd.log").read_text()
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _get(url: str, **params: str) -> dict:
    with urllib.request.urlopen(f"{url}?{urllib.parse.urlencode(params)}", timeout=60) as r:
        return json.loads(r.read())


def test_scrapyd_runs_the_project_from_its_egg(scrapyd: str, mirror, tmp_path: Path):
    project = _project_copy(tmp_path / "checkout")
    with (project / "scrapy.cfg").open("a", encoding="utf-8") as cfg:
        cfg.write(f"\n[deploy:test]\nurl = {scrapyd}\nproject = crawler\n")
    deploy = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "test", "--version", "1"],
        cwd=project, env=_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert '"status": "ok"' in deploy.stdout, deploy.stdout + deploy.stderr

    listed = _get(scrapyd + "listspiders.json", project="crawler")
    assert listed["status"] == "ok", listed
    assert listed["spiders"] == sorted(s.name for s in default_registry().values() if s.enabled)

    db = tmp_path / "news.db"
    settings = {
        "MIRROR_HOSTS": json.dumps(mirror.hosts_map()),
        "SQLITE_PATH": str(db),
        "FETCH_TIME": FETCH_TIME,
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "EXTRACT_WORKERS": "1",
        "HTTPPROXY_ENABLED": "False",
    }
    body = urllib.parse.urlencode(
        [("project", "crawler"), ("spider", "thoidai"), ("max_items", "5")]
        + [("setting", f"{k}={v}") for k, v in settings.items()]
    ).encode()
    with urllib.request.urlopen(scrapyd + "schedule.json", data=body, timeout=60) as r:
        scheduled = json.loads(r.read())
    assert scheduled["status"] == "ok", scheduled
    job = scheduled["jobid"]
    for _ in range(600):
        jobs = _get(scrapyd + "listjobs.json", project="crawler")
        if any(j["id"] == job for j in jobs["finished"]):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"the Scrapyd job did not finish: {jobs}")
    log = next((tmp_path / "scrapyd" / "logs").rglob(f"{job}.log")).read_text("utf-8")
    assert "thoidai: exit 0" in log, log[-3000:]
    conn = sqlite3.connect(db)
    articles = conn.execute("SELECT count(*) FROM articles WHERE site = 'thoidai'").fetchone()[0]
    runs = conn.execute("SELECT spider, exit_status FROM crawl_runs").fetchall()
    assert articles == 5
    assert runs == [("thoidai", 0)]
