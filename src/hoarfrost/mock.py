"""mock_aws(): the in-process front door.

A ``before-send`` handler is added to botocore's built-in handlers when hoarfrost is imported,
so every botocore-based client created afterwards (boto3 clients and resources, aiobotocore)
carries it. While no mock is active it returns None and botocore sends as usual; inside a
``mock_aws()`` block it answers from the active Emulator, without a socket or a thread.

aiobotocore calls the same handler from its coroutine emitter and awaits what it returns, so
for such a caller the handler returns a coroutine that answers with aiobotocore's own
``AioAWSResponse`` over a body with aiohttp's async reading interface. aiobotocore is imported
only then: hoarfrost does not depend on it. A handler that may wait (an SQS long poll) runs on
the event loop's default executor there, so other tasks, which may be the ones to end the wait,
keep running.

Direct mode, the default, answers earlier, at ``before-call``, from the parameters botocore
validated: no request is signed, serialised or parsed, and a plain answer is not serialised
either (see ``hoarfrost.direct``); the results are the wire path's (the test suite runs in both
modes and ``tests/direct`` compares them field by field). The wire mode is one flag away
(``mock_aws(direct=False)`` or ``HOARFROST_DIRECT=0``): it is what exercises the protocol layer,
and what a test needs that watches ``before-send`` or signing. aiobotocore's calls always take
the wire path.
"""

from __future__ import annotations

import functools
import inspect
import io
import os
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlsplit

import botocore.handlers
from botocore.awsrequest import AWSResponse, HeadersDict

from hoarfrost import direct
from hoarfrost.core.emulator import Emulator
from hoarfrost.core.http import BodyStream, HttpRequest, HttpResponse

F = TypeVar("F", bound=Callable[..., Any])

_active: list[Emulator] = []
# Parallel to ``_active``: whether that block answers in direct mode.
_direct: list[bool] = []
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

    def read(self, amt: int | None = None) -> bytes:
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
    return HttpRequest(aws_request.method, url.path or "/", url.query, headers, _request_body(aws_request.body),
                       scheme=url.scheme or "https")


def to_aws_response(url: str, response: HttpResponse) -> AWSResponse:
    # AWSResponse copies the headers into its own HeadersDict: no copy needed here.
    return AWSResponse(url, response.status, response.headers, _RawBody(response.body))


# aiobotocore's emitter is a coroutine that calls each handler and awaits an awaitable answer;
# botocore's is a plain function. The caller's code flags tell the two apart for one attribute read.
_CO_COROUTINE = inspect.CO_COROUTINE


def _before_send(request: Any, event_name: str = "", **_: Any) -> Any:
    if not _active:
        return None
    emulator = _active[-1]
    hint: tuple[str, str] | None = None
    parts = event_name.split(".")
    if len(parts) == 3:
        hint = (parts[1], parts[2])
    if sys._getframe(1).f_code.co_flags & _CO_COROUTINE:
        return _answer_async(emulator, request, hint)
    return to_aws_response(request.url, emulator.handle(to_http_request(request), hint))


# --- aiobotocore -----------------------------------------------------------------------------


class _AioRawBody:
    """What aiobotocore reads a response body from: ``await raw.read()`` for whole bodies, and
    aiohttp's reader interface under ``raw.content`` (``read``, ``readany``, ``at_eof``,
    ``iter_chunks``) for streaming members such as S3 GetObject's ``Body``."""

    __slots__ = ("_chunks", "_buffer", "url")

    def __init__(self, url: str, body: bytes | BodyStream) -> None:
        self._chunks: Iterator[bytes] = iter((body,) if isinstance(body, bytes) else body)
        self._buffer = b""
        self.url = url

    @property
    def content(self) -> _AioRawBody:
        return self

    def _fill(self) -> bool:
        """Make the buffer non-empty if any bytes are left; False at the end of the body."""
        while not self._buffer:
            chunk = next(self._chunks, None)
            if chunk is None:
                return False
            self._buffer = chunk
        return True

    def at_eof(self) -> bool:
        return not self._fill()

    async def read(self, amt: int | None = -1) -> bytes:
        if amt is None or amt < 0:
            data = self._buffer + b"".join(self._chunks)
            self._buffer = b""
            return data
        parts: list[bytes] = []
        wanted = amt
        while wanted > 0 and self._fill():
            part, self._buffer = self._buffer[:wanted], self._buffer[wanted:]
            parts.append(part)
            wanted -= len(part)
        return b"".join(parts)

    async def readany(self) -> bytes:
        if not self._fill():
            return b""
        data, self._buffer = self._buffer, b""
        return data

    async def iter_chunks(self) -> AsyncIterator[tuple[bytes, bool]]:
        while self._fill():
            data, self._buffer = self._buffer, b""
            yield data, True

    def close(self) -> None:
        self._chunks = iter(())
        self._buffer = b""

    def release(self) -> None:
        self.close()


class _Prepared(NamedTuple):
    """The parts of a prepared request ``to_http_request`` reads, with the body already read."""

    method: str
    url: str
    headers: Any
    body: bytes


async def _read_request_body(body: Any) -> bytes:
    """aiobotocore's request body: bytes, a file-like object whose ``read`` (and ``seek``) may
    be coroutines (its aws-chunked checksum wrapper, aiofiles), or an async iterable."""
    if body is None or isinstance(body, (bytes, bytearray, memoryview, str)):
        return _request_body(body)
    read = getattr(body, "read", None)
    if read is not None:
        data = read()
        if inspect.isawaitable(data):
            data = await data
        try:
            rewound = body.seek(0)  # aiobotocore may retry or re-read
            if inspect.isawaitable(rewound):
                await rewound
        except (AttributeError, OSError, ValueError):
            pass
        return bytes(data) if not isinstance(data, str) else data.encode("utf-8")
    if hasattr(body, "__aiter__"):
        return b"".join([bytes(chunk) async for chunk in body])
    return _request_body(body)


_aio_response_type: Any = None


def _aio_response(url: str, response: HttpResponse) -> Any:
    global _aio_response_type
    if _aio_response_type is None:
        from aiobotocore.awsrequest import AioAWSResponse

        _aio_response_type = AioAWSResponse
    return _aio_response_type(url, response.status, response.headers, _AioRawBody(url, response.body))


async def _answer_async(emulator: Emulator, request: Any, hint: tuple[str, str] | None) -> Any:
    body = await _read_request_body(request.body)
    http_request = to_http_request(_Prepared(request.method, request.url, request.headers, body))
    routed = emulator.route(http_request, hint)
    if isinstance(routed, HttpResponse):
        response = routed
    elif emulator.may_block(routed):
        # A long poll must not stall the event loop: other tasks may be the ones to answer it.
        import asyncio  # loaded already wherever aiobotocore runs; `import hoarfrost` skips it

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not asyncio (trio through httpx): answer inline
            response = emulator.dispatch(http_request, routed)
        else:
            response = await loop.run_in_executor(None, emulator.dispatch, http_request, routed)
    else:
        response = emulator.dispatch(http_request, routed)
    return _aio_response(request.url, response)


# --- direct mode ---------------------------------------------------------------------------


def _keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """``before-parameter-build``, after botocore's own handlers: keep the call's parameters for
    ``before-call`` (the dict botocore goes on to validate and serialise)."""
    if _direct and _direct[-1]:
        context[direct.PARAMS_KEY] = params


def _before_call(model: Any, params: dict[str, Any], request_signer: Any, context: dict[str, Any],
                 **_: Any) -> Any:
    """Answer the call from the emulator (``hoarfrost.direct``): botocore then skips signing,
    sending and parsing, and goes on to ``after-call``."""
    if not _direct or not _direct[-1]:
        return None
    api_params = context.pop(direct.PARAMS_KEY, None)
    if api_params is None or sys._getframe(1).f_code.co_flags & _CO_COROUTINE or not direct.answers(model):
        return None  # aiobotocore, or a call botocore rewrites after serialising: the wire path
    call = direct.DirectCall(_active[-1], model, api_params, params, request_signer, context, _RawBody)
    return call.answer()


def _install() -> None:
    # The direct answer comes last among before-call handlers: one a user registered on a client
    # (botocore's Stubber answers there) still answers first, as it does on the wire path.
    entries: tuple[tuple[Any, ...], ...] = (
        ("before-send", _before_send), ("before-parameter-build", _keep_params),
        ("before-call", _before_call, botocore.handlers.REGISTER_LAST))
    for entry in entries:
        if entry not in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.append(entry)


_install()


def active_emulator() -> Emulator | None:
    """The Emulator of the innermost active ``mock_aws()`` (None outside any): what
    ``hoarfrost.state.export_to`` works on when given none."""
    with _active_lock:
        return _active[-1] if _active else None


def _direct_by_default() -> bool:
    setting = os.environ.get("HOARFROST_DIRECT", "").strip().lower()
    return setting not in ("0", "false", "no", "off")


class mock_aws:
    """Answer every botocore-based client from an Emulator, as a context manager or decorator.

    Each block starts with empty state unless ``keep_state=True`` (then an emulator passed in,
    or the one this object made before, keeps what it had). Fake credentials and a default
    region are set in the environment for the block when none are set, so a test never
    reaches a real account by accident.

    Calls are answered in direct mode unless ``direct=False`` (or ``HOARFROST_DIRECT=0`` when
    ``direct`` is not given): from their validated parameters at ``before-call``
    (``hoarfrost.direct``), with the same results as the wire path, several times faster; but
    ``before-send``, ``request-created`` and signing hooks do not fire (nothing is sent), and
    aiobotocore clients keep the wire path. The innermost block's mode applies.
    """

    def __init__(self, emulator: Emulator | None = None, *, keep_state: bool = False, direct: bool | None = None,
                 **settings: Any) -> None:
        self._given = emulator
        # Direct mode (``hoarfrost.direct``) unless turned off here or by HOARFROST_DIRECT=0.
        self.direct = direct if direct is not None else _direct_by_default()
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
            _direct.append(self.direct)
        return self.emulator

    def __exit__(self, *exc: object) -> None:
        with _active_lock:
            if self.emulator in _active:
                index = len(_active) - 1 - _active[::-1].index(self.emulator)
                del _active[index]
                del _direct[index]
        if self.emulator is not None and self._given is None and not self.keep_state:
            # The block made this Emulator and the next one makes another: nothing it started
            # (Lambda workers, a loopback server) may outlive it.
            self.emulator.close()
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
