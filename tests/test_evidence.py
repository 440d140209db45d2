"""The page-wide evidence readers of crawler.extraction.evidence, on pages written around the
case each one decides."""

from __future__ import annotations

import pytest

from crawler.extraction.evidence import name_after
from crawler.extraction.page import parse_html

LAST = "Hai bên nhất trí tăng cường hợp tác trong lĩnh vực giáo dục và du lịch."


def _root(html: str):
    return parse_html(f"<html><body>{html}</body></html>").root


@pytest.mark.parametrize(
    "written",
    [
        LAST,
        LAST.replace(" ", "\n      ", 3),  # the page's own line breaks
        LAST.replace(" ", "\u00a0", 2),  # a no-break space
        "  " + LAST + "\n",
    ],
)
def test_name_after_reads_the_byline_after_the_body_s_last_line_however_it_is_spaced(written):
    page = (
        "<div class='menu'>Trang chủ Tin tức</div><p>Hai bên nhất trí</p>"
        f"<div class='story'><p>Mở đầu bài viết.</p><p>{written}</p>"
        "<p><strong>XUÂN LONG</strong></p></div><footer>Bản quyền thuộc về cổng</footer>"
    )
    assert name_after(_root(page), LAST) == "XUÂN LONG"


def test_name_after_skips_the_last_line_s_own_links_and_emphasis():
    page = f"<p>{LAST[:30]}<em>{LAST[30:50]}</em>{LAST[50:]}</p><p><b>Minh Anh</b></p>"
    assert name_after(_root(page), LAST) == "Minh Anh"


def test_name_after_is_none_for_a_sentence_a_missing_line_or_a_far_name():
    sentence = f"<p>{LAST}</p><p>Đoàn công tác đã về nước an toàn sau chuyến thăm.</p>"
    assert name_after(_root(sentence), LAST) is None
    assert name_after(_root("<p>Một đoạn khác hẳn của trang này.</p>"), LAST) is None
    far = f"<p>{LAST}</p>" + "".join(f"<span>mục {n}</span>" for n in range(60)) + "<b>Lan Anh</b>"
    assert name_after(_root(far), LAST, max_nodes=40) is None
    assert name_after(_root(f"<p>{LAST}</p><b>Lan Anh</b>"), "quá ngắn") is None
