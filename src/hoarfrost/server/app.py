"""The ASGI application: one HTTP request in, the Emulator's pipeline, one response out.

Handlers are synchronous. Most are short and run inline on the event loop; those that may
block (SQS long polling waits up to 20 s on a condition), large uploads and admin requests run
on a large pool of daemon worker threads. The app is a plain ASGI callable — no framework, no
middleware — so the per-request cost is reading the body, the pipeline, and writing the response.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeVar

from hoarfrost.core.emulator import Emulator
from hoarfrost.core.http import BodyStream, HttpRequest, HttpResponse
from hoarfrost.server import admin, events

log = logging.getLogger("hoarfrost.server")
request_log = logging.getLogger("hoarfrost.requests")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
T = TypeVar("T")

# Enough threads that a burst of 20-second long polls never starves other requests.
DEFAULT_WORKERS = 128
# Requests with bodies larger than this (hashing, blob writes) are answered on a worker thread.
INLINE_BODY_LIMIT = 256 * 1024


_Job = tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Callable[..., Any], tuple[Any, ...]]


def _resolve(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():  # the request's task was cancelled (client gone, shutdown timeout)
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


class WorkerPool:
    """A bounded pool of *daemon* threads that event-loop coroutines await directly.

    Why not ``loop.run_in_executor(ThreadPoolExecutor)``: that chains a concurrent Future (with
    its own condition variable) to an asyncio Future per call; measured in a server process,
    that hop cost two to three times the CPU of this one, where a worker resolves the awaiting
    asyncio Future itself with one ``call_soon_threadsafe``. And ``ThreadPoolExecutor`` joins
    its threads at interpreter exit,
    so a long poll in flight would hold a stopping server for up to 20 seconds; daemon workers
    let the process exit once the HTTP server has shut down. Threads start lazily, one per
    submission while none is idle, up to ``max_workers``.
    """

    def __init__(self, max_workers: int = DEFAULT_WORKERS, name: str = "hoarfrost-worker") -> None:
        self.max_workers = max_workers
        self._name = name
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0  # idle threads minus queued jobs
        self._lock = threading.Lock()
        self._shutdown = False

    def run(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Run ``fn(*args)`` on a worker; await the returned future for its result or exception."""
        if self._shutdown:
            raise RuntimeError("worker pool is shut down")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            if self._idle <= 0 and len(self._threads) < self.max_workers:
                thread = threading.Thread(target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
            else:
                self._idle -= 1
        self._queue.put((loop, future, fn, args))
        return future

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            loop, future, fn, args = job
            try:
                result, error = fn(*args), None
            except BaseException as exc:  # handed to the awaiting coroutine
                result, error = None, exc
            try:
                loop.call_soon_threadsafe(_resolve, future, result, error)
            except RuntimeError:  # the loop closed while this job ran (server stopped mid long poll)
                pass
            del job, loop, future, fn, args, result, error  # drop references while idle
            with self._lock:
                self._idle += 1

    @property
    def busy(self) -> int:
        """Workers running a job right now (a snapshot, for diagnostics and tests)."""
        with self._lock:
            return len(self._threads) - (self._idle + self._queue.qsize())

    def shutdown(self) -> None:
        """Stop idle workers; busy ones (long polls) are daemons and end with the process."""
        self._shutdown = True
        for _ in self._threads:
            self._queue.put(None)


def _header_bytes(value: Any) -> bytes:
    text = value if isinstance(value, str) else str(value)
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def internal_error(exc: BaseException) -> HttpResponse:
    """What a request gets when something failed outside the pipeline's own error handling."""
    request_id = str(uuid.uuid4())
    response = admin.json_response(
        500, {"__type": "InternalFailure", "message": f"internal error: {type(exc).__name__}: {exc}"}
    )
    response.headers["x-amzn-requestid"] = request_id
    response.headers["x-amzn-errortype"] = "InternalFailure"
    return response


class HoarfrostApp:
    """ASGI application serving one Emulator (AWS wire protocols plus the admin API)."""

    def __init__(self, emulator: Emulator, *, log_requests: bool = False, workers: int = DEFAULT_WORKERS) -> None:
        self.emulator = emulator
        self.log_requests = log_requests
        self.pool = WorkerPool(workers)
        self.admin = admin.AdminApi(emulator)
        self.events = events.EventStream(emulator)
        # Bound once: the per-request path only picks one.
        self._handle_aws = emulator.handle
        self._handle_admin = self.admin.handle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        # websockets are not an AWS transport: returning without accepting refuses them.

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # Load the router's service index now, not on the first unhinted request.
                await self.pool.run(self.emulator.router.warm)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.events.close_all()
                self.pool.shutdown()
                # Workers the emulator started (Lambda) stop with the server that served them.
                self.emulator.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter() if self.log_requests else 0.0
        request = await self._read_request(scope, receive)
        if request is None:  # the client went away mid-upload: nobody to answer
            return
        if self.admin.claims(request):
            if request.path == events.PATH and request.method == "GET":  # a stream, not one response
                await self.events.serve(request, receive, send)
                return
            handler = self._handle_admin
        else:
            handler = self._handle_aws
        try:
            response = await self._answer(request, handler)
        except Exception as exc:  # Emulator.handle never raises; this is the last line of defence
            log.exception("unexpected error answering %s %s", request.method, request.path)
            response = internal_error(exc)
        await self._send_response(request.method, response, send)
        if self.log_requests:
            self._log(request, response, handler, started)

    async def _answer(self, request: HttpRequest, handler: Any) -> HttpResponse:
        """Most operations are short and CPU-bound: they run inline on the event loop, which
        saves the thread hop that otherwise costs more than the pipeline itself. Operations that
        may wait (long polls), large bodies and admin requests (exports) run on a worker."""
        if handler is self._handle_admin:
            return await self.pool.run(handler, request)
        emulator = self.emulator
        routed = emulator.route(request)
        if isinstance(routed, HttpResponse):
            return routed
        if len(request.body) > INLINE_BODY_LIMIT or emulator.may_block(routed):
            return await self.pool.run(emulator.dispatch, request, routed)
        return emulator.dispatch(request, routed)

    @staticmethod
    async def _read_request(scope: Scope, receive: Receive) -> HttpRequest | None:
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name = raw_name.decode("latin-1")  # servers hand names over lower-cased
            value = raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        message = await receive()
        body = message.get("body", b"")
        if message.get("more_body", False):
            chunks = [body]
            while message.get("more_body", False):
                message = await receive()
                chunks.append(message.get("body", b""))
            body = b"".join(chunks)
        if message["type"] == "http.disconnect":
            return None
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        peer = scope.get("client")
        return HttpRequest(scope["method"], path, scope["query_string"].decode("latin-1"), headers, body,
                           scheme=scope.get("scheme", "http"), client=str(peer[0]) if peer else None)

    async def _send_response(self, method: str, response: HttpResponse, send: Send) -> None:
        body = response.body
        streamed = isinstance(body, BodyStream)
        length = body.length if isinstance(body, BodyStream) else len(body)
        headers = [
            (name.lower().encode("latin-1"), _header_bytes(value))
            for name, value in response.headers.items()
            if name.lower() != "content-length"
        ]
        if method == "HEAD" and not length:
            # The pipeline drops HEAD bodies; the service's Content-Length (S3 HeadObject) stands.
            declared = response.headers.get("content-length", response.headers.get("Content-Length"))
            length = int(declared) if declared is not None else 0
            body, streamed = b"", False
        headers.append((b"content-length", str(length).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        if not streamed:
            await send({"type": "http.response.body", "body": body})
            return
        # Chunks may come off disk (the directory blob store): pull them on a worker thread so
        # the event loop never blocks on I/O. One hop per chunk (a MiB) costs nothing measurable.
        chunks = iter(body)
        while (chunk := await self.pool.run(next, chunks, None)) is not None:
            if chunk:
                await send({"type": "http.response.body", "body": bytes(chunk), "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    def _log(self, request: HttpRequest, response: HttpResponse, handler: Any, started: float) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        if handler is self._handle_admin:
            target = "admin"
        else:
            try:
                route = self.emulator.router.route(request, None)
                target = f"{route.service}.{route.operation}"
            except Exception:
                target = "-"
        request_log.info("%s %s %s %d %.1fms", request.method, request.path, target, response.status, elapsed_ms)


def create_app(emulator: Emulator | None = None, *, log_requests: bool = False,
               workers: int = DEFAULT_WORKERS) -> HoarfrostApp:
    return HoarfrostApp(emulator or Emulator(), log_requests=log_requests, workers=workers)
