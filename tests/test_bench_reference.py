"""The benchmarks' reference, plain trafilatura on one core, is the installed trafilatura even
when the benchmark's own process has loaded ours (crawler.extraction.trafilatura_loader)."""

from __future__ import annotations

import pickle
from pathlib import Path

from bench import plain_trafilatura
from crawler.extraction.trafilatura_loader import load_trafilatura
from tests.conftest import python_code
from tests.saved_pages import saved_html, saved_pages


def test_the_reference_times_plain_trafilatura_in_a_process_of_its_own(tmp_path: Path):
    load_trafilatura()  # this process's trafilatura now runs our decided XPaths
    pages = [(saved_html(path), "https://example.com/a.html") for path in saved_pages()[:3]]
    assert plain_trafilatura.seconds(pages) > 0
    listing = tmp_path / "pages.pickle"
    listing.write_bytes(pickle.dumps(pages))
    code = (
        "import importlib, sys\n"
        "from bench import plain_trafilatura\n"
        f"plain_trafilatura.main([{str(listing)!r}])\n"
        "from lxml import etree\n"
        "baseline = importlib.import_module('trafilatura.baseline')\n"
        "xpaths = importlib.import_module('trafilatura.xpaths')\n"
        "lists = [x for v in vars(xpaths).values() if isinstance(v, list) for x in v]\n"
        "print(all(type(x) is etree.XPath for x in [baseline.BASIC_CLEAN_XPATH, *lists]))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('crawler', 'pipelines')))\n"
    )
    seconds, plain, ours = python_code(code).split("\n")[:3]
    assert float(seconds) > 0
    assert plain == "True"
    assert ours == "[]"
