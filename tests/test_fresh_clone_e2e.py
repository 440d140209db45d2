"""A fresh `git clone` of the repository (its committed state), used as the README says:
the cron line and the logrotate recipe run verbatim (path aside) against the mirror, and a
non-editable `pip install .` runs from a folder holding only a scrapy.cfg."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.registry import default_registry
from tests.conftest import FETCH_TIME, ROOT, clean_env, fast_settings

BIN = Path(sys.executable).parent
PLACE = "/srv/vn-news-crawler"  # the README's example checkout


def _block(readme: str, kind: str) -> str:
    match = re.search(rf"```{kind}\n(.*?)```", readme, re.S)
    assert match, f"no ```{kind} block in the README"
    return match.group(1)


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    target = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True, timeout=120)
    assert not (target / "logs").exists() and not (target / "data" / "news.db").exists()
    return target


def _mirror_settings(folder: Path, hosts: dict[str, str]) -> Path:
    """A settings module over the project's, pointing the real hosts at the mirror."""
    folder.mkdir()
    (folder / "mirror_settings.py").write_text(
        "from crawler.settings import *  # noqa: F403\n"
        f"MIRROR_HOSTS = {json.dumps(hosts)!r}\n"
        f"FETCH_TIME = {FETCH_TIME!r}\n"
        "DOWNLOAD_DELAY = 0\nAUTOTHROTTLE_ENABLED = False\nCONCURRENT_REQUESTS_PER_DOMAIN = 8\n"
        "RETRY_TIMES = 1\nDOWNLOAD_TIMEOUT = 10\nEXTRACT_WORKERS = 1\n",
        encoding="utf-8",
    )
    return folder


def test_readme_cron_line_and_logrotate_recipe_work_on_a_fresh_clone(
    clone: Path, mirror, tmp_path: Path
):
    readme = (clone / "README.md").read_text("utf-8")
    lines = [ln for ln in _block(readme, "cron").splitlines() if ln and not ln.startswith("#")]
    assert len(lines) == 1
    command = re.match(r"^(\S+\s+){5}(.*)$", lines[0]).group(2)  # the five time fields off
    assert PLACE in command
    env = clean_env()
    settings = _mirror_settings(tmp_path / "mirrorcfg", mirror.hosts_map())
    env |= {
        "PATH": f"{BIN}{os.pathsep}/usr/bin{os.pathsep}/bin",  # cron's PATH plus the venv
        "PYTHONPATH": f"{clone}{os.pathsep}{settings}",
        "SCRAPY_SETTINGS_MODULE": "mirror_settings",
    }
    run = subprocess.run(
        ["/bin/sh", "-c", command.replace(PLACE, str(clone))],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    log = clone / "logs" / "crawl.log"
    assert run.returncode == 0, log.read_text("utf-8")[-3000:] if log.exists() else run
    sites = sorted(s.name for s in default_registry().values() if s.enabled)
    text = log.read_text("utf-8")
    assert f"crawlall: {len(sites)} site(s), 0 failed" in text
    counts = dict(
        sqlite3.connect(clone / "data" / "news.db").execute(
            "SELECT site, count(*) FROM articles GROUP BY site"
        )
    )
    assert sorted(counts) == sites and min(counts.values()) > 0

    if not shutil.which("logrotate"):
        pytest.skip("logrotate is not installed (.ci/run installs it)")
    conf = tmp_path / "logrotate.conf"
    conf.write_text(_block(readme, "logrotate").replace(PLACE, str(clone)), encoding="utf-8")
    rotate = subprocess.run(
        ["logrotate", "-f", "-s", str(tmp_path / "logrotate.state"), str(conf)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert rotate.returncode == 0, rotate.stderr
    assert (clone / "logs" / "crawl.log.1").read_text("utf-8") == text
    assert log.read_text("utf-8") == ""  # copytruncate: the same file, emptied


def test_non_editable_install_runs_from_a_folder_with_a_scrapy_cfg(
    clone: Path, mirror, tmp_path: Path
):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    env = clean_env()
    env.pop("PYTHONPATH")
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
         "--no-build-isolation", "--no-index", str(clone)],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-3000:]
    home = tmp_path / "news"
    home.mkdir()
    # the README's recipe for an installed crawler: a scrapy.cfg naming the settings
    readme = (clone / "README.md").read_text("utf-8")
    recipe = re.search(r"printf '(\[settings\][^']*)' > scrapy.cfg", readme)
    assert recipe, "the README shows no scrapy.cfg for an installed crawler"
    (home / "scrapy.cfg").write_text(recipe.group(1).replace("\\n", "\n"), encoding="utf-8")
    scrapy = [str(venv / "bin" / "python"), "-m", "scrapy"]  # scrapy itself: system-wide
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import crawler; print(crawler.__file__)"],
        cwd=home, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert where.stdout.startswith(str(venv)), where
    listed = subprocess.run([*scrapy, "list"], cwd=home, env=env, capture_output=True, text=True)
    assert listed.stdout.split() == sorted(
        s.name for s in default_registry().values() if s.enabled
    ), listed.stderr
    args = [a for a in fast_settings(mirror.hosts_map(), Path("x")) if "SQLITE_PATH" not in a]
    args = [x for a in args if a != "-s" for x in ("-s", a)]
    crawl = subprocess.run(
        [*scrapy, "crawl", "phutho", *args],
        cwd=home, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert (home / "data" / "news.db").is_file()
    assert sorted(p.name for p in home.iterdir()) == ["data", "scrapy.cfg"]
