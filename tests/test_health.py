"""The crawl verdict's profile check and the field-provenance counts it reads."""

from __future__ import annotations

from scrapy.utils.test import get_crawler

from crawler.extensions.health import (
    EXIT_BLOCKED,
    EXIT_OK,
    EXIT_PROFILE_STALE,
    stale_fields,
    verdict,
)
from pipelines.provenance import FieldProvenancePipeline, provenance

HEALTHY = {
    "finish_reason": "finished",
    "response_received_count": 20,
    "downloader/request_count": 20,
    "downloader/response_status_count/200": 20,
    "extract/pages": 10,
    "extract/profile": "thoidai (mastercms)",
    "extract/profile_rules": "title,date,text,author",
}


def fields(**counts: int) -> dict[str, int]:
    """`title_profile=3` -> {"extract/field/title/profile": 3}."""
    out = {}
    for key, n in counts.items():
        field, source = key.rsplit("_", 1)
        out[f"extract/field/{field}/{source}"] = n
    return out


def test_provenance_of_an_item():
    item = {
        "title": "Tiêu đề",
        "text": "Thân bài",
        "author": "  ",
        "published_at": "2024-01-02",
        "methods": {"title": "rule", "text": "trafilatura", "published_at": "meta"},
    }
    assert provenance(item) == {
        "title": "profile",
        "date": "fallback",
        "text": "fallback",
        "author": "empty",
        "lead": "empty",
    }


def test_a_date_whose_day_the_profile_gave_counts_as_the_profiles():
    item = {
        "published_at": "2024-01-02T09:15:00+07:00",
        "methods": {"published_at": "jsonld"},
        "date_candidates": [("rule", "02/01/2024"), ("jsonld", "2024-01-02T09:15:00+07:00")],
        "date_conflicts": [],
    }
    assert provenance(item)["date"] == "profile"
    item["date_conflicts"] = [{"source": "rule", "value": "2024-01-03"}]
    assert provenance(item)["date"] == "fallback"


def test_pipeline_counts_fields_and_rejections():
    crawler = get_crawler()
    pipeline = FieldProvenancePipeline.from_crawler(crawler)
    item = {
        "title": "Tiêu đề",
        "methods": {"title": "rule"},
        "rejections": ["title:ambiguous", "date:sidebar"],
    }
    assert pipeline.process_item(dict(item)) == item
    pipeline.process_item(dict(item))
    stats = crawler.stats.get_stats()
    assert stats["extract/field/title/profile"] == 2
    assert stats["extract/field/text/empty"] == 2
    assert stats["extract/rejected/title:ambiguous"] == 2
    assert stats["extract/rejected/date:sidebar"] == 2


def test_a_title_from_the_profile_that_many_articles_share_is_counted():
    crawler = get_crawler()
    pipeline = FieldProvenancePipeline.from_crawler(crawler)
    for title in ["Cổng thông tin", "Tin một", "Cổng  thông tin", "cổng thông tin", "Tin hai"]:
        pipeline.process_item({"title": title, "methods": {"title": "rule"}})
    assert crawler.stats.get_value("extract/repeated/title") == 3
    pipeline.process_item({"title": "Cổng thông tin", "methods": {"title": "rule"}})
    pipeline.process_item({"title": "Cổng thông tin", "methods": {"title": "meta"}})
    assert crawler.stats.get_value("extract/repeated/title") == 4


def test_a_banner_matched_by_the_title_rule_is_a_stale_profile():
    stats = {**HEALTHY, **fields(title_profile=10, text_profile=10)}
    stats["extract/repeated/title"] = 8
    code, reason = verdict(stats)
    assert code == EXIT_PROFILE_STALE
    assert "title 10/10 from the profile, 8 of them the same value" in reason


def test_healthy_profile_is_ok():
    stats = {**HEALTHY, **fields(title_profile=10, text_profile=9, text_fallback=1)}
    assert verdict(stats) == (EXIT_OK, "finished")


def test_title_and_body_off_the_profile_is_a_stale_profile():
    stats = {**HEALTHY, **fields(title_profile=2, title_fallback=8, text_fallback=10)}
    code, reason = verdict(stats)
    assert code == EXIT_PROFILE_STALE
    assert reason.startswith("profile thoidai (mastercms) stopped matching: title, text (")
    assert "title 2/10 from the profile (8 fallback, 0 empty)" in reason


def test_date_and_author_are_judged_against_the_last_healthy_run():
    lost = fields(title_profile=10, text_profile=10, date_fallback=10, author_empty=10)
    assert stale_fields({**HEALTHY, **lost}) == []  # no history: they may be missing
    history = {"health/baseline/date": 1.0, "health/baseline/author": 0.9}
    assert stale_fields({**HEALTHY, **lost, **history}) == ["date", "author"]
    never = {"health/baseline/date": 0.0, "health/baseline/author": 0.0}
    assert stale_fields({**HEALTHY, **lost, **never}) == []  # an API site: dates never from it


def test_a_profile_without_rules_for_a_field_is_not_judged_on_it():
    stats = {**HEALTHY, "extract/profile_rules": "date", **fields(title_fallback=10)}
    assert stale_fields(stats) == []


def test_too_few_articles_say_nothing():
    assert stale_fields({**HEALTHY, **fields(title_fallback=2, text_fallback=2)}) == []


def test_a_blocked_site_is_blocked_before_its_profile_is_judged():
    stats = {
        **HEALTHY,
        "downloader/response_status_count/200": 5,
        "downloader/response_status_count/403": 15,
        **fields(title_fallback=5, text_fallback=5),
    }
    assert verdict(stats)[0] == EXIT_BLOCKED
