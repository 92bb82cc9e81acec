"""Work due at a moment of the emulator's clock: scheduled rules, schedules, alarm evaluations,
buffer flushes, retention sweeps.

One background thread per emulator sleeps until the earliest timer is due by real time; a
``clock.advance`` runs everything the jump made due before ``advance`` returns, so a test that
moves the clock sees the effects at once instead of polling. Callbacks run holding no lock of
this module or of any service, so they may take a scope lock, call ``emulator.deliver`` or
schedule more timers (one due already runs in the same pass).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections.abc import Callable

from hoarfrost.core.clock import Clock

log = logging.getLogger("hoarfrost.timers")

# Longest real-time sleep between checks: bounds the damage of a missed wake-up.
_MAX_SLEEP = 5.0


class Timer:
    """A handle on one scheduled callback; ``cancel`` before it runs and it never does."""

    __slots__ = ("when", "callback", "cancelled")

    def __init__(self, when: float, callback: Callable[[], None]) -> None:
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Timers:
    """The emulator's timer queue (``emulator.timers``)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._heap: list[tuple[float, int, Timer]] = []
        self._sequence = itertools.count()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        # One runner at a time, so an ``advance`` returns only after a pass the background thread
        # had started has finished too; reentrant for a callback that advances the clock itself.
        self._running = threading.RLock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def at(self, when: float, callback: Callable[[], None]) -> Timer:
        """Run ``callback()`` once the emulator clock reads ``when`` (epoch seconds)."""
        timer = Timer(when, callback)
        with self._lock:
            first = not self._heap or when < self._heap[0][0]
            heapq.heappush(self._heap, (when, next(self._sequence), timer))
            self._closed = False
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="hoarfrost-timers", daemon=True)
                self._thread.start()
            elif first:
                self._wake.notify()
        return timer

    def after(self, seconds: float, callback: Callable[[], None]) -> Timer:
        """Run ``callback()`` ``seconds`` from now on the emulator clock."""
        return self.at(self._clock.time() + seconds, callback)

    def pending(self) -> int:
        """How many timers wait (cancelled ones included until their moment passes)."""
        with self._lock:
            return len(self._heap)

    def run_due(self) -> None:
        """Run every timer whose moment has come, earliest first, including those that callbacks
        schedule for a moment already past."""
        with self._running:
            while True:
                with self._lock:
                    if not self._heap or self._heap[0][0] > self._clock.time():
                        return
                    timer = heapq.heappop(self._heap)[2]
                if timer.cancelled:
                    continue
                try:
                    timer.callback()
                except Exception:  # one failing callback must not stop the others
                    log.exception("timer callback %r failed", timer.callback)

    def clear(self) -> None:
        """Forget every pending timer (the emulator's state was reset)."""
        with self._lock:
            self._heap.clear()

    def close(self) -> None:
        """Forget pending timers and stop the thread; a later ``at`` starts a new one."""
        with self._lock:
            self._heap.clear()
            self._closed = True
            thread, self._thread = self._thread, None
            self._wake.notify()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=_MAX_SLEEP)

    def _loop(self) -> None:
        me = threading.current_thread()
        while True:
            with self._lock:
                if self._closed or self._thread is not me:
                    return
                delay = _MAX_SLEEP if not self._heap else self._heap[0][0] - self._clock.time()
                if delay > 0:
                    self._wake.wait(min(delay, _MAX_SLEEP))
                    continue
            self.run_due()
