"""`scrapy datasette`: browse the store in Datasette with the project's configuration.

Runs `datasette serve` on the store named by SQLITE_PATH (or --db) with crawler/browse/
(metadata, plugin) and the settings it expects, after bringing an older store to the current
schema. The same as, from a clone:
  datasette data/news.db -m crawler/browse/metadata.yml --plugins-dir crawler/browse/plugins \\
    --setting truncate_cells_html 160 --setting default_facet_size 8
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
from importlib import resources
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.cli import Strict
from crawler.store import StoreError, open_readonly

BROWSE = resources.files("crawler") / "browse"
# Long cells cut on table and query pages (a row's own page shows them whole); facets short.
SETTINGS = {"truncate_cells_html": "160", "default_facet_size": "8"}
METADATA_DATABASE = "news"  # metadata.yml names the database after data/news.db


def metadata_for(db: Path) -> Path:
    """metadata.yml, rewritten for a store whose file is not named news.db (Datasette names a
    database after its file)."""
    metadata = Path(str(BROWSE / "metadata.yml"))
    if db.stem == METADATA_DATABASE:
        return metadata
    text = metadata.read_text(encoding="utf-8").replace(
        f"/{METADATA_DATABASE}/", f"/{db.stem}/"
    )
    import yaml  # the browse extra's; imported here, not at every scrapy command's start

    config = yaml.safe_load(text)
    config["databases"] = {db.stem: config["databases"][METADATA_DATABASE]}
    out = Path(tempfile.mkdtemp(prefix="news-datasette-")) / "metadata.yml"
    out.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    return out


def command(db: Path, host: str, port: int) -> list[str]:
    args = [sys.executable, "-m", "datasette", "serve", str(db)]
    args += ["--metadata", str(metadata_for(db)), "--plugins-dir", str(BROWSE / "plugins")]
    for name, value in SETTINGS.items():
        args += ["--setting", name, value]
    return args + ["--host", host, "--port", str(port)]


class Command(Strict, ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--port N] [--host ADDRESS] [--db FILE] [--print]"

    def short_desc(self) -> str:
        return "Browse and search the store in Datasette, with the project's configuration"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--port", type=int, default=8001, help="0: any free port (8001)")
        parser.add_argument("--host", default="127.0.0.1", help="address (127.0.0.1)")
        parser.add_argument("--db", help="database file (default: the SQLITE_PATH setting)")
        parser.add_argument(
            "--print", action="store_true", help="print the datasette command, do not run it"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected argument {args[0]!r}")
        assert self.settings is not None
        path = Path(opts.db or self.settings.get("SQLITE_PATH")).resolve()
        try:
            open_readonly(path).close()  # exists, and at the current schema
        except StoreError as exc:
            print(f"error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        argv = command(path, opts.host, opts.port)
        if opts.print:
            print(shlex.join(argv))
            return
        sys.stdout.flush()
        os.execv(argv[0], argv)
