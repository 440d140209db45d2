"""The gazetteer: every name the facets look for, as token sequences, and the scan that finds them.

Country names are CLDR's (Babel, Vietnamese and English) for pycountry's ISO 3166-1 countries;
the reviewed file data/gazetteer.toml adds variants, sub-national partners, organisations and
the guards against ordinary words; data/provinces.tsv holds the Vietnamese provinces before and
after the 2025 reorganisation. The scan is an Aho–Corasick-like walk over the text's tokens:
at each token, a dict gives the names that start with it, longest first, so an article costs one
pass over its words whatever the size of the gazetteer. Nothing here backtracks.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import re
import sys
import tempfile
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path

from platformdirs import user_cache_dir

from crawler.extraction.facets import signals
from crawler.text.normalise import Memo, fold, normalise_tones

TOKEN = re.compile(r"\w+|[^\w\s]")
DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-", "’": "'"})
CONNECTORS = frozenset({",", "-", "/", "và", "với", "(", ")", ";", "&", "cùng"})


@functools.lru_cache(maxsize=1 << 16)
def key(token: str) -> str:
    """A token as compared: NFC, one tone-mark placement, lower case, one kind of dash."""
    return normalise_tones(unicodedata.normalize("NFC", token)).lower().translate(DASHES)


_scan_key = Memo(key.__wrapped__).__getitem__  # key() for the scan: see Memo


def tokens(text: str) -> list[tuple[str, int]]:
    return [(m.group(), m.start()) for m in TOKEN.finditer(text)]


@dataclass(frozen=True)
class Entry:
    """One name of one thing. `kind`: country, subdivision, organisation, province, signal,
    blocked (a phrase that hides the names inside it)."""

    kind: str
    code: str
    name: str  # the name as written in the gazetteer
    country: str | None = None
    keys: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()  # the tokens as written (their case is checked)
    strict: bool = False  # every capitalised token must be capitalised in the text
    short: bool = False  # a one-syllable name: refused next to another capitalised word
    context: bool = False  # needs a country-making word or a neighbouring country
    # the case checks of `forms`, decided once: (offset, form, exact) where the written token
    # must be the form itself (exact: an acronym, a mixed-case name) or capitalised
    case: tuple[tuple[int, str, bool], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        checks = []
        for offset, form in enumerate(self.forms):
            if not form[0].isalpha():
                continue
            if len(form) > 1 and any(c.isupper() for c in form[1:]):
                checks.append((offset, form, True))
            elif form[0].isupper() and (offset == 0 or self.strict):
                checks.append((offset, form, False))
        object.__setattr__(self, "case", tuple(checks))


@dataclass(frozen=True)
class Hit:
    entry: Entry
    start: int  # token index
    end: int


@dataclass
class Gazetteer:
    entries: list[Entry] = field(default_factory=list)
    index: dict[str, list[Entry]] = field(default_factory=dict)
    context_before: frozenset[tuple[str, ...]] = frozenset()
    honorifics: frozenset[tuple[str, ...]] = frozenset()
    allowed_before: frozenset[str] = frozenset()
    # code → (kind, name, country)
    labels: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)
    provinces: list[dict[str, str]] = field(default_factory=list)
    site_provinces: dict[str, str] = field(default_factory=dict)
    version: str = ""
    # first key → [(length, {keys: entries in `index` order})], longest first (build_index)
    _by_length: dict[str, list[tuple[int, dict[tuple[str, ...], list[Entry]]]]] = field(
        default_factory=dict, repr=False
    )

    def add(self, kind: str, code: str, name: str, **options: object) -> None:
        name = unicodedata.normalize("NFC", name).strip()
        forms = tuple(t for t, _ in tokens(name))
        if not forms:
            return
        entry = Entry(kind, code, name, keys=tuple(key(t) for t in forms), forms=forms, **options)
        self.entries.append(entry)

    def build_index(self) -> None:
        index: dict[str, list[Entry]] = {}
        seen: set[tuple[str, str, tuple[str, ...]]] = set()
        for entry in self.entries:
            if (entry.kind, entry.code, entry.forms) in seen:
                continue
            seen.add((entry.kind, entry.code, entry.forms))
            index.setdefault(entry.keys[0], []).append(entry)
        for found in index.values():
            # longest first; at equal length a blocked phrase, then a name kept strict
            found.sort(key=lambda e: (-len(e.keys), e.kind != "blocked", not e.strict))
        self.index = index
        self._by_length = _by_length(index)

    def scan(self, text: str) -> list[Hit]:
        """The names found in `text`, left to right, none overlapping (the longest wins)."""
        toks = TOKEN.findall(text)
        keys = list(map(_scan_key, toks))
        hits: list[Hit] = []
        by_length = self._by_length
        end = 0  # the first token not inside the last hit
        # only the tokens that start some name are tried (a few in a hundred)
        for i in [i for i, k in enumerate(keys) if k in by_length]:
            if i < end:
                continue
            hit = None
            # the names that start here, longest first: only those whose tokens all follow
            # ("Việt" starts a hundred names, and a text says "Việt Nam")
            for size, names in by_length[keys[i]]:
                for entry in names.get(tuple(keys[i : i + size]), ()):
                    if entry.kind != "blocked" and not self._case_ok(entry, toks, i):
                        continue
                    if entry.short and not self._alone(toks, keys, i, size):
                        continue
                    if entry.kind == "country" and i and keys[i - 1] == "tiếng":
                        continue  # a language ("tiếng Anh", "tiếng Italy"), not a country
                    hit = Hit(entry, i, i + size)
                    break
                if hit is not None:
                    break
            if hit is not None:
                hits.append(hit)
                end = hit.end
        return [h for h in self._resolve_context(hits, toks, keys) if h.entry.kind != "blocked"]

    @staticmethod
    def _case_ok(entry: Entry, toks: list[str], start: int) -> bool:
        for offset, form, exact in entry.case:
            written = toks[start + offset]
            if written != form if exact else not written[0].isupper():
                return False
        return True

    def _alone(self, toks: list[str], keys: list[str], start: int, size: int) -> bool:
        """A one-syllable name not glued to a person's or a place's name ("Thu Nga", "Mỹ Tho")."""
        if start > 0:
            before = toks[start - 1]
            if before[0].isalpha() and before[0].isupper() and before not in self.allowed_before:
                return False
            for width in (1, 2):
                if start - width >= 0 and tuple(keys[start - width : start]) in self.honorifics:
                    return False
        after = toks[start + size][0] if start + size < len(toks) else ""
        return not (after.isalpha() and after.isupper())

    def _resolve_context(self, hits: list[Hit], toks: list[str], keys: list[str]) -> list[Hit]:
        """Keep a context-only name after a country-making word, in parentheses, or next to
        another country with only connectors between ("Mỹ, Anh", "Việt Nam - Áo", "Pháp, Ý
        và Áo": a name kept that way counts as a neighbour for the next)."""
        kept: list[bool] = []
        for number, hit in enumerate(hits):
            if not hit.entry.context:
                kept.append(True)
                continue
            s, e = hit.start, hit.end
            made = any(
                s - w >= 0 and tuple(keys[s - w : s]) in self.context_before for w in (1, 2, 3)
            )
            bracketed = s > 0 and e < len(toks) and toks[s - 1] == "(" and toks[e] == ")"
            before = hits[number - 1] if number and kept[number - 1] else None
            after = hits[number + 1] if number + 1 < len(hits) else None
            if after is not None and after.entry.context:
                after = None
            kept.append(
                made or bracketed
                or (before is not None and self._joined(before, hit, keys))
                or (after is not None and self._joined(hit, after, keys))
            )
        return [hit for hit, keep in zip(hits, kept, strict=True) if keep]

    @staticmethod
    def _joined(first: Hit, second: Hit, keys: list[str]) -> bool:
        """Two country names with at most two connectors between them."""
        if first.entry.kind != "country" or second.entry.kind != "country":
            return False
        gap = keys[first.end : second.start]
        return 0 < len(gap) <= 2 and all(k in CONNECTORS for k in gap)


def _by_length(
    index: dict[str, list[Entry]],
) -> dict[str, list[tuple[int, dict[tuple[str, ...], list[Entry]]]]]:
    """`index` grouped for the scan: per first key, per length (longest first), the names of
    each token sequence in their order in `index`. The scan tries the same names in the same
    order as a walk down `index`, less those whose tokens are not the text's."""
    grouped: dict[str, list[tuple[int, dict[tuple[str, ...], list[Entry]]]]] = {}
    for first, found in index.items():
        lengths: dict[int, dict[tuple[str, ...], list[Entry]]] = {}
        for entry in found:  # already longest first
            lengths.setdefault(len(entry.keys), {}).setdefault(entry.keys, []).append(entry)
        grouped[first] = sorted(lengths.items(), key=lambda pair: -pair[0])
    return grouped


GAZETTEER_ENV = "CRAWLER_GAZETTEER"  # another gazetteer.toml to try (as CRAWLER_REGISTRY)


class GazetteerError(ValueError):
    """The gazetteer cannot be read; the message names the file and the problem."""


def _data(name: str) -> str:
    if name == "gazetteer.toml" and os.environ.get(GAZETTEER_ENV):
        return Path(os.environ[GAZETTEER_ENV]).read_text(encoding="utf-8")
    data = resources.files("crawler.extraction.facets").joinpath("data", name)
    return data.read_text(encoding="utf-8")


def _province_rows() -> list[dict[str, str]]:
    rows = []
    for line in _data("provinces.tsv").splitlines():
        if not line or line.startswith("#"):
            continue
        era, code, name, full, becomes_code, becomes = line.split("\t")
        rows.append(
            {"era": era, "code": code, "name": name, "full_name": full,
             "becomes_code": becomes_code, "becomes": becomes}
        )
    return rows


def _countries(gaz: Gazetteer, data: dict) -> None:
    import pycountry  # slow to import: only when the gazetteer is built
    from babel import Locale  # as above

    drop = {unicodedata.normalize("NFC", n) for n in data["drop"]["names"]}
    context_only = set(data["context_only"]["names"])
    vi, en = Locale("vi"), Locale("en")
    for country in pycountry.countries:
        code = country.alpha_2
        names = [vi.territories.get(code), en.territories.get(code), country.name]
        names += [getattr(country, "common_name", None)]
        names += data["countries"].get(code, [])
        label = vi.territories.get(code) or country.name
        if "(" in label:  # "Myanmar (Miến Điện)"
            label = label.split("(")[0].strip()
        gaz.labels[code] = ("country", label, code)
        for name in dict.fromkeys(n.split("(")[0].strip() for n in names if n):
            if not name or name in drop:
                continue
            one = len(tokens(name)) == 1 and not name.isupper()
            gaz.add("country", code, name, country=code, short=one, context=name in context_only)
    for form, code in data["short_forms"].items():
        for name in (f"Việt - {form}", f"{form} - Việt", f"Việt-{form}"):
            gaz.add("country", code, name, country=code, strict=True)


def _subdivisions(gaz: Gazetteer, data: dict) -> None:
    import pycountry  # slow to import: only when the gazetteer is built

    for code, spec in data["subdivisions"].items():
        names = spec["names"]
        gaz.labels[code] = ("subdivision", names[0], spec["country"])
        for name in names:
            gaz.add("subdivision", code, name, country=spec["country"])
    japan = data["japan"]
    leave_out = set(japan["leave_out"])
    for sub in pycountry.subdivisions.get(country_code="JP"):
        names = [sub.name] if sub.name not in leave_out else []
        names += japan.get(sub.code, [])
        if names:
            gaz.labels[sub.code] = ("subdivision", sub.name, "JP")
        for name in names:
            gaz.add("subdivision", sub.code, name, country="JP")


def _organisations(gaz: Gazetteer, data: dict) -> None:
    for code, spec in data["organisations"].items():
        names = spec["names"]
        gaz.labels[code] = ("organisation", names[0], spec.get("country"))
        for name in names:
            gaz.add("organisation", code, name, country=spec.get("country"))


def _provinces(gaz: Gazetteer, data: dict) -> None:
    gaz.provinces = _province_rows()
    strict = {unicodedata.normalize("NFC", n) for n in data["provinces_strict"]["names"]}
    never = set(data["provinces_never"]["names"])
    by_code = {r["code"]: r for r in gaz.provinces if r["era"] == "63"}
    for row in gaz.provinces:
        if row["era"] == "63" and row["name"] not in never:
            # as written, and without diacritics as the English editions write it ("Phu Tho")
            for name in dict.fromkeys((row["name"], fold(row["name"]))):
                gaz.add("province", row["code"], name, strict=True if name != row["name"]
                        else row["name"] in strict, short=len(tokens(name)) == 1)
        slug = fold(row["name"]).lower().replace(" ", "").replace("-", "")
        gaz.site_provinces.setdefault(f"{slug}.gov.vn", row["code"] if row["era"] == "63" else "")
    for code, names in data["provinces"].items():
        for name in names:
            gaz.add("province", code, name, strict=name in strict)
        if code not in by_code:
            raise ValueError(f"[provinces] {code!r} is not a province code of provinces.tsv")
    gaz.site_provinces = {h: c for h, c in gaz.site_provinces.items() if c}
    gaz.site_provinces.update(data["site_provinces"])


def _phrases(gaz: Gazetteer, data: dict) -> None:
    for phrase in data["blocked"]["phrases"]:
        gaz.add("blocked", "", phrase)
    gaz.context_before = frozenset(
        tuple(key(t) for t, _ in tokens(w)) for w in data["context_words"]["before"]
    )
    gaz.honorifics = frozenset(
        tuple(key(t) for t, _ in tokens(w)) for w in data["honorifics"]["words"]
    )
    gaz.allowed_before = frozenset(data["allowed_before"]["words"])


@functools.cache
def gazetteer() -> Gazetteer:
    """The gazetteer, once per process: read from the user's cache when it was built from the
    same data, code and libraries (a few milliseconds and a megabyte), else built (a tenth of
    a second and 16 MiB more: Babel's and pycountry's data stay loaded) and cached."""
    where = os.environ.get(GAZETTEER_ENV) or "crawler/extraction/facets/data/gazetteer.toml"
    try:
        text = _data("gazetteer.toml")
    except OSError as exc:
        raise GazetteerError(f"{where}: cannot build the gazetteer: {exc!r}") from exc
    path = _cache_path(text)
    cached = _read_cache(path) if path is not None else None
    if cached is not None:
        return cached
    gaz = _build(text, where)
    if path is not None:
        _write_cache(path, gaz)
    return gaz


def _build(text: str, where: str) -> Gazetteer:
    import babel  # slow to import: only when the gazetteer is built
    import pycountry  # as above

    gaz = Gazetteer()
    try:
        data = tomllib.loads(text)
        _phrases(gaz, data)
        _countries(gaz, data)
        _subdivisions(gaz, data)
        _organisations(gaz, data)
        _provinces(gaz, data)
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError,
            AttributeError, AssertionError) as exc:
        raise GazetteerError(f"{where}: cannot build the gazetteer: {exc!r}") from exc
    for code, phrases in signals.PHRASES.items():
        for phrase in phrases:
            gaz.add("signal", code, phrase)
    gaz.build_index()
    digest = hashlib.sha256()
    for part in (text, _data("provinces.tsv"), repr(signals.PHRASES), babel.__version__,
                 pycountry.__version__ if hasattr(pycountry, "__version__") else ""):
        digest.update(part.encode("utf-8"))
    gaz.version = digest.hexdigest()[:12]
    return gaz


CACHE_FORMAT = 1


def _cache_path(text: str) -> Path | None:
    """The cache file of a gazetteer built from `text` by this code with these libraries (None:
    no cache, e.g. the project runs from an egg whose sources cannot be read)."""
    digest = hashlib.sha256(f"{CACHE_FORMAT} {sys.version_info[:2]}".encode())
    try:
        for module in (__file__, signals.__file__):
            digest.update(Path(module).read_bytes())
        for part in (text, _data("provinces.tsv"), metadata.version("babel"),
                     metadata.version("pycountry")):
            digest.update(part.encode("utf-8"))
    except (OSError, TypeError, metadata.PackageNotFoundError):
        return None
    return Path(user_cache_dir("vn-news-crawler")) / f"gazetteer-{digest.hexdigest()[:24]}.pickle"


def _read_cache(path: Path) -> Gazetteer | None:
    """The cached gazetteer, if the file is this user's alone (a pickle runs code when read)."""
    try:
        folder = path.parent.stat()
        if folder.st_uid != os.getuid() or folder.st_mode & 0o022:
            return None
        gaz = pickle.loads(path.read_bytes())
    except Exception:  # missing, unreadable, truncated: built again
        return None
    return gaz if isinstance(gaz, Gazetteer) else None


def _write_cache(path: Path, gaz: Gazetteer) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as f:
            pickle.dump(gaz, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(f.name, path)  # whole or absent, whoever reads it
    except OSError:  # a read-only home: no cache, nothing else changes
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(f.name)
