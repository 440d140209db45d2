"""Where a profiled process's CPU went, from py-spy's collapsed stacks (`--format raw`).

    python -m bench.bench_crawl --workloads rules --profile /tmp/prof
    python -m bench.profile_share /tmp/prof/rules.txt [--top 40] [--match pipelines/]

Prints the inclusive share of the samples for the functions seen most (a function counted once
per stack), then the self share by file. Shares survive a loaded machine better than times.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<fn>.*) \((?P<file>[^:()]*)(?::\d+)?\)$")


def read(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text("utf-8").splitlines():
        frames, _, count = line.rpartition(" ")
        if frames and count.isdigit():
            stacks.append((frames.split(";"), int(count)))
    return stacks


def name(frame: str) -> tuple[str, str]:
    m = FRAME.match(frame)
    return (m["fn"], m["file"]) if m else (frame, "?")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="", help="only functions whose file contains this")
    args = parser.parse_args(argv)
    stacks = read(args.profile)
    total = sum(count for _, count in stacks) or 1
    inclusive: Counter = Counter()
    by_file: Counter = Counter()
    for frames, count in stacks:
        for fn, file in {name(f) for f in frames}:
            if args.match in file:
                inclusive[f"{fn} ({file})"] += count
        by_file[name(frames[-1])[1]] += count
    print(f"{total} samples")
    print("inclusive share, by function:")
    for key, count in inclusive.most_common(args.top):
        print(f"  {count / total:6.1%}  {key}")
    print("self share, by file:")
    for key, count in by_file.most_common(args.top // 2):
        print(f"  {count / total:6.1%}  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
