"""Score our extraction against plain trafilatura, side by side, in one run.

    python -m bench.score_extraction                 # labelled corpus + the AEB benchmark
    python -m bench.score_extraction --no-aeb        # corpus only (what CI checks)
    python -m bench.score_extraction --check         # exit 1 when a figure is below its floor
    python -m bench.score_extraction --realpages     # also the real saved pages (../shared)

Real pages (../shared/realpages, gold format in its README): sites we have no profile for,
scored per field and per site: body by the AEB metric (captions, lead and title neutral),
titles and authors exact, dates to the minute, and WRONG values counted (a title present but
not the gold one, a date present on another day) for ours and plain trafilatura alike.

Body F1 is the scrapinghub article-extraction-benchmark metric (../shared/bench/aeb/README.md):
4-gram shingles of \\w+ tokens, per-page multiset tp/fp/fn normalised by their sum, precision
averaged over pages with a prediction, recall over pages with a gold body.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import trafilatura

from crawler.extraction.item import page_item
from crawler.extraction.memory import SiteMemory
from crawler.registry import Profile, default_registry, generic_profile
from crawler.text.decoding import decode_html
from pipelines.chain import normalise

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
# ../shared beside the checkout (or beside the folder of worktrees).
SHARED = next((p / "shared" for p in ROOT.parents if (p / "shared").is_dir()), ROOT / "shared")
AEB = SHARED / "bench" / "aeb"
REALPAGES = SHARED / "realpages"
FLOORS = Path(__file__).with_name("extraction_floors.json")
FETCHED_AT = datetime(2026, 11, 23, 8, tzinfo=UTC)
TOKEN = re.compile(r"\w+")
VN = timezone(timedelta(hours=7))


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def page_pr(gold: str, pred: str, neutral: str = "") -> tuple[float | None, float | None]:
    """(precision, recall) of one page; None where the page does not count.

    Predicted shingles found only in `neutral` (captions, lead, title) are not counted.
    """
    g, p = shingles(gold), shingles(pred)
    if neutral:
        p = p - (shingles(neutral) - g)
    tp = sum((g & p).values())
    fp = sum((p - g).values())
    fn = sum((g - p).values())
    total = tp + fp + fn
    if total == 0:
        return (None, None)
    tp, fp, fn = tp / total, fp / total, fn / total
    precision = tp / (tp + fp) if p else None
    recall = tp / (tp + fn) if g else None
    return precision, recall


@dataclass
class Score:
    precisions: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)
    checks: Counter[str] = field(default_factory=Counter)
    pages: int = 0

    def add_body(self, gold: str, pred: str, neutral: str = "") -> None:
        precision, recall = page_pr(gold, pred, neutral)
        if precision is not None:
            self.precisions.append(precision)
        if recall is not None:
            self.recalls.append(recall)

    def f1(self) -> float:
        p = sum(self.precisions) / len(self.precisions) if self.precisions else 0.0
        r = sum(self.recalls) / len(self.recalls) if self.recalls else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def rate(self, name: str) -> float:
        return self.checks[name] / self.pages if self.pages else 0.0


def ours(
    html: str,
    url: str,
    profile: Profile,
    site: str | None,
    hints: dict[str, Any] | None = None,
    memory: SiteMemory | None = None,
) -> dict[str, Any]:
    """Our extraction (page_item, the crawl's one call) and normalisation; `hints` is what
    discovery knew (the SharePoint API). `profile` must be the named site's (or generic)."""
    entry = _registry().get(site) if site else None
    assert (entry.profile if entry else generic_profile()) == profile, "profile is the site's"
    return normalise(page_item(html, url, entry, hints, FETCHED_AT.isoformat(), memory))


@functools.lru_cache(maxsize=1)
def _registry() -> dict[str, Any]:
    return default_registry()


def plain(html: str, url: str) -> dict[str, Any]:
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    if doc is None:
        return {}
    return {"text": doc.text, "title": doc.title, "author": doc.author, "published_at": doc.date}


def decode(path: Path, url: str) -> str:
    """A saved page's text, decoded as the crawl decodes it (crawler.text.decoding)."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return decode_html(data).html


def score_corpus(corpus: Path) -> dict[str, dict[str, Score]]:
    sites = default_registry()
    generic = generic_profile()
    results: dict[str, dict[str, Score]] = {}
    for gold_path in sorted(corpus.glob("*/*.json")):
        gold = json.loads(gold_path.read_text("utf-8"))
        html = decode(gold_path.with_suffix(".html"), gold["url"])
        site = sites.get(gold["site"]) if gold["site"] else None  # null: a site we do not know
        profile = site.profile if site else generic
        predictions = {
            "ours": ours(html, gold["url"], profile, gold["site"], gold.get("hints")),
            "trafilatura": plain(html, gold["url"]),
        }
        gold_text = "\n\n".join(gold["paragraphs"])
        for system, pred in predictions.items():
            for key in (gold["site"] or "generic", "ALL"):
                score = results.setdefault(key, {}).setdefault(system, Score())
                score.pages += 1
                text = pred.get("text") or ""
                score.add_body(gold_text, text)
                score.checks["title"] += (pred.get("title") or "") == gold["title"]
                score.checks["date"] += pred.get("published_at") == gold["published_at"]
                score.checks["date_day"] += (pred.get("published_at") or "")[:10] == (
                    gold["published_at"] or ""
                )[:10]
                score.checks["author"] += pred.get("author") == gold.get("author")
                score.checks["leak"] += any(b in text for b in gold.get("boilerplate", []))
    return results


def score_aeb(aeb: Path) -> dict[str, Score]:
    truth = json.loads((aeb / "ground-truth.json").read_text("utf-8"))
    generic = generic_profile()
    scores = {"ours": Score(), "trafilatura": Score()}
    for page_id, gold in sorted(truth.items()):
        path = aeb / "html" / f"{page_id}.html.gz"
        url = gold.get("url") or "https://example.com/"
        html = decode(path, url)
        predictions = {
            "ours": ours(html, url, generic, None),
            "trafilatura": {"text": trafilatura.extract(html, include_comments=False) or ""},
        }
        for system, pred in predictions.items():
            scores[system].pages += 1
            scores[system].add_body(gold["articleBody"], pred.get("text") or "")
    return scores


def _minute(value: str | None) -> str | None:
    """An ISO value to the minute at +07:00 ("2025-10-22T19:25+07:00"), or the bare day."""
    if not value:
        return None
    value = str(value).strip()
    if len(value) <= 10:
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%dT%H:%M")
    return moment.astimezone(VN).strftime("%Y-%m-%dT%H:%M+07:00")


def _same(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


REAL_FIELDS = ("title", "date", "author")


def score_realpages(folder: Path) -> dict[str, dict[str, Score]]:
    """Per site and ALL: body F1, exact title/date/author rates and WRONG values."""
    gold_all = json.loads((folder / "gold.json").read_text("utf-8"))
    results: dict[str, dict[str, Score]] = {}
    for gold in gold_all["articles"]:
        html = decode(folder / gold["file"], gold["url"])
        predictions = {"ours": ours(html, gold["url"], generic_profile(), None),
                       "trafilatura": plain(html, gold["url"])}
        neutral = "\n".join([gold["title"] or "", gold.get("lead") or "", *gold["captions"]])
        gold_date = _minute(gold["published"])
        for system, pred in predictions.items():
            for key in (gold["site"], "ALL"):
                score = results.setdefault(key, {}).setdefault(system, Score())
                score.pages += 1
                text = pred.get("text") or ""
                score.add_body("\n\n".join(gold["body"]), text, neutral)
                date = _minute(pred.get("published_at"))
                values = {"title": pred.get("title"), "author": pred.get("author")}
                for name in ("title", "author"):
                    if values[name] and _same(values[name], gold.get(name)):
                        score.checks[name] += 1
                    elif values[name]:
                        score.checks[f"wrong_{name}"] += 1
                if date and date == gold_date:
                    score.checks["date"] += 1
                elif date and date[:10] != (gold_date or "")[:10]:
                    score.checks["wrong_date"] += 1
                score.checks["leak"] += any(b in text for b in gold.get("boilerplate", []))
    return results


def report_realpages(real: dict[str, dict[str, Score]]) -> list[str]:
    lines = [
        "Real pages: ours vs plain trafilatura (body F1; title, date to the minute, author "
        "exact; WRONG = present but not the gold value; leaked pages)",
        f"{'site':<20}{'pages':>6}  {'F1 ours':>8} {'F1 traf':>8}  {'title':>11}  "
        f"{'date':>11}  {'author':>11}  {'wrong t/d/a ours':>16}  {'traf':>7}  {'leaks':>7}",
    ]
    for site in sorted(real, key=lambda s: (s == "ALL", s)):
        o, t = real[site]["ours"], real[site]["trafilatura"]
        wrong_o = "/".join(str(o.checks[f"wrong_{f}"]) for f in REAL_FIELDS)
        wrong_t = "/".join(str(t.checks[f"wrong_{f}"]) for f in REAL_FIELDS)
        lines.append(
            f"{site:<20}{o.pages:>6}  {o.f1():>8.3f} {t.f1():>8.3f}  "
            f"{o.rate('title'):>5.0%}/{t.rate('title'):>4.0%}  "
            f"{o.rate('date'):>5.0%}/{t.rate('date'):>4.0%}  "
            f"{o.rate('author'):>5.0%}/{t.rate('author'):>4.0%}  "
            f"{wrong_o:>16}  {wrong_t:>7}  {o.checks['leak']:>3}/{t.checks['leak']:<3}"
        )
    return lines


def report(corpus: dict[str, dict[str, Score]], aeb: dict[str, Score] | None) -> list[str]:
    lines = [
        "Corpus: ours vs plain trafilatura "
        "(body F1, title, date exact / day, author, leaked pages)",
        f"{'site':<13}{'pages':>6}  {'F1 ours':>8} {'F1 traf':>8}  {'title':>11}  "
        f"{'date':>11} {'day(traf)':>9}  {'author':>11}  {'leaks':>11}",
    ]
    for site in sorted(corpus, key=lambda s: (s == "ALL", s)):
        o, t = corpus[site]["ours"], corpus[site]["trafilatura"]
        lines.append(
            f"{site:<13}{o.pages:>6}  {o.f1():>8.3f} {t.f1():>8.3f}  "
            f"{o.rate('title'):>5.0%}/{t.rate('title'):>4.0%}  "
            f"{o.rate('date'):>5.0%}/{t.rate('date'):>4.0%} {t.rate('date_day'):>9.0%}  "
            f"{o.rate('author'):>5.0%}/{t.rate('author'):>4.0%}  "
            f"{o.rate('leak'):>5.0%}/{t.rate('leak'):>4.0%}"
        )
    if aeb:
        o, t = aeb["ours"], aeb["trafilatura"]
        lines.append(
            f"AEB ({o.pages} pages, generic profile): F1 ours {o.f1():.3f} "
            f"vs plain trafilatura {t.f1():.3f}"
        )
    return lines


def check_realpages(real: dict[str, dict[str, Score]]) -> list[str]:
    """Real pages below their floors: body F1 (and at least plain trafilatura's), exact rates,
    and no wrong value or leaked boilerplate at all."""
    floors = json.loads(FLOORS.read_text("utf-8"))["realpages"]
    o, t = real["ALL"]["ours"], real["ALL"]["trafilatura"]
    failures = [
        f"realpages {name} = {value:.4f}, floor {floors[name]}"
        for name, value in (
            ("body_f1", o.f1()),
            ("title", o.rate("title")),
            ("date", o.rate("date")),
            ("author", o.rate("author")),
        )
        if value < floors[name]
    ]
    wrong = sum(o.checks[f"wrong_{f}"] for f in ("title", "date"))
    if wrong > floors["max_wrong"]:
        failures.append(f"realpages: {wrong} wrong titles or dates")
    if o.checks["leak"] > floors["max_leak"]:
        failures.append(f"realpages: boilerplate leaked on {o.checks['leak']} pages")
    if o.f1() < t.f1() - floors["traf_margin"]:
        failures.append(f"realpages body F1 ours {o.f1():.4f} < trafilatura {t.f1():.4f}")
    return failures


def check(corpus: dict[str, dict[str, Score]], aeb: dict[str, Score] | None) -> list[str]:
    """Figures below the pinned floors (bench/extraction_floors.json)."""
    floors = json.loads(FLOORS.read_text("utf-8"))
    everything = corpus["ALL"]["ours"]
    measured = {
        "body_f1": everything.f1(),
        "title": everything.rate("title"),
        "date": everything.rate("date"),
        "author": everything.rate("author"),
        "max_leak": everything.rate("leak"),
    }
    failures = []
    for name, value in measured.items():
        floor = floors[name]
        bad = value > floor if name.startswith("max_") else value < floor
        if bad:
            failures.append(f"{name} = {value:.4f}, floor {floor}")
    if aeb and aeb["ours"].f1() < aeb["trafilatura"].f1() - floors["aeb_margin"]:
        failures.append(
            f"AEB F1 ours {aeb['ours'].f1():.4f} < trafilatura {aeb['trafilatura'].f1():.4f}"
        )
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--aeb", type=Path, default=AEB)
    parser.add_argument("--no-aeb", action="store_true")
    parser.add_argument("--realpages", type=Path, nargs="?", const=REALPAGES, default=None)
    parser.add_argument("--check", action="store_true", help="exit 1 below the pinned floors")
    args = parser.parse_args(argv)
    corpus = score_corpus(args.corpus)
    aeb = None if args.no_aeb or not args.aeb.exists() else score_aeb(args.aeb)
    print("\n".join(report(corpus, aeb)))
    real = score_realpages(args.realpages) if args.realpages else None
    if real:
        print("\n".join(report_realpages(real)))
    if args.check:
        failures = check(corpus, aeb) + (check_realpages(real) if real else [])
        for failure in failures:
            print("BELOW FLOOR:", failure)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
