"""The site registry: sites.toml turned into validated, immutable `Site` records.

Everything that differs between sites lives in the TOML file so that correcting a site is one
edit there. Errors name the file, the site and the field, because operators fix them by hand.
"""

from __future__ import annotations

import dataclasses
import os
import re
import re._constants as sre_constants
import re._parser as sre_parser
import tomllib
import types
from dataclasses import dataclass, field, fields, replace
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit

# The registry shipped with the crawler, read as package data (so an egg or a wheel works);
# CRAWLER_REGISTRY names another file (to try an edit).
DEFAULT_REGISTRY: Traversable = (
    Path(os.environ["CRAWLER_REGISTRY"])
    if os.environ.get("CRAWLER_REGISTRY")
    else resources.files("crawler") / "sites.toml"
)

REQUIRED = ("label", "family", "root", "article")
API_KINDS = ("sharepoint_dstintuc",)
SITE_NAME = re.compile(r"[a-z0-9_]+")  # spider names, lock and log file names
POSITIVE_INTS = ("page_size", "max_pages", "api.page_size")
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_LENGTH = 4096  # longer links are not articles (and are not matched against a rule)


class RegistryError(ValueError):
    """A registry entry is wrong; the message names the file, the site and the field."""


@dataclass(frozen=True)
class Profile:
    """Extraction rules for one site: ordered selectors per field (first match wins)."""

    name: str
    title: tuple[str, ...] = ()
    lead: tuple[str, ...] = ()
    lead_strip: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    body_exclude: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    author_cut: tuple[str, ...] = ()
    author_in_date: str | None = None
    section: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    byline_last: bool = False
    # Versioned templates: the first layout whose `when` rule matches a page replaces these
    # rules by its own (an old and a new template of one family, chosen by the page's markup).
    layouts: tuple[Layout, ...] = ()


@dataclass(frozen=True)
class Layout:
    """One template of a family: the rules that apply when a page has the `when` markup."""

    name: str
    when: tuple[str, ...]
    profile: Profile


@dataclass(frozen=True)
class Api:
    kind: str
    url: str
    list_path: str
    article_url: str
    page_size: int = 20


@dataclass(frozen=True)
class Site:
    name: str
    label: str
    family: str
    root: str
    hosts: tuple[str, ...]
    article: str
    sections: tuple[str, ...] = ()
    home: str = "{root}"
    article_query: str | None = None
    section_url: str = "{root}{section}"
    paging: str | None = None
    paging_follow: str | None = None
    page_size: int = 20
    max_pages: int = 3
    link_area: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    language: str = "vi"
    tls_ciphers: str | None = None
    download_delay: float | None = None
    enabled: bool = True
    profile: Profile = field(default_factory=lambda: Profile(name="generic"))
    api: Api | None = None

    @property
    def canonical_host(self) -> str:
        return self.hosts[0]

    @property
    def root_port(self) -> int | None:
        """The port the root URL names, if any (else the scheme's default is the only one)."""
        return urlsplit(self.root).port

    def expand(self, template: str, **values: Any) -> str:
        """Fill a URL template from the registry with this site's values."""
        return template.format(root=self.root, **values)

    def home_url(self) -> str:
        return self.expand(self.home)

    def section_listing(self, section: str) -> str:
        return self.expand(self.section_url, section=section)

    def page_url(self, section: str, page: int) -> str | None:
        """URL of page `page` (1-based) of a section listing, when the site pages by URL."""
        if not self.paging:
            return None
        return self.expand(
            self.paging,
            section=section,
            section_url=self.section_listing(section),
            page=page,
            page0=page - 1,
            offset=(page - 1) * self.page_size,
        )

    def feed_urls(self, sections: tuple[str, ...]) -> list[str]:
        urls: list[str] = []
        for template in self.feeds:
            if "{section}" in template:
                urls.extend(self.expand(template, section=s) for s in sections)
            else:
                urls.append(self.expand(template))
        return urls

    def is_article_url(self, url: str) -> bool:
        if len(url) > MAX_URL_LENGTH:
            return False
        parts = urlsplit(url)
        if (parts.hostname or "").lower() not in self.hosts:
            return False
        try:
            if parts.port not in (None, DEFAULT_PORTS.get(parts.scheme), self.root_port):
                return False  # baoquocte.vn:6379 is not baoquocte.vn
        except ValueError:
            return False
        if not re.search(self.article, parts.path):
            return False
        return self.article_query is None or bool(re.search(self.article_query, parts.query))


def _toml_type(hint: Any) -> type:
    """The TOML value type of a dataclass field: tuples are arrays, nested dataclasses tables,
    `X | None` is X."""
    if dataclasses.is_dataclass(hint):
        return dict
    origin = get_origin(hint)
    if origin is tuple:
        return list
    if origin in (Union, types.UnionType):
        return _toml_type(next(arg for arg in get_args(hint) if arg is not type(None)))
    return hint


def _fields_of(cls: type, skip: tuple[str, ...] = ("name",)) -> dict[str, type]:
    hints = get_type_hints(cls)
    return {f.name: _toml_type(hints[f.name]) for f in fields(cls) if f.name not in skip}


# What each registry table may hold, and its type: derived from the dataclasses above (the
# registry's `extract` table is a Site's profile; a profile's `layouts` table is keyed by name).
EXTRACT_FIELDS: dict[str, type] = {**_fields_of(Profile), "layouts": dict}
LAYOUT_FIELDS: dict[str, type] = {
    **{k: v for k, v in EXTRACT_FIELDS.items() if k != "layouts"},
    "when": list,
}
API_FIELDS: dict[str, type] = _fields_of(Api)
SITE_FIELDS: dict[str, type] = {**_fields_of(Site, skip=("name", "profile")), "extract": dict}



def _fail(path: Traversable, site: str, field_name: str, problem: str) -> RegistryError:
    return RegistryError(f"{path}: site '{site}', field '{field_name}': {problem}")


def _check_types(
    path: Traversable, site: str, data: dict[str, Any], schema: dict[str, type], prefix: str = ""
) -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key not in schema:
            known = ", ".join(sorted(schema))
            raise _fail(path, site, name, f"unknown field (known: {known})")
        expected = schema[key]
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            continue
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise _fail(
                path, site, name, f"expected {expected.__name__}, got {type(value).__name__}"
            )
        if expected is list and not all(isinstance(v, str) for v in value):
            raise _fail(path, site, name, "expected a list of strings")


_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)


def _nested_repeat(parsed: sre_parser.SubPattern | list, inside: bool = False) -> bool:
    """True when an unbounded repeat sits inside another unbounded repeat, `(a+)+`, `(a*b?)*`:
    the shape that backtracks exponentially on a link that almost matches."""
    for op, arg in parsed:
        if op in _REPEATS:
            low, high, body = arg
            unbounded = high == sre_constants.MAXREPEAT or high > 100
            if unbounded and inside:
                return True
            if _nested_repeat(body, inside or unbounded):
                return True
        elif op == sre_constants.SUBPATTERN:
            if _nested_repeat(arg[-1], inside):
                return True
        elif op == sre_constants.BRANCH:
            if any(_nested_repeat(branch, inside) for branch in arg[1]):
                return True
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT) and _nested_repeat(
            arg[1], inside
        ):
            return True
    return False


def _check_regex(path: Traversable, site: str, name: str, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise _fail(path, site, name, f"invalid regular expression: {exc}") from exc
    if _nested_repeat(sre_parser.parse(pattern)):
        raise _fail(
            path,
            site,
            name,
            f"regular expression {pattern!r} nests a repeat in a repeat (catastrophic"
            " backtracking on a near-miss): write it without the nesting",
        )


def _build_site(
    path: Traversable, name: str, raw: dict[str, Any], families: dict[str, Any]
) -> Site:
    if not isinstance(raw, dict):
        raise _fail(path, name, "-", "a site must be a table")
    if not SITE_NAME.fullmatch(name):
        raise _fail(path, name, "name", "a site name is lower-case letters, digits and '_' only")
    _check_types(path, name, raw, SITE_FIELDS)
    family_name = raw.get("family", "generic")
    if family_name not in families:
        raise _fail(path, name, "family", f"unknown family '{family_name}'")
    family = families[family_name]
    _check_types(path, name, family, SITE_FIELDS)

    merged: dict[str, Any] = {**family, **raw}
    merged["extract"] = {**family.get("extract", {}), **raw.get("extract", {})}
    api_raw = {**family.get("api", {}), **raw.get("api", {})}
    for key in REQUIRED:
        if not merged.get(key):
            raise _fail(path, name, key, "missing")

    _check_types(path, name, merged["extract"], EXTRACT_FIELDS, "extract.")
    _check_types(path, name, api_raw, API_FIELDS, "api.")
    for key in POSITIVE_INTS:
        value = api_raw.get(key[4:]) if key.startswith("api.") else merged.get(key)
        if value is not None and value < 1:
            raise _fail(path, name, key, f"expected a positive integer, got {value}")
    for key in ("article", "article_query", "paging_follow"):
        if merged.get(key):
            _check_regex(path, name, key, merged[key])
    if merged["extract"].get("author_in_date"):
        _check_regex(path, name, "extract.author_in_date", merged["extract"]["author_in_date"])
    for key in ("lead_strip", "drop"):
        for pattern in merged["extract"].get(key, []):
            _check_regex(path, name, f"extract.{key}", pattern)

    root = merged["root"]
    parts = urlsplit(root)
    if parts.scheme not in ("http", "https") or not parts.hostname or not root.endswith("/"):
        raise _fail(path, name, "root", f"expected an absolute http(s) URL ending in '/': {root!r}")
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked
    except ValueError as exc:
        raise _fail(path, name, "root", f"bad port in {root!r}: {exc}") from None
    hosts = tuple(h.lower() for h in merged.get("hosts") or [parts.hostname])
    if parts.hostname not in hosts:
        hosts = (parts.hostname, *hosts)

    api = None
    if api_raw:
        missing = [k for k in ("kind", "url", "list_path", "article_url") if k not in api_raw]
        if missing:
            raise _fail(path, name, f"api.{missing[0]}", "missing")
        if api_raw["kind"] not in API_KINDS:
            raise _fail(path, name, "api.kind", f"unknown API kind (known: {API_KINDS})")
        api = Api(**api_raw)

    layouts_raw = merged["extract"].pop("layouts", {})
    profile = Profile(
        name=family_name,
        **{k: (tuple(v) if isinstance(v, list) else v) for k, v in merged["extract"].items()},
    )
    profile = replace(profile, layouts=_build_layouts(path, name, profile, layouts_raw))
    simple = {
        k: (tuple(v) if isinstance(v, list) else v)
        for k, v in merged.items()
        if k not in ("extract", "api", "hosts", "family")
    }
    site = Site(name=name, family=family_name, hosts=hosts, profile=profile, api=api, **simple)
    try:  # every template must expand with the values it is given
        site.home_url()
        for section in site.sections or ("x",):
            site.section_listing(section)
            site.page_url(section, 2)
        site.feed_urls(site.sections)
        if api:
            site.expand(api.url)
            site.expand(api.article_url, section="x", id=1)
    except (KeyError, IndexError, ValueError) as exc:
        raise _fail(path, name, "templates", f"bad URL template: {exc!r}") from exc
    return site


def _build_layouts(
    path: Traversable, site: str, base: Profile, raw: dict[str, Any]
) -> tuple[Layout, ...]:
    layouts = []
    for layout_name, rules in raw.items():
        prefix = f"extract.layouts.{layout_name}"
        if not isinstance(rules, dict):
            raise _fail(path, site, prefix, "a layout must be a table")
        _check_types(path, site, rules, LAYOUT_FIELDS, prefix + ".")
        if not rules.get("when"):
            raise _fail(path, site, prefix + ".when", "missing (the markup that selects it)")
        for key in ("lead_strip", "drop"):
            for pattern in rules.get(key, []):
                _check_regex(path, site, f"{prefix}.{key}", pattern)
        if rules.get("author_in_date"):
            _check_regex(path, site, f"{prefix}.author_in_date", rules["author_in_date"])
        overrides = {
            k: (tuple(v) if isinstance(v, list) else v) for k, v in rules.items() if k != "when"
        }
        layouts.append(Layout(layout_name, tuple(rules["when"]), replace(base, **overrides)))
    return tuple(layouts)


def load_registry(path: Traversable | str = DEFAULT_REGISTRY) -> dict[str, Site]:
    """Read and validate the registry file; raise RegistryError naming what is wrong."""
    path = Path(path) if isinstance(path, str) else path
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read the registry: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: invalid TOML: {exc}") from exc
    families = data.get("families", {})
    sites = data.get("sites", {})
    if not sites:
        raise RegistryError(f"{path}: no [sites.*] entries")
    return {name: _build_site(path, name, raw, families) for name, raw in sites.items()}


@cache
def default_registry() -> dict[str, Site]:
    return load_registry(DEFAULT_REGISTRY)


@cache
def generic_profile() -> Profile:
    """The profile for pages of sites the registry does not know (the `generic` family)."""
    data = tomllib.loads(DEFAULT_REGISTRY.read_text(encoding="utf-8"))
    rules = data.get("families", {}).get("generic", {}).get("extract", {})
    _check_types(DEFAULT_REGISTRY, "(generic family)", rules, EXTRACT_FIELDS, "extract.")
    return Profile(
        name="generic",
        **{k: tuple(v) if isinstance(v, list) else v for k, v in rules.items() if k != "layouts"},
    )
