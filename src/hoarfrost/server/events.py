"""``GET /_hoarfrost/events``: every state change (and clock move) as server-sent events.

Each event is one SSE message whose ``id`` is its sequence number::

    id: 7
    event: change
    data: {"seq": 7, "service": "sqs", "account": "000000000000", "region": "us-east-1",
           "operation": "SendMessage", "request_id": "…"}

``event: clock`` carries ``{"seq", "now", "offset"}`` after ``POST /_hoarfrost/clock`` (or any
``clock.advance``), and after a reset of everything put a moved clock back to real time
(``"offset": 0``). With ``?views=1`` a change also carries ``"view"``: the scope's state view
just after the change (built once per change, whichever clients ask). ``?service=sqs,sns``
sends only those services' changes (clock events still), so a client watching a queue is not
woken by the CloudWatch metrics its sends emit.

Why requests never wait for a client: a change is formatted once and appended to each client's
bounded queue under one short lock, on the thread that made the change; the client's own
coroutine on the event loop writes its queue to the socket. A client that does not read fills
its socket, then its queue (``?buffer=N`` events, default ``DEFAULT_BUFFER``); the next change
marks it dropped (publishing stops at once), and it then gets what was queued, a last
``event: dropped`` naming the last sequence number it was sent, and the end of the stream. One
whose socket takes nothing for ``DROP_GRACE_SECONDS`` after that is disconnected without it.

Sequence numbers count from 1 per server and only grow (a client that filters by service
sees gaps where other services changed); they order events as they were
published (changes are published once their request's lock is released, so two requests
running at once on different scopes are ordered by who published first). A request's own
changes keep their order. The ``request_id`` is the one its response carries; changes no
request made (a restore through the admin API, a delivery from another service) have "".
"""

from __future__ import annotations

import asyncio
import collections
import json
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from hoarfrost.core.emulator import Emulator
from hoarfrost.core.http import HttpRequest
from hoarfrost.core.views import StateChange, StateViewError

PATH = "/_hoarfrost/events"
DEFAULT_BUFFER = 1024
MAX_BUFFER = 100_000
# A comment this often keeps proxies and idle-timeouts from closing a quiet stream.
KEEPALIVE_SECONDS = 15.0
# A dropped client whose socket takes nothing more for this long is disconnected without its
# last event (its coroutine would otherwise wait on that socket until the client went away).
DROP_GRACE_SECONDS = 30.0

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]
_TRUE = ("1", "true", "yes")


class _Client:
    """One listener: its bounded queue of formatted events, filled from any thread and drained
    by its coroutine on the event loop."""

    __slots__ = ("loop", "views", "services", "limit", "queue", "ready", "dropped", "closed", "sent_seq", "pump",
                 "_signalled", "_give_up")

    def __init__(self, loop: asyncio.AbstractEventLoop, views: bool, limit: int,
                 services: frozenset[str] | None = None) -> None:
        self.loop = loop
        self.views = views
        # Changes of these services only (None: all); clock events reach every client.
        self.services = services
        self.limit = limit
        self.queue: collections.deque[tuple[int, bytes]] = collections.deque()
        self.ready = asyncio.Event()
        self.dropped = False
        self.closed = False
        self.sent_seq = 0
        self.pump: asyncio.Future[bool] | None = None
        self._signalled = False
        self._give_up: asyncio.TimerHandle | None = None

    def put(self, seq: int, data: bytes) -> bool:
        """Queue one event (the stream's lock held); past the limit the client is dropped
        (answers True then, once)."""
        if self.dropped or self.closed:
            return False
        dropped = len(self.queue) >= self.limit
        if dropped:
            self.dropped = True
        else:
            self.queue.append((seq, data))
        self.signal()
        return dropped

    def signal(self) -> None:
        """Wake the client's coroutine; one wake-up in flight is enough for any number of puts."""
        if self._signalled:
            return
        self._signalled = True
        try:
            self.loop.call_soon_threadsafe(self._wake)
        except RuntimeError:  # the loop is closed: the server stopped, nobody reads any more
            self.closed = True

    def _wake(self) -> None:
        self._signalled = False
        self.ready.set()
        if self.dropped and self._give_up is None and self.pump is not None:
            self._give_up = self.loop.call_later(DROP_GRACE_SECONDS, self.pump.cancel)

    def cancel_timer(self) -> None:
        if self._give_up is not None:
            self._give_up.cancel()


def _sse(seq: int, event: str, data: str) -> bytes:
    return f"id: {seq}\nevent: {event}\ndata: {data}\n\n".encode()


class EventStream:
    """The server's event fan-out: subscribed to the emulator (every service, and the clock)
    only while at least one client listens, so a server nobody watches pays nothing."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self._lock = threading.Lock()
        self._clients: tuple[_Client, ...] = ()
        self._seq = 0
        self._unsubscribe: Callable[[], None] | None = None
        self.dropped = 0  # clients dropped for a full buffer, since the server started (diagnostics, tests)
        self.abandoned = 0  # of those, the ones disconnected because their socket stayed full

    @property
    def clients(self) -> int:
        return len(self._clients)

    # -- publishing (any thread) -----------------------------------------------------------
    def _on_change(self, change: StateChange) -> None:
        clients = self._clients
        if not clients:
            return
        # Built outside the lock: a snapshot takes the scope's lock and may take a while.
        view: str | None = None
        clients = tuple(c for c in clients if c.services is None or change.service in c.services)
        if not clients:
            return
        if any(client.views for client in clients):
            try:
                view = change.view().model_dump_json()
            except StateViewError as error:  # the event still goes out, saying why it has no view
                view = json.dumps({"error": error.to_dict()})
        fields = json.dumps({"service": change.service, "account": change.account, "region": change.region,
                             "operation": change.operation, "request_id": change.request_id})[1:-1]
        with self._lock:
            self._seq += 1
            seq = self._seq
            plain = _sse(seq, "change", f'{{"seq": {seq}, {fields}}}')
            full = plain if view is None else _sse(seq, "change", f'{{"seq": {seq}, {fields}, "view": {view}}}')
            dropped = [client for client in self._clients
                       if (client.services is None or change.service in client.services)
                       and client.put(seq, full if client.views else plain)]
            if dropped:  # publishing stops touching them at once; each drains and ends on its own
                self._clients = tuple(client for client in self._clients if client not in dropped)
                self.dropped += len(dropped)

    def _on_clock(self) -> None:
        if not self._clients:
            return
        clock = self.emulator.clock
        with self._lock:
            self._seq += 1
            seq = self._seq
            data = _sse(seq, "clock", json.dumps({"seq": seq, "now": clock.now().isoformat(), "offset": clock.offset}))
            dropped = [client for client in self._clients if client.put(seq, data)]
            if dropped:
                self._clients = tuple(client for client in self._clients if client not in dropped)
                self.dropped += len(dropped)

    # -- clients (the event loop) ------------------------------------------------------------
    def _open(self, views: bool, limit: int, services: frozenset[str] | None = None) -> _Client:
        client = _Client(asyncio.get_running_loop(), views, limit, services)
        with self._lock:
            self._clients = (*self._clients, client)
            if self._unsubscribe is None:
                unsubscribe = self.emulator.subscribe(self._on_change)
                clock = self.emulator.clock
                clock.on_advance(self._on_clock)

                def stop() -> None:
                    unsubscribe()
                    clock.off_advance(self._on_clock)

                self._unsubscribe = stop
        return client

    def _close(self, client: _Client) -> None:
        """Forget ``client``; the last one to go takes the subscriptions with it."""
        client.closed = True
        with self._lock:
            self._clients = tuple(other for other in self._clients if other is not client)
            if not self._clients and self._unsubscribe is not None:
                self._unsubscribe()
                self._unsubscribe = None

    def close_all(self) -> None:
        """End every stream (the server is shutting down)."""
        for client in self._clients:
            client.closed = True
            client.signal()

    async def serve(self, request: HttpRequest, receive: Receive, send: Send) -> None:
        """Stream events to one client until it leaves, is dropped, or the server stops."""
        views = (request.query_param("views") or "").lower() in _TRUE
        try:
            limit = min(max(int(request.query_param("buffer") or DEFAULT_BUFFER), 1), MAX_BUFFER)
        except ValueError:
            limit = DEFAULT_BUFFER
        named = request.query_param("service")
        services = frozenset(name.strip() for name in named.split(",") if name.strip()) if named else None
        client = self._open(views, limit, services)
        watcher = asyncio.ensure_future(self._watch_disconnect(receive, client))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
            await send({"type": "http.response.body", "body": b": hoarfrost events\n\n", "more_body": True})
            client.pump = pump = asyncio.ensure_future(self._pump(client, send))
            try:
                ended = await pump
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():  # the server is stopping this request
                    raise
                self.abandoned += 1  # the event loop's thread only: no lock needed
                return  # dropped and its socket stayed full: returning unfinished closes the connection
            if not ended:
                await send({"type": "http.response.body", "body": b""})  # a clean end of the stream
        finally:
            client.cancel_timer()
            self._close(client)
            watcher.cancel()

    async def _pump(self, client: _Client, send: Send) -> bool:
        """Write the client's queue until it leaves (False) or is dropped (True: the response
        already ended with ``event: dropped``)."""
        while True:
            try:
                await asyncio.wait_for(client.ready.wait(), KEEPALIVE_SECONDS)
            except TimeoutError:
                if client.closed:
                    return False
                await send({"type": "http.response.body", "body": b": keepalive\n\n", "more_body": True})
                continue
            client.ready.clear()
            if client.closed:
                return False
            while client.queue and not client.closed:
                batch = []
                while client.queue:
                    seq, data = client.queue.popleft()
                    batch.append(data)
                    client.sent_seq = seq
                # Awaits while the socket is full: only this client waits, never a request.
                await send({"type": "http.response.body", "body": b"".join(batch), "more_body": True})
            if client.dropped and not client.queue:
                last = json.dumps({"reason": "buffer full", "buffer": client.limit, "last_seq": client.sent_seq})
                await send({"type": "http.response.body", "body": f"event: dropped\ndata: {last}\n\n".encode(),
                            "more_body": False})
                return True

    @staticmethod
    async def _watch_disconnect(receive: Receive, client: _Client) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                client.closed = True
                client.signal()
                return
