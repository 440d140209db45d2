"""A worker process's side of the pipes (crawler.extraction.workers): length-prefixed pickles
in on stdin, answers out on the original stdout, until stdin closes.

Apart from workers.py, which drives the workers from the crawl's event loop, so that a worker
imports no asyncio.
"""

from __future__ import annotations

import importlib
import os
import pickle
import struct

HEADER = struct.Struct("<Q")


class RemoteError(Exception):
    """An exception raised in a worker that could not travel back as itself."""


def serve(initializer: str) -> None:
    """A worker's life: run the initializer, then answer calls until stdin closes."""
    # The channel is the original stdout; anything a library prints goes to stderr instead.
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    inbox = os.fdopen(0, "rb")
    module, _, name = initializer.partition(":")
    getattr(importlib.import_module(module), name)()

    def read_exactly(size: int) -> bytes | None:
        data = inbox.read(size)  # a buffered read returns short only at end of file
        return data if len(data) == size else None

    while (header := read_exactly(HEADER.size)) is not None:
        (size,) = HEADER.unpack(header)
        body = read_exactly(size)
        if body is None:
            return
        try:
            fn, args = pickle.loads(body)
            answer = (True, fn(*args))
        except Exception as exc:  # the caller gets it as the call's exception
            answer = (False, exc)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an unpicklable result or exception
            data = pickle.dumps((False, RemoteError(f"{type(exc).__name__}: {exc}")))
        channel.write(HEADER.pack(len(data)))
        channel.write(data)
        channel.flush()


