"""What the test servers (tests/mirror, tests/faults) share: a threaded HTTP server on
127.0.0.1, port 0, started and stopped as a context manager."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self


class QuietServer(ThreadingHTTPServer):
    """Threaded server that does not print tracebacks when a client drops a connection."""

    daemon_threads = True
    request_queue_size = 128  # the default backlog (5) drops connections of a busy crawl
    quiet: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], self.quiet):
            return
        super().handle_error(request, client_address)


class LocalServer:
    """Start/stop of a test server: `handler` serves, and finds this object as the server's
    attribute `owner_attribute`; `_before_stop()` and `_after_shutdown()` are its hooks."""

    handler: ClassVar[type[BaseHTTPRequestHandler]]
    owner_attribute: ClassVar[str]
    thread_name: ClassVar[str]
    quiet: ClassVar[tuple[type[BaseException], ...]] = (ConnectionError, TimeoutError)
    _httpd: ThreadingHTTPServer | None = None
    _port: int | None = None

    def start(self) -> Self:
        httpd = QuietServer(("127.0.0.1", 0), self.handler)
        httpd.quiet = self.quiet
        setattr(httpd, self.owner_attribute, self)
        self._httpd = httpd
        self._port = httpd.server_address[1]
        threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name=self.thread_name,
        ).start()
        return self

    def _before_stop(self) -> None:
        """Tell handlers still at work (a hanging answer) to end."""

    def _after_shutdown(self) -> None:
        """Close what the server no longer accepts on (kept-alive connections)."""

    def stop(self) -> None:
        self._before_stop()
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._after_shutdown()
        self._httpd.server_close()
        self._httpd = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError(f"{type(self).__name__} was never started")
        return self._port
