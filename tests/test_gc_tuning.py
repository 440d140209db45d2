"""The crawl process's young GC generation (crawler.runner.tune_gc), set before the reactor runs:
the project's setting, an operator's `-s GC_YOUNG_THRESHOLD=0` for Python's own."""

from __future__ import annotations

import pytest

from tests.conftest import python_code

CODE = """
import gc
from scrapy.settings import Settings
from crawler import settings as project
from crawler.runner import tune_gc
settings = Settings()
settings.setmodule(project)
settings.set("GC_YOUNG_THRESHOLD", {override!r}, priority="cmdline") if {override!r} else None
before = gc.get_threshold()
tune_gc(settings)
print(before, gc.get_threshold())
"""


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("", "(700, 10, 10) (10000, 10, 10)"),  # the project's default
        ("0", "(700, 10, 10) (700, 10, 10)"),  # Python's own
        ("5000", "(700, 10, 10) (5000, 10, 10)"),
    ],
)
def test_the_young_generation_follows_the_setting(override: str, expected: str):
    assert python_code(CODE.format(override=override)).strip() == expected
