"""Asynchronous invocations (``InvocationType=Event``, SNS and log subscriptions): queued and
run on a few daemon threads that start on demand and end after a few idle seconds, so an idle
Emulator holds no thread and a request never waits for a function it invoked asynchronously."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger("hoarfrost.lambda")

Job = Callable[[], None]


class EventQueue:
    IDLE_SECONDS = 2.0
    MAX_THREADS = 4

    def __init__(self) -> None:
        self._queue: queue.Queue[Job] = queue.Queue()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._outstanding = 0
        self._threads = 0
        self._generation = 0  # bumped by clear(): jobs of an earlier generation are dropped

    def submit(self, job: Job) -> None:
        with self._lock:
            self._outstanding += 1
            generation = self._generation
            self._queue.put(lambda: job() if generation == self._generation else None)
            if self._threads < self.MAX_THREADS and self._outstanding > self._threads:
                self._threads += 1
                threading.Thread(target=self._run, name="hoarfrost-lambda-events", daemon=True).start()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued invocation finished; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._outstanding == 0, timeout)

    def clear(self) -> None:
        """Drop the invocations not started yet (emulator reset or close)."""
        with self._lock:
            self._generation += 1

    def _run(self) -> None:
        while True:
            try:
                job = self._queue.get(timeout=self.IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._threads -= 1
                        return
                continue
            try:
                job()
            except Exception:
                log.exception("an asynchronous invocation failed")
            finally:
                with self._idle:
                    self._outstanding -= 1
                    self._idle.notify_all()
