"""One invocation on one worker: what AWS does around the handler call, and what it logs.

``run`` takes a warm worker (or starts one: a cold start, whose init time is reported), sends
the event, collects the function's output until its result, error or deadline, and returns an
``Outcome``: the response payload (AWS's error object for failures), whether it is a function
error, and the log events (``START``, the output, ``END``, ``REPORT``) for CloudWatch Logs.
A timed-out or crashed worker is discarded; the next invocation starts a fresh one.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hoarfrost.core.clock import Clock

from .workers import INIT_SECONDS, Worker, WorkerDied, WorkerPool, WorkerSpec

TAIL_BYTES = 4096


@dataclass
class Outcome:
    payload: bytes
    function_error: str | None  # "Unhandled" for any failure, as AWS answers today
    log_stream: str
    log_events: list[tuple[int, str]] = field(default_factory=list)
    # The pieces of a streamed response as the function wrote them (None: answered whole).
    chunks: list[bytes] | None = None
    duration_ms: float = 0.0  # the REPORT line's Duration (CloudWatch's AWS/Lambda Duration)

    @property
    def log_tail(self) -> str:
        """The last 4 KB of this invocation's log, base64 (``LogType=Tail``)."""
        text = "".join(message if message.endswith("\n") else message + "\n" for _, message in self.log_events)
        return base64.b64encode(text.encode("utf-8")[-TAIL_BYTES:]).decode("ascii")

    @property
    def error(self) -> dict[str, Any] | None:
        if self.function_error is None:
            return None
        try:
            value = json.loads(self.payload)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


def new_stream_name(clock: Clock, version: str) -> str:
    """AWS's log stream name: ``YYYY/MM/DD/[version]<32 hex digits>``."""
    return f"{clock.now():%Y/%m/%d}/[{version}]{random.getrandbits(128):032x}"


def _iso(clock: Clock) -> str:
    return clock.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class _Log:
    """The invocation's log events, timestamped by the emulator's clock as they arrive. Plain
    output becomes one event per line, as AWS's runtime writes it; a record whose inner line
    breaks the runtime client wrote as carriage returns (an error and its traceback, one
    console.log call) is one event with its lines."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.events: list[tuple[int, str]] = []
        self._partial = ""

    def line(self, text: str) -> None:
        self.flush()
        self.events.append((self.clock.millis(), text))

    def output(self, text: str) -> None:
        text = self._partial + text
        *lines, self._partial = text.split("\n")
        for line in lines:
            self.events.append((self.clock.millis(), line.replace("\r", "\n") + "\n"))

    def flush(self) -> None:
        if self._partial:
            self.events.append((self.clock.millis(), self._partial))
            self._partial = ""


def run(pool: WorkerPool, spec: WorkerSpec, event: str, request_id: str, invoked_arn: str,
        environment: Callable[[], tuple[dict[str, str], float]], clock: Clock, client_context: str | None = None,
        on_worker: Callable[[Worker], None] | None = None) -> Outcome:
    """Invoke ``spec``'s handler with ``event`` (JSON text) and wait for it, at most its timeout."""
    log = _Log(clock)
    started = clock.monotonic()
    try:
        worker, cold = pool.acquire(spec, new_stream_name(clock, spec.version), environment, clock.time())
    except (OSError, ValueError) as exc:
        return _failure(log, "", request_id, "Runtime.InvalidEntrypoint", f"RequestId: {request_id} Error: {exc}")
    if on_worker is not None:
        on_worker(worker)
    try:
        if cold:
            ready = _wait_ready(worker, log)
            if ready is None:
                pool.discard(worker)
                return _failure(log, worker.log_stream, request_id, "Runtime.ExitError",
                                f"RequestId: {request_id} Error: Runtime exited during initialisation")
            worker.init_ms = float(ready.get("init_ms") or 0.0)
            if ready.get("error"):
                pool.discard(worker)
                error = dict(ready["error"], requestId=request_id)
                log.line(f"[ERROR] {error['errorType']}: {error['errorMessage']}\n")
                return _finish(log, worker, spec, request_id, started, clock, cold,
                               json.dumps(error).encode(), "Unhandled")
        log.line(f"START RequestId: {request_id} Version: {spec.version}\n")
        deadline = started + spec.timeout + (worker.init_ms / 1000 if cold else 0)
        # The worker compares the deadline with its own (real) clock, so it gets the time left,
        # on that clock; hoarfrost itself enforces the deadline on the emulator's clock.
        deadline_ms = clock.outside_millis(deadline - clock.monotonic())
        worker.send({"type": "invoke", "request_id": request_id, "event": event, "deadline_ms": deadline_ms,
                     "invoked_arn": invoked_arn, "client_context": client_context})
        while True:
            frame = worker.receive(min(deadline - clock.monotonic(), 0.25))
            if frame is None:
                if clock.monotonic() < deadline:
                    continue
                pool.discard(worker)
                message = f"{_iso(clock)} {request_id} Task timed out after {spec.timeout:.2f} seconds"
                log.line(message + "\n")
                payload = json.dumps({"errorMessage": message, "errorType": "Sandbox.Timedout"}).encode()
                return _finish(log, worker, spec, request_id, started, clock, cold, payload, "Unhandled",
                               release=False)
            kind = frame.get("type")
            if kind == "log":
                log.output(frame["text"])
            elif kind == "errorlog":
                log.line(frame["text"])
            elif kind == "result":
                worker.invocations += 1
                outcome = _finish(log, worker, spec, request_id, started, clock, cold,
                                  frame["payload"].encode("utf-8"), None, pool=pool)
                outcome.chunks = frame.get("chunks")
                return outcome
            elif kind == "error":
                worker.invocations += 1
                outcome = _finish(log, worker, spec, request_id, started, clock, cold,
                                  json.dumps(frame["error"]).encode("utf-8"), "Unhandled", pool=pool)
                outcome.chunks = frame.get("chunks")
                return outcome
    except WorkerDied as died:
        pool.discard(worker)
        message = f"RequestId: {request_id} Error: Runtime exited with error: exit status {died.status}"
        log.line(message + "\n")
        payload = json.dumps({"errorType": "Runtime.ExitError", "errorMessage": message}).encode()
        return _finish(log, worker, spec, request_id, started, clock, cold, payload, "Unhandled", release=False)
    except BaseException:
        pool.discard(worker)
        raise


def _wait_ready(worker: Worker, log: _Log) -> dict[str, Any] | None:
    """The worker's ``ready`` frame (output written while importing is logged), None if it died."""
    try:
        while True:
            frame = worker.receive(INIT_SECONDS)
            if frame is None:
                return None
            if frame.get("type") == "ready":
                return frame
            if frame.get("type") == "log":
                log.output(frame["text"])
    except WorkerDied:
        return None


def _failure(log: _Log, stream: str, request_id: str, error_type: str, message: str) -> Outcome:
    log.line(message + "\n")
    payload = json.dumps({"errorType": error_type, "errorMessage": message}).encode()
    return Outcome(payload, "Unhandled", stream, log.events)


def _finish(log: _Log, worker: Worker, spec: WorkerSpec, request_id: str, started: float, clock: Clock,
            cold: bool, payload: bytes, function_error: str | None, *, pool: WorkerPool | None = None,
            release: bool = True) -> Outcome:
    log.flush()
    duration = (clock.monotonic() - started) * 1000 - (worker.init_ms if cold else 0.0)
    duration = max(duration, 0.0)
    report = (f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\t"
              f"Billed Duration: {max(1, math.ceil(duration))} ms\tMemory Size: {spec.memory_size} MB\t"
              f"Max Memory Used: {worker.max_memory_mb()} MB\t")
    if cold:
        report += f"Init Duration: {worker.init_ms:.2f} ms\t"
    log.line(f"END RequestId: {request_id}\n")
    log.line(report + "\n")
    if release and pool is not None:
        pool.release(worker, clock.time())
    return Outcome(payload, function_error, worker.log_stream, log.events, duration_ms=duration)
