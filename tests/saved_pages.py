"""Every page we hold that we did not write for a rule: the corpus, the real pages, AEB's."""

from __future__ import annotations

import gzip
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = next((p / "shared" for p in ROOT.parents if (p / "shared").is_dir()), ROOT / "shared")


def saved_pages() -> list[Path]:
    pages = sorted((ROOT / "tests" / "corpus").glob("*/*.html"))
    pages += sorted((SHARED / "realpages" / "pages").glob("*"))
    pages += sorted((SHARED / "bench" / "aeb" / "html").glob("*.html.gz"))
    return pages


def saved_html(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace")
