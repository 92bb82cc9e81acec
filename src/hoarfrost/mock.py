"""mock_aws(): the in-process front door.

A ``before-send`` handler is added to botocore's built-in handlers when hoarfrost is imported,
so every botocore-based client created afterwards (boto3 clients and resources, aiobotocore)
carries it. While no mock is active it returns None and botocore sends as usual; inside a
``mock_aws()`` block it answers from the active Emulator, without a socket or a thread.
"""

from __future__ import annotations

import functools
import inspect
import io
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

import botocore.handlers
from botocore.awsrequest import AWSResponse, HeadersDict

from hoarfrost.core.emulator import Emulator
from hoarfrost.core.http import BodyStream, HttpRequest, HttpResponse

F = TypeVar("F", bound=Callable[..., Any])

_active: list[Emulator] = []
_active_lock = threading.Lock()

_FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class _RawBody(io.RawIOBase):
    """What botocore reads a response body from: ``read`` for streaming members, ``stream``
    for everything else."""

    def __init__(self, body: bytes | BodyStream) -> None:
        self._chunks: Iterator[bytes] = iter((body,) if isinstance(body, bytes) else body)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def read(self, amt: int | None = None) -> bytes:  # type: ignore[override]
        if amt is None or amt < 0:
            data = self._buffer + b"".join(self._chunks)
            self._buffer = b""
            return data
        while len(self._buffer) < amt:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        data, self._buffer = self._buffer[:amt], self._buffer[amt:]
        return data

    def stream(self, **_: Any) -> Iterator[bytes]:
        if self._buffer:
            yield self._buffer
            self._buffer = b""
        yield from self._chunks


def _request_body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        try:
            body.seek(0)  # botocore may retry or re-read
        except (AttributeError, OSError, ValueError):
            pass
        return data if isinstance(data, bytes) else data.encode("utf-8")
    return b"".join(bytes(chunk) for chunk in body)


def _header_pairs(headers: Any) -> Any:
    """(lower-case name, value) of botocore's headers. A prepared request carries a
    ``HeadersDict``, whose generic ``items()`` builds a key object per look-up; its inner dict
    already holds each name lower-cased, so read that when it is there."""
    inner = getattr(headers, "_dict", None) if type(headers) is HeadersDict else None
    if isinstance(inner, dict):
        try:
            return [(key._lower, value) for key, value in inner.items()]
        except AttributeError:  # another botocore's layout: the generic way below
            pass
    return [(name.lower(), value) for name, value in headers.items()]


def to_http_request(aws_request: Any) -> HttpRequest:
    """botocore's prepared request -> the pipeline's request."""
    url = urlsplit(aws_request.url)
    headers: dict[str, str] = {}
    for name, value in _header_pairs(aws_request.headers):
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        headers[name] = value
    headers.setdefault("host", url.netloc)
    return HttpRequest(aws_request.method, url.path or "/", url.query, headers, _request_body(aws_request.body))


def to_aws_response(url: str, response: HttpResponse) -> AWSResponse:
    # AWSResponse copies the headers into its own HeadersDict: no copy needed here.
    return AWSResponse(url, response.status, response.headers, _RawBody(response.body))


def _before_send(request: Any, event_name: str = "", **_: Any) -> AWSResponse | None:
    if not _active:
        return None
    emulator = _active[-1]
    hint: tuple[str, str] | None = None
    parts = event_name.split(".")
    if len(parts) == 3:
        hint = (parts[1], parts[2])
    return to_aws_response(request.url, emulator.handle(to_http_request(request), hint))


def _install() -> None:
    entry = ("before-send", _before_send)
    if entry not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append(entry)


_install()


class mock_aws:
    """Answer every botocore-based client from an Emulator, as a context manager or decorator.

    Each block starts with empty state unless ``keep_state=True`` (then an emulator passed in,
    or the one this object made before, keeps what it had). Fake credentials and a default
    region are set in the environment for the block when none are set, so a test never
    reaches a real account by accident.
    """

    def __init__(self, emulator: Emulator | None = None, *, keep_state: bool = False, **settings: Any) -> None:
        self._given = emulator
        self._settings = settings
        self.keep_state = keep_state
        self.emulator: Emulator | None = emulator
        self._saved_env: dict[str, str | None] = {}

    def __enter__(self) -> Emulator:
        if self.emulator is None or not self.keep_state:
            if self._given is not None:
                self.emulator = self._given
                if not self.keep_state:
                    self.emulator.reset()
            else:
                self.emulator = Emulator(**self._settings)
        for key, value in _FAKE_ENV.items():
            if key not in os.environ:
                self._saved_env[key] = None
                os.environ[key] = value
        with _active_lock:
            _active.append(self.emulator)
        return self.emulator

    def __exit__(self, *exc: object) -> None:
        with _active_lock:
            if self.emulator in _active:
                _active.reverse()
                _active.remove(self.emulator)
                _active.reverse()
        for key in self._saved_env:
            os.environ.pop(key, None)
        self._saved_env = {}

    def __call__(self, func: F) -> F:
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await func(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]
