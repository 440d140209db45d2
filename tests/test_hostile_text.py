"""Untrusted text of any length costs linear time: the regexes on page and API text (dates,
text normalisation, TCVN3 detection and conversion) on 1 MB hostile inputs.

Each input made an earlier regex quadratic (a repetition retried from every start, or a lazy
match that never finds its end): minutes to hours at 1 MB. They run in one subprocess bounded
by a timeout, so a regression fails the test instead of hanging it; no timing is asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, clean_env

MB = 1 << 20
SCRIPT = f"""
import json
from datetime import datetime, timezone
from crawler.extraction.dates import parse_date
from crawler.text.legacy_encoding import fix_legacy_html, looks_tcvn3, tcvn3_html_to_unicode
from crawler.text.normalise import normalise_body, normalise_inline
from pipelines.dates import normalise_date

now = datetime(2026, 11, 23, 8, tzinfo=timezone.utc)
out = {{}}
line = "1 giờ " * ({MB} // 6)
out["date"] = parse_date(line, fetched_at=now).error
candidates = [["rule", line], ["meta", "2 ngày nữa"]]
item = normalise_date({{"fetched_at": now.isoformat(), "date_candidates": candidates}})
out["pipeline"] = [item["published_at"], item["date_error"]]
cleaned = normalise_inline("\\x1b[" + "1;" * ({MB} // 2))
out["escapes"] = cleaned.isprintable() and len(cleaned) > {MB} // 2
out["body"] = len(normalise_body(("\\x1b]0;" + "x" * 600 + "\\n") * ({MB} // 608)) or "")
unclosed = "<p>µ¸­ hoµ ng­êi ViÖt</p>" + "<script>x " * ({MB} // 10)
out["tcvn3_scripts"] = looks_tcvn3(unclosed)
fonts = '<font face=".VnTimeH">abc ' * ({MB} // 26)
out["tcvn3_fonts"] = len(tcvn3_html_to_unicode(fonts)) > 0
out["legacy"] = len(fix_legacy_html(unclosed)) > 0
angles = "<p>©©© x</p>" + "<" * {MB}  # three symbols make any page go through the detector
out["angles"] = len(fix_legacy_html(angles)) + len(tcvn3_html_to_unicode(fonts[:26] + angles))
print(json.dumps(out))
"""


def test_hostile_text_is_handled_in_linear_time() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=90,  # linear: seconds; the quadratic regexes took minutes to hours here
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout)
    assert out["date"] == "unparseable"
    assert out["pipeline"] == [None, "unparseable"]  # no date from either candidate
    assert out["escapes"]  # the escape character went; the harmless digits are text
    assert out["body"] > 0
    assert out["tcvn3_scripts"] is False
    assert out["tcvn3_fonts"] and out["legacy"]
    assert out["angles"] > 2 * MB
