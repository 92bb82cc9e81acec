"""The Lambda Runtime API, which every worker's runtime client talks to as in AWS: hoarfrost's
own clients for Python and Node (``bootstrap_python.py``, ``bootstrap_node.js``) and the
``bootstrap`` executable of a ``provided.al2023`` / ``provided.al2`` function
(``/2018-06-01/runtime/invocation/next``, ``.../<id>/response`` (whole, or streamed in chunks
with ``Lambda-Runtime-Function-Response-Mode: streaming``), ``.../<id>/error``,
``/runtime/init/error``).

One small HTTP server on a loopback port per worker pool (started with the first worker) serves
every worker under a path prefix of its own; a ``RuntimeApiWorker`` turns what arrives there,
and what the process writes to stdout/stderr, into frames (``ready``, ``log``, ``result``,
``error``) that ``invocation.run`` reads.
"""

from __future__ import annotations

import array
import base64
import fcntl
import json
import logging
import os
import queue
import random
import select
import subprocess
import termios
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .workers import WorkerSpec

PREFIX = "/2018-06-01/runtime/"

log = logging.getLogger("hoarfrost.lambda")


class _QuietServer(ThreadingHTTPServer):
    """A worker killed mid-request (a timeout, a reset) drops its connection: expected, so it is
    logged at debug level instead of socketserver's traceback on stderr."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("lambda runtime API connection from %s failed", client_address, exc_info=True)


class RuntimeApi:
    """The loopback HTTP server and the workers it serves, by token."""

    def __init__(self) -> None:
        self._workers: dict[str, RuntimeApiWorker] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def address(self) -> str:
        with self._lock:
            if self._server is None:
                api = self

                class Handler(BaseHTTPRequestHandler):
                    protocol_version = "HTTP/1.1"
                    # Headers and body go out in two writes: with Nagle's algorithm the body
                    # waits for the client's delayed ACK (40 ms on Linux) on every invocation.
                    disable_nagle_algorithm = True

                    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                        api._handle(self, "GET")

                    def do_POST(self) -> None:  # noqa: N802
                        api._handle(self, "POST")

                    def log_message(self, *args: Any) -> None:
                        pass

                server = _QuietServer(("127.0.0.1", 0), Handler)
                server.daemon_threads = True
                threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                 name="hoarfrost-lambda-runtime-api", daemon=True).start()
                self._server = server
            return f"127.0.0.1:{self._server.server_address[1]}"

    def register(self, worker: RuntimeApiWorker) -> str:
        token = f"{random.getrandbits(64):016x}"
        with self._lock:
            self._workers[token] = worker
        return token

    def unregister(self, token: str) -> None:
        with self._lock:
            self._workers.pop(token, None)

    def shutdown(self) -> None:
        with self._lock:
            server, self._server = self._server, None
            self._workers.clear()
        if server is not None:
            server.shutdown()
            server.server_close()

    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        token, _, path = request.path.lstrip("/").partition("/")
        worker = self._workers.get(token)
        trailers: dict[str, str] = {}
        if (request.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            chunks = _read_chunked(request, trailers)
        else:
            length = int(request.headers.get("Content-Length") or 0)
            chunks = [request.rfile.read(length)] if length else []
        body = b"".join(chunks)
        if worker is None or not ("/" + path).startswith(PREFIX):
            _answer(request, 404, {"errorMessage": "Unknown resource", "errorType": "NotFound"})
            return
        route = ("/" + path)[len(PREFIX):]
        if method == "GET" and route == "invocation/next":
            worker.next_invocation(request)
        elif method == "POST" and route.startswith("invocation/") and route.endswith("/response"):
            streamed = (request.headers.get("Lambda-Runtime-Function-Response-Mode") or "").lower() == "streaming"
            frame: dict[str, Any] = {"type": "result", "payload": body.decode("utf-8", "replace") or "null"}
            if streamed:
                frame["chunks"] = [chunk for chunk in chunks if chunk]
                frame["payload"] = body.decode("utf-8", "replace")
                failed = trailers.get("lambda-runtime-function-error-type")
                if failed:
                    frame = {"type": "error", "chunks": frame["chunks"],
                             "error": _trailer_error(failed, trailers.get("lambda-runtime-function-error-body"))}
            worker.answered(frame)
            _answer(request, 202, {"status": "OK"})
        elif method == "POST" and route.startswith("invocation/") and route.endswith("/error"):
            worker.answered({"type": "error", "error": _error_body(body, request)})
            _answer(request, 202, {"status": "OK"})
        elif method == "POST" and route == "init/error":
            worker.frames.put({"type": "ready", "init_ms": worker.init_elapsed(), "error": _error_body(body, request)})
            _answer(request, 202, {"status": "OK"})
        else:
            _answer(request, 404, {"errorMessage": f"Unknown resource {path}", "errorType": "NotFound"})


def _read_chunked(request: BaseHTTPRequestHandler, trailers: dict[str, str]) -> list[bytes]:
    """A chunked request body as its chunks (a streamed response keeps the pieces the function
    wrote), with the trailers after the last one."""
    chunks: list[bytes] = []
    while True:
        line = request.rfile.readline(1024)
        if not line:
            return chunks
        size = int(line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            break
        chunks.append(request.rfile.read(size))
        request.rfile.readline(8)  # the CRLF after the data
    while True:
        line = request.rfile.readline(65536)
        if not line or line in (b"\r\n", b"\n"):
            return chunks
        name, _, value = line.decode("latin-1").partition(":")
        trailers[name.strip().lower()] = value.strip()


def _trailer_error(error_type: str, body: str | None) -> dict[str, Any]:
    """The error a streaming function reported in its trailers (base64 JSON body)."""
    try:
        error = json.loads(base64.b64decode(body or "")) if body else {}
    except ValueError:
        error = {}
    if not isinstance(error, dict):
        error = {}
    error.setdefault("errorType", error_type)
    error.setdefault("errorMessage", "")
    return error


def _error_body(body: bytes, request: BaseHTTPRequestHandler) -> dict[str, Any]:
    try:
        error = json.loads(body) if body else {}
    except ValueError:
        error = {}
    if not isinstance(error, dict):
        error = {}
    error.setdefault("errorType", request.headers.get("Lambda-Runtime-Function-Error-Type") or "Unhandled")
    error.setdefault("errorMessage", "")
    return error


def _answer(request: BaseHTTPRequestHandler, status: int, document: Any, headers: dict[str, str] | None = None,
            raw: bytes | None = None) -> None:
    data = raw if raw is not None else json.dumps(document).encode()
    request.send_response(status)
    for name, value in (headers or {}).items():
        request.send_header(name, value)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)


class RuntimeApiWorker:
    """A worker whose process speaks the Runtime API; quacks like ``workers.Worker``."""

    def __init__(self, spec: WorkerSpec, task_root: Path, log_stream: str, environment: dict[str, str],
                 api: RuntimeApi, command: list[str]) -> None:
        self.spec = spec
        self.log_stream = log_stream
        self.invocations = 0
        self.expires_at = float("inf")
        self.idle_since = 0.0
        self.init_ms = 0.0
        self.frames: queue.Queue[dict[str, Any]] = queue.Queue()
        self._invocations: queue.Queue[dict[str, Any]] = queue.Queue()
        self._api = api
        self._started = time.monotonic()  # real time: Init Duration is the process's own start-up
        self._ready_sent = False
        self._dead = threading.Event()
        self._drained = threading.Condition()
        self._token = api.register(self)
        env = dict(environment, AWS_LAMBDA_RUNTIME_API=f"{api.address()}/{self._token}")
        read_end, write_end = os.pipe()
        try:
            self.process = subprocess.Popen(command, cwd=task_root, env=env, stdin=subprocess.DEVNULL,
                                            stdout=write_end, stderr=write_end, start_new_session=True)
        except OSError:
            os.close(read_end)
            api.unregister(self._token)
            raise
        finally:
            os.close(write_end)
        self._output = read_end
        threading.Thread(target=self._read_output, name="hoarfrost-lambda-output", daemon=True).start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def init_elapsed(self) -> float:
        return (time.monotonic() - self._started) * 1000

    # -- hoarfrost's side -------------------------------------------------------------------
    def send(self, message: dict[str, Any]) -> None:
        from .workers import WorkerDied

        if self._dead.is_set():
            raise WorkerDied(self.process.poll())
        self._invocations.put(message)

    def receive(self, timeout: float) -> dict[str, Any] | None:
        from .workers import WorkerDied

        try:
            frame = self.frames.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return None
        if frame.get("type") == "died":
            raise WorkerDied(frame.get("status"))
        return frame

    def max_memory_mb(self) -> int:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def kill(self) -> None:
        self._dead.set()
        self._api.unregister(self._token)
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, 9)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass

    # -- the process's side (HTTP threads) ------------------------------------------------
    def next_invocation(self, request: BaseHTTPRequestHandler) -> None:
        """GET /invocation/next: the first call ends the init phase; it answers when hoarfrost
        sends an invocation (or never, if the worker is stopped first)."""
        if not self._ready_sent:
            self._ready_sent = True
            self.init_ms = self.init_elapsed()
            self.frames.put({"type": "ready", "init_ms": self.init_ms, "error": None})
        while not self._dead.is_set():
            try:
                message = self._invocations.get(timeout=0.2)
            except queue.Empty:
                continue
            headers = {
                "Lambda-Runtime-Aws-Request-Id": message["request_id"],
                "Lambda-Runtime-Deadline-Ms": str(message["deadline_ms"]),
                "Lambda-Runtime-Invoked-Function-Arn": message["invoked_arn"],
                "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
            }
            if message.get("client_context"):
                headers["Lambda-Runtime-Client-Context"] = message["client_context"]
            _answer(request, 200, None, headers, raw=message["event"].encode("utf-8"))
            return
        request.close_connection = True

    def answered(self, frame: dict[str, Any]) -> None:
        """A response or error: logged output still in the pipe goes first (briefly waited for)."""
        deadline = time.monotonic() + 0.1  # a real wait on an OS pipe, not emulated time
        with self._drained:
            while _pending(self._output) and time.monotonic() < deadline:
                self._drained.wait(0.01)
        self.frames.put(frame)

    def _read_output(self) -> None:
        """Output into log frames. A chunk is read and queued under ``_drained`` (after waiting,
        unlocked, for the pipe to be readable), so ``answered`` never sees an empty pipe while a
        chunk read from it is not queued yet: the output a runtime wrote before its response is
        logged before it."""
        while True:
            try:
                select.select([self._output], [], [])
            except (OSError, ValueError):
                break
            with self._drained:
                try:
                    chunk = os.read(self._output, 1 << 16)
                except OSError:
                    chunk = b""
                if chunk:
                    self.frames.put({"type": "log", "text": chunk.decode("utf-8", "replace")})
                self._drained.notify_all()
            if not chunk:
                break
        try:
            os.close(self._output)
        except OSError:
            pass
        status = self.process.wait()
        self._dead.set()
        self.frames.put({"type": "died", "status": status})


def _pending(fd: int) -> bool:
    """Whether bytes wait unread in the pipe ``fd``."""
    try:
        size = array.array("i", [0])
        fcntl.ioctl(fd, termios.FIONREAD, size, True)
        return size[0] > 0
    except OSError:
        return False
