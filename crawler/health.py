"""A finished crawl's verdict for cron: exit status and a one-line reason, from its stats."""

from __future__ import annotations

from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1  # the crawl stopped early (store error, shutdown, start error)
EXIT_UNREACHABLE = 2  # no response at all from the site
EXIT_BLOCKED = 3  # mostly 403/429 answers
EXIT_NOTHING_USABLE = 4  # answers, but no article link and no article anywhere
EXIT_ERRORS = 5  # errors passed the threshold
EXIT_LOCKED = 75  # another run of the same spider holds the lock (EX_TEMPFAIL)


def verdict(stats: dict[str, Any], error_threshold: float = 0.5) -> tuple[int, str]:
    reason = stats.get("finish_reason")
    responses = stats.get("response_received_count", 0)
    statuses = {
        int(k.rsplit("/", 1)[1]): v
        for k, v in stats.items()
        if k.startswith("downloader/response_status_count/")
    }
    requests = stats.get("downloader/request_count", 0)
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
    return EXIT_OK, "finished"
