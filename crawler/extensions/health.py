"""A finished crawl's verdict for cron: exit status and a one-line reason, from its stats."""

from __future__ import annotations

from typing import Any

# Fields whose profile share the verdict watches, and the share below which a field that used
# to come from the profile (or must: title and body) is reported as no longer matching.
WATCHED_FIELDS = ("title", "date", "text", "author")
ALWAYS_FROM_PROFILE = ("title", "text")  # a profile with these rules should match every article
PROFILE_MIN_SHARE = 0.5
PROFILE_MIN_ITEMS = 3  # fewer articles than this say nothing about a profile


def field_counts(stats: dict[str, Any], field: str) -> dict[str, int]:
    """{"profile": n, "fallback": n, "empty": n} of one field in a crawl's stats."""
    return {
        source: int(stats.get(f"extract/field/{field}/{source}", 0))
        for source in ("profile", "fallback", "empty")
    }


def profile_share(stats: dict[str, Any], field: str) -> float | None:
    """Share of the crawl's articles whose `field` came from a profile rule (None: no article).

    Values from the profile that many articles share (`extract/repeated/FIELD`: a banner, the
    portal's name) are not the profile matching the story, and do not count.
    """
    counts = field_counts(stats, field)
    total = sum(counts.values())
    matched = counts["profile"] - int(stats.get(f"extract/repeated/{field}", 0))
    return max(0, matched) / total if total else None


def stale_fields(stats: dict[str, Any], min_share: float = PROFILE_MIN_SHARE) -> list[str]:
    """Fields the profile used to give (or must give) and gave for too few articles this time.

    Expected: the share of the site's last healthy run (`health/baseline/FIELD`, set by the run
    log), else every article for title and body when the profile has rules for them.
    """
    rules = set(str(stats.get("extract/profile_rules", "")).split(","))
    stale = []
    for field in WATCHED_FIELDS:
        counts = field_counts(stats, field)
        if sum(counts.values()) < PROFILE_MIN_ITEMS:
            continue
        expected = stats.get(f"health/baseline/{field}")
        if expected is None and field in ALWAYS_FROM_PROFILE and field in rules:
            expected = 1.0
        share = profile_share(stats, field)
        if expected is not None and share is not None and share < min_share <= expected:
            stale.append(field)
    return stale


def describe_stale(stats: dict[str, Any], fields: list[str]) -> str:
    parts = []
    for field in fields:
        counts = field_counts(stats, field)
        total = sum(counts.values())
        repeated = int(stats.get(f"extract/repeated/{field}", 0))
        same = f", {repeated} of them the same value" if repeated else ""
        parts.append(
            f"{field} {counts['profile']}/{total} from the profile{same} "
            f"({counts['fallback']} fallback, {counts['empty']} empty)"
        )
    return "; ".join(parts)


EXIT_OK = 0
EXIT_FAILED = 1  # the crawl stopped early (store error, shutdown, start error)
EXIT_UNREACHABLE = 2  # no response at all from the site
EXIT_BLOCKED = 3  # mostly 403/429 answers
EXIT_NOTHING_USABLE = 4  # answers, but no article link and no article anywhere
EXIT_ERRORS = 5  # errors passed the threshold
EXIT_PROFILE_STALE = 6  # the site's profile stopped matching (a redesign): fields from fallbacks
EXIT_LOCKED = 75  # another run of the same spider holds the lock (EX_TEMPFAIL)


def verdict(
    stats: dict[str, Any],
    error_threshold: float = 0.5,
    profile_min_share: float = PROFILE_MIN_SHARE,
) -> tuple[int, str]:
    reason = stats.get("finish_reason")
    responses = stats.get("response_received_count", 0)
    statuses = {
        int(k.rsplit("/", 1)[1]): v
        for k, v in stats.items()
        if k.startswith("downloader/response_status_count/")
    }
    requests = stats.get("downloader/request_count", 0)
    # fetch/errors leaves out article links that answered 404/410
    # (fetch/gone, crawler.discovery.gone)
    errors = stats.get("fetch/errors", 0) + stats.get("extract/errors", 0)
    if reason not in ("finished", "max_items"):
        if stats.get("shutdown/forced"):
            return EXIT_FAILED, f"the crawl stopped early ({reason}, forced by a second signal)"
        return EXIT_FAILED, f"the crawl stopped early ({reason})"
    if stats.get("store/errors"):
        return EXIT_FAILED, f"{stats['store/errors']} store write(s) failed"
    if stats.get("distributed/worker") and not requests:
        return EXIT_OK, "nothing left to fetch: the other distributed workers took it all"
    blocked = statuses.get(403, 0) + statuses.get(429, 0)
    challenges = stats.get("fetch/challenge", 0)  # refused before they count as responses
    if blocked + challenges and blocked + challenges >= (responses + challenges) / 2:
        return EXIT_BLOCKED, (
            f"the site refused {blocked + challenges} of {responses + challenges} requests "
            f"(403/429: {blocked}, challenge pages: {challenges})"
        )
    offsite = sorted(k.rsplit("/", 1)[1] for k in stats if k.startswith("site/redirect_offsite/"))
    if responses == 0 and offsite:
        return EXIT_NOTHING_USABLE, f"the site redirects to another host ({', '.join(offsite)})"
    if responses == 0:
        return EXIT_UNREACHABLE, f"the site did not answer ({errors} fetch errors)"
    found = (
        stats.get("extract/pages", 0)
        + stats.get("discovery/known_articles", 0)
        + stats.get("discovery/article_links", 0)
    )
    if found == 0:
        return EXIT_NOTHING_USABLE, f"{responses} answers but no article link or article"
    if requests and errors / requests > error_threshold:
        return EXIT_ERRORS, f"{errors} errors for {requests} requests"
    if stale := stale_fields(stats, profile_min_share):
        profile = stats.get("extract/profile", "the site's")
        return EXIT_PROFILE_STALE, (
            f"profile {profile} stopped matching: {', '.join(stale)} "
            f"({describe_stale(stats, stale)})"
        )
    gone = stats.get("fetch/gone", 0)  # the site's dead links (404/410): not errors
    return EXIT_OK, f"finished ({gone} dead links: 404/410)" if gone else "finished"
