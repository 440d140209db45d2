"""What every project command shares: strict arguments and project-relative paths.

Scrapy parses a command line with `parse_known_args`, so a mistyped option (`--limt 3`) ends
up among the positional arguments and is silently used as one. Commands mix `Strict` in
before their Scrapy base class: an unknown option or a stray argument is a usage error (exit 2).
"""

from __future__ import annotations

import argparse
from typing import Any

from scrapy.exceptions import UsageError
from scrapy.spiders import Spider

from crawler import paths


class Strict:
    """Mixin for ScrapyCommand subclasses. `max_args` positional arguments at most."""

    max_args: int | None = 0
    settings: Any

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        options = [a for a in args if a.startswith("-") and a != "-"]
        if options:
            raise UsageError(f"unknown option(s): {' '.join(options)} (see --help)")
        if self.max_args is not None and len(args) > self.max_args:
            stray = " ".join(args[self.max_args :])
            raise UsageError(f"unexpected argument(s): {stray} (see --help)")
        super().process_options(args, opts)  # type: ignore[misc]
        paths.resolve(self.settings)


def check_spider_arguments(spidercls: type[Spider], spargs: dict[str, str]) -> None:
    """Refuse unknown `-a` names and bad values before the crawl starts (exit 2, no traceback).

    Spiders with a `check_arguments` classmethod validate there; others accept anything.
    """
    check = getattr(spidercls, "check_arguments", None)
    if check is None:
        return
    try:
        check(spargs)
    except ValueError as exc:
        raise UsageError(str(exc), print_help=False) from None
