"""The reference every speed ratio uses: plain trafilatura on one core, in a fresh interpreter.

Timed in a process of its own because the benchmark's process may have run our extraction,
which loads trafilatura with a faster page measure for its recall gate
(crawler.extraction.trafilatura_loader): the reference is trafilatura as its users install it
(`bare_extraction` with metadata), which imports nothing of this project. One page is
extracted first, untimed: the rate is the steady one, not the first call's set-up.

    python -m bench.plain_trafilatura PAGES.pickle   # prints the seconds for the pages
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def seconds(pages: list[tuple[str, str]]) -> float:
    """Seconds plain trafilatura takes over the (html, url) pages, in a fresh interpreter."""
    with tempfile.TemporaryDirectory(prefix="bench-trafilatura-") as folder:
        path = Path(folder) / "pages.pickle"
        path.write_bytes(pickle.dumps(pages, protocol=pickle.HIGHEST_PROTOCOL))
        done = subprocess.run(
            [sys.executable, "-m", __name__, str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
    return float(done.stdout.split()[-1])


def main(argv: list[str]) -> int:
    pages = pickle.loads(Path(argv[0]).read_bytes())
    import trafilatura  # here only: the parent's checks stay out of this process

    html, url = pages[0]
    trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    start = time.perf_counter()
    for html, url in pages:
        trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    print(time.perf_counter() - start)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
