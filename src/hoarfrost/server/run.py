"""Starting and stopping the HTTP server: in the foreground (``hoarfrost serve``) or on a
background thread (tests, benchmarks, notebooks).

uvicorn does the HTTP (httptools and uvloop when installed); nothing here parses a byte.
"""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

import uvicorn

from hoarfrost.core.emulator import Emulator
from hoarfrost.server.app import DEFAULT_WORKERS, HoarfrostApp

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4566
# Long polls still in flight when a stop is requested get this long before they are cancelled.
GRACEFUL_SHUTDOWN_SECONDS = 2


def make_config(app: HoarfrostApp, host: str, port: int, **overrides: Any) -> uvicorn.Config:
    """uvicorn settings for an AWS endpoint: no access log of its own (the app has one), no
    ``server: uvicorn`` header, a bounded graceful shutdown."""
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "lifespan": "on",
        "access_log": False,
        "log_level": "warning",
        "server_header": False,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
        "timeout_keep_alive": 30,
    }
    options.update(overrides)
    return uvicorn.Config(app, **options)


class _AnnouncingServer(uvicorn.Server):
    """uvicorn's server, calling ``on_started`` once the socket is bound and serving."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self._on_started is not None:
            self._on_started()


def serve(emulator: Emulator, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, log_requests: bool = False,
          workers: int = DEFAULT_WORKERS, on_started: Callable[[], None] | None = None,
          **uvicorn_options: Any) -> None:
    """Serve ``emulator`` in the foreground until SIGINT or SIGTERM, then return normally.

    uvicorn shuts down gracefully on either signal and afterwards re-raises it to whatever
    handler was installed before it started. With Python's defaults that turns a clean SIGTERM
    into "killed by signal 15" and SIGINT into a KeyboardInterrupt traceback, so while serving
    we install handlers that do nothing: the signal was already acted on.
    """
    app = HoarfrostApp(emulator, log_requests=log_requests, workers=workers)
    server = _AnnouncingServer(make_config(app, host, port, **uvicorn_options), on_started)

    def already_handled(signum: int, frame: FrameType | None) -> None:
        """uvicorn re-raises the signal it shut down for; the shutdown already happened."""

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = {}
    if in_main_thread:
        previous = {sig: signal.signal(sig, already_handled) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class BackgroundServer:
    """An Emulator served over HTTP on a daemon thread.

    Binds the socket itself (port 0 picks a free one) before starting, so the port is known
    and reserved with no race; ``start()`` returns once the server accepts connections. Use
    as a context manager or call ``stop()``.
    """

    def __init__(self, emulator: Emulator | None = None, host: str = DEFAULT_HOST, port: int = 0, *,
                 log_requests: bool = False, workers: int = DEFAULT_WORKERS, **uvicorn_options: Any) -> None:
        self.emulator = emulator or Emulator()
        self.host = host
        self.app = HoarfrostApp(self.emulator, log_requests=log_requests, workers=workers)
        self._socket = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.port: int = self._socket.getsockname()[1]
        self.server = uvicorn.Server(make_config(self.app, host, self.port, **uvicorn_options))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self._socket]}, name="hoarfrost-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"hoarfrost server did not start on {self.url}")
            time.sleep(0.005)
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to shut down and wait for it; requests still running after
        ``GRACEFUL_SHUTDOWN_SECONDS`` (long polls) are cancelled, not waited for."""
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self._socket.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
