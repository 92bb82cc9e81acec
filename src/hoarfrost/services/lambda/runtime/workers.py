"""Worker processes: one per concurrent execution of a function version, kept warm and reused.

A worker is a child process running the runtime's client (``bootstrap_python.py`` for Python,
``bootstrap_node.js`` for Node, the function's own ``bootstrap`` for ``provided.*``) in a
directory holding the unzipped code. Every one talks to hoarfrost through the Lambda Runtime
API (``runtime_api``); its stdout and stderr are the function's log. A worker whose Runtime API
goes away (hoarfrost died without cleaning up) fails its next poll and exits, so none is left
behind. ``WorkerPool.shutdown`` (on emulator reset and close) kills every worker and removes
the unpacked code.

Warm workers are keyed by (function ARN, version, revision id): an update of the code or the
configuration makes a new revision, so the next invocation starts fresh workers and the old
ones are retired.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import sys
import tempfile
import threading
import weakref
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .runtime_api import RuntimeApi, RuntimeApiWorker

# Every worker speaks the Runtime API, whatever its runtime.
Worker = RuntimeApiWorker

log = logging.getLogger("hoarfrost.lambda")

BOOTSTRAP = Path(__file__).with_name("bootstrap_python.py")
BOOTSTRAP_NODE = Path(__file__).with_name("bootstrap_node.js")
# Idle workers kept per function version; the oldest beyond this are stopped.
MAX_IDLE_PER_KEY = 4
# Emulator seconds an idle worker is kept warm.
IDLE_SECONDS = 600.0
# Seconds a worker may take to import the handler (AWS's init phase allows 10).
INIT_SECONDS = 10.0


class WorkerDied(Exception):
    """The worker exited (or closed its pipe) in the middle of a conversation."""

    def __init__(self, status: int | None) -> None:
        super().__init__(f"exit status {status}")
        self.status = status


@dataclass(frozen=True)
class WorkerSpec:
    """Everything a worker needs, copied out of the state so it is used without a lock."""

    key: tuple[str, str, str]  # (function ARN, version, revision id)
    function_name: str
    version: str
    runtime: str
    handler: str
    memory_size: int
    timeout: int
    code_sha256: str
    code: bytes = field(repr=False)
    environment: Mapping[str, str] = field(default_factory=dict)
    log_group: str = ""
    # (SHA-256, zip) of each attached layer, in order: unpacked into the worker's ``/opt``.
    layers: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)

    @property
    def function_arn(self) -> str:
        return self.key[0]


def supported(runtime: str) -> bool:
    """Whether this machine can run functions of ``runtime``."""
    return runtime.startswith("provided") or interpreter_for(runtime) is not None


def interpreter_for(runtime: str) -> list[str] | None:
    """The command that runs hoarfrost's runtime client for ``runtime`` on this machine, None
    when unsupported (or ``provided.*``, whose client is the function's own ``bootstrap``).
    Every ``python3.x`` runs on the interpreter hoarfrost itself runs on (it has boto3); every
    ``nodejs*`` on the ``node`` found on PATH."""
    if runtime.startswith("python3"):
        return [sys.executable, "-u", str(BOOTSTRAP)]
    if runtime.startswith("nodejs"):
        node = shutil.which("node")
        return [node, str(BOOTSTRAP_NODE)] if node else None
    return None


def _unzip(data: bytes, target: Path) -> None:
    """Extract a zip keeping its files' permission bits (a ``bootstrap`` stays executable)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            path = Path(archive.extract(info, target))
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                path.chmod(mode)


def _opt_paths(runtime: str, opt: Path) -> dict[str, str]:
    """Where a runtime looks in ``/opt``, as AWS sets ``PYTHONPATH`` / ``NODE_PATH``."""
    if runtime.startswith("python"):
        versions = dict.fromkeys([runtime.removeprefix("python"), f"{sys.version_info[0]}.{sys.version_info[1]}"])
        paths = [str(opt / "python" / "lib" / f"python{v}" / "site-packages") for v in versions]
        return {"PYTHONPATH": os.pathsep.join([*paths, str(opt / "python")])}
    if runtime.startswith("nodejs"):
        major = runtime.removeprefix("nodejs").split(".")[0]
        return {"NODE_PATH": os.pathsep.join([str(opt / "nodejs" / f"node{major}" / "node_modules"),
                                              str(opt / "nodejs" / "node_modules")])}
    return {}


def _kill_all(workers: set[Any]) -> None:
    for worker in list(workers):
        try:
            worker.kill()
        except Exception:  # interpreter shutdown: best effort
            pass


class WorkerPool:
    """The workers of one LambdaService (one Emulator): warm ones by key, in-flight counts by
    function for reserved concurrency, unpacked code by SHA-256."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[tuple[str, str, str], list[Worker]] = {}
        self._live: set[Worker] = set()
        self._in_flight: Counter[str] = Counter()
        self._root: Path | None = None
        self._closed = False
        self._runtime_api: RuntimeApi | None = None  # started with the first worker
        # Even an emulator never closed (mock_aws(keep_state=True), a given Emulator) leaves no
        # worker behind: the live ones are killed when the pool is collected or Python exits.
        weakref.finalize(self, _kill_all, self._live)

    # -- concurrency ----------------------------------------------------------------------
    def enter(self, function_arn: str, limit: int | None) -> bool:
        """Count one more execution of the function; False (nothing counted) over ``limit``."""
        with self._lock:
            if limit is not None and self._in_flight[function_arn] >= limit:
                return False
            self._in_flight[function_arn] += 1
            return True

    def leave(self, function_arn: str) -> None:
        with self._lock:
            self._in_flight[function_arn] -= 1
            if self._in_flight[function_arn] <= 0:
                del self._in_flight[function_arn]

    # -- workers --------------------------------------------------------------------------
    def acquire(self, spec: WorkerSpec, log_stream: str, environment: Callable[[], tuple[dict[str, str], float]],
                now: float) -> tuple[Worker, bool]:
        """A warm worker for ``spec`` (False) or a freshly started one (True: a cold start).
        ``environment()`` answers a new worker's variables and when its credentials expire
        (emulator time, ``now``'s clock): an idle worker past that is stopped, not reused."""
        expired: list[Worker] = []
        try:
            with self._lock:
                if self._closed:
                    raise RuntimeError("the emulator was closed")
                expired += self._reap(spec.key, now)
                idle = self._idle.get(spec.key)
                while idle:
                    worker = idle.pop()
                    if worker.expires_at > now:
                        return worker, False
                    self._live.discard(worker)
                    expired.append(worker)
                root = self._task_root(spec)
                opt = self._opt(spec)
        finally:
            for old in expired:
                old.kill()
        variables, expires_at = environment()
        env = dict(variables, AWS_LAMBDA_LOG_STREAM_NAME=log_stream, LAMBDA_TASK_ROOT=str(root))
        if opt is not None:
            env.update(_opt_paths(spec.runtime, opt))
        command = interpreter_for(spec.runtime)
        if command is None:
            candidates = [root / "bootstrap"] + ([opt / "bootstrap"] if opt is not None else [])
            command = [str(next((path for path in candidates if path.is_file()), candidates[0]))]
        with self._lock:
            if self._runtime_api is None:
                self._runtime_api = RuntimeApi()
            api = self._runtime_api
        worker = RuntimeApiWorker(spec, root, log_stream, env, api, command)
        worker.expires_at = expires_at
        with self._lock:
            self._live.add(worker)
            closed: bool = self._closed  # re-read: another thread may have closed it since the check above
        if closed:
            worker.kill()
            raise RuntimeError("the emulator was closed")
        return worker, True

    def _reap(self, key: tuple[str, str, str], now: float) -> list[Worker]:
        """Idle workers to stop (call with the lock held): those of an older revision of the
        same function version (its code or configuration changed), and any idle longer than
        ``IDLE_SECONDS`` of emulator time (AWS reclaims idle sandboxes too)."""
        stale: list[Worker] = []
        for other in list(self._idle):
            workers = self._idle[other]
            if other[:2] == key[:2] and other != key:
                stale += workers
                workers = []
            else:
                stale += [w for w in workers if now - w.idle_since > IDLE_SECONDS]
                workers = [w for w in workers if now - w.idle_since <= IDLE_SECONDS]
            if workers:
                self._idle[other] = workers
            else:
                del self._idle[other]
        self._live.difference_update(stale)
        return stale

    def release(self, worker: Worker, now: float = 0.0) -> None:
        """Back to the warm pool (the oldest idle worker of its key goes when there are too many)."""
        worker.idle_since = now
        with self._lock:
            if self._closed:
                surplus = [worker]
            else:
                idle = self._idle.setdefault(worker.spec.key, [])
                idle.append(worker)
                surplus = idle[:-MAX_IDLE_PER_KEY] if len(idle) > MAX_IDLE_PER_KEY else []
                del idle[:len(surplus)]
                self._live.difference_update(surplus)
        for old in surplus:
            old.kill()

    def discard(self, worker: Worker) -> None:
        with self._lock:
            self._live.discard(worker)
        worker.kill()

    def retire(self, function_arn: str) -> None:
        """Stop the idle workers of a function whose code or configuration changed or that was deleted."""
        with self._lock:
            keys = [key for key in self._idle if key[0] == function_arn]
            stale = [worker for key in keys for worker in self._idle.pop(key)]
            self._live.difference_update(stale)
        for worker in stale:
            worker.kill()

    def pids(self) -> list[int]:
        """Process ids of every live worker (for tests that check none is left behind)."""
        with self._lock:
            return [worker.pid for worker in self._live]

    def shutdown(self, reopen: bool = True) -> None:
        """Kill every worker (busy ones too: their invocations fail) and remove unpacked code.
        The pool stays usable afterwards unless ``reopen`` is False (the emulator closed)."""
        with self._lock:
            workers = list(self._live)
            self._live.clear()
            self._idle.clear()
            self._in_flight.clear()
            root, self._root = self._root, None
            api, self._runtime_api = self._runtime_api, None
            self._closed = not reopen
        for worker in workers:
            worker.kill()
        if api is not None:
            api.shutdown()
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)

    def _opt(self, spec: WorkerSpec) -> Path | None:
        """The layers of ``spec`` unpacked in order (a later layer's files win), once per
        combination; None without layers. Call with the lock held."""
        if not spec.layers:
            return None
        assert self._root is not None  # _task_root made it
        name = "opt-" + hashlib.sha256("|".join(sha for sha, _ in spec.layers).encode()).hexdigest()[:32]
        target = self._root / name
        if not target.exists():
            partial = self._root / (name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            for _, data in spec.layers:
                _unzip(data, partial)
            partial.rename(target)
        return target

    def _task_root(self, spec: WorkerSpec) -> Path:
        """The unpacked code of ``spec`` (unzipped once per package); call with the lock held."""
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="hoarfrost-lambda-"))
        name = spec.code_sha256.replace("/", "_").replace("+", "-").rstrip("=")
        target = self._root / name
        if not target.exists():
            partial = self._root / (name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            _unzip(spec.code, partial)
            partial.rename(target)
        return target
