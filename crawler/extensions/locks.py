"""One run per spider at a time: an flock on a file beside the store.

The kernel releases an flock when its process dies, so a lock left by a killed run (SIGKILL,
OOM, reboot) is free for the next one: only a live run can hold it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class LockError(RuntimeError):
    """The lock file cannot be made (the store's folder is unusable)."""


class LockBusy(LockError):
    """Another live run holds the lock."""


class SpiderLock:
    def __init__(self, store_path: str | Path, name: str):
        self.path = Path(store_path).resolve().parent / "locks" / f"{name}.lock"
        self.handle: IO[str] | None = None

    def acquire(self) -> SpiderLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        except OSError as exc:
            raise LockError(f"{self.path}: cannot create the lock file: {exc}") from exc
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise LockBusy(f"{self.path} is held by a running crawl (pid {holder})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle
        return self

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None

    def __enter__(self) -> SpiderLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
