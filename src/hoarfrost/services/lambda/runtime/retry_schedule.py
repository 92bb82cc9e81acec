"""Asynchronous invocations waiting for a retry, due at a time of the emulator's clock.

AWS retries a failed asynchronous invocation after one minute, then after two more; a throttled
one with a growing back-off. Here a retry is released into the event queue when the clock passes
its due time: at once when a test advances the clock (``release_due``, called from the clock's
listener, so the released attempt is already queued when ``advance`` returns), or by a daemon
thread that sleeps until the earliest due time while time passes by itself. The thread starts
when a retry is scheduled and ends when none is left, or when the emulator is reset or closed.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hoarfrost.core.clock import Clock

    from .events import EventQueue, Job

# The longest the thread sleeps before looking again (a guard, not a schedule).
MAX_SLEEP = 60.0


class RetrySchedule:
    def __init__(self, clock: Clock, events: EventQueue) -> None:
        self._clock = clock
        self._events = events
        self._due: list[tuple[float, int, Job]] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def schedule(self, due: float, job: Callable[[], None]) -> None:
        """Queue ``job`` into the event queue once the clock reaches ``due``."""
        with self._changed:
            heapq.heappush(self._due, (due, next(self._order), job))
            self._closed = False
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="hoarfrost-lambda-retries", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def pending(self) -> int:
        with self._changed:
            return len(self._due)

    def release_due(self) -> int:
        """Hand every retry whose time has come to the event queue; how many."""
        now = self._clock.time()
        released: list[Job] = []
        with self._changed:
            while self._due and self._due[0][0] <= now:
                released.append(heapq.heappop(self._due)[2])
            self._changed.notify_all()
        for job in released:
            self._events.submit(job)
        return len(released)

    def clear(self) -> None:
        """Forget every scheduled retry and stop the thread (emulator reset or close)."""
        with self._changed:
            self._due.clear()
            self._closed = True
            thread, self._thread = self._thread, None
            self._changed.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(5)

    def _run(self) -> None:
        while True:
            with self._changed:
                if self._closed or not self._due:
                    if self._thread is threading.current_thread():
                        self._thread = None
                    return
                wait = self._due[0][0] - self._clock.time()
                if wait > 0:
                    self._changed.wait(min(wait, MAX_SLEEP))
                    continue
            self.release_due()
