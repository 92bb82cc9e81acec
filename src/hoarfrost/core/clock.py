"""The emulator's clock: real time plus an offset that tests move forward instead of sleeping.

Every time a service reads (timestamps, visibility timeouts, delays, TTLs, schedules, token
expiry) comes from here, so ``emulator.clock.advance(30)`` makes an in-flight message visible
again or a delayed one deliverable at once. Waiters (long polls) are woken on every advance so
they re-check against the new time.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Callable

UTC = dt.UTC


class Clock:
    """Wall-clock time shifted by ``offset`` seconds; the offset only grows, until a reset of
    the whole emulator puts it back to real time."""

    __slots__ = ("_offset", "_lock", "_listeners")

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()
        self._listeners: tuple[Callable[[], None], ...] = ()

    @property
    def offset(self) -> float:
        """Seconds this clock runs ahead of real time."""
        return self._offset

    def time(self) -> float:
        """Seconds since the epoch, as ``time.time()``."""
        return time.time() + self._offset

    def millis(self) -> int:
        return int((time.time() + self._offset) * 1000)

    def now(self) -> dt.datetime:
        """The current moment as an aware UTC datetime."""
        return dt.datetime.fromtimestamp(time.time() + self._offset, UTC)

    def outside_millis(self, after: float = 0.0) -> int:
        """Epoch milliseconds ``after`` seconds from now on the machine's own clock: a deadline
        for a process hoarfrost starts (a Lambda worker), which reads the real time, not this
        clock's shifted one."""
        return int((time.time() + after) * 1000)

    def monotonic(self) -> float:
        """Monotonic seconds for deadlines; jumps with ``advance`` like ``time()`` does."""
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (never back: AWS never sees time reverse) and wake
        whoever waits on a deadline."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"the clock only moves forward by a finite number of seconds, not {seconds}")
        with self._lock:
            self._offset += seconds
        for listener in self._listeners:
            listener()

    def reset(self) -> None:
        """Back to real time: only for an emulator whose state was just forgotten (nothing
        remains that a step back in time could contradict). Listeners hear of it when the clock
        had moved (the event stream reports it, persistence saves it)."""
        with self._lock:
            moved, self._offset = self._offset != 0.0, 0.0
        if moved:
            for listener in self._listeners:
                listener()

    def on_advance(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after every ``advance``, and after a ``reset`` that moved the
        clock back (services wake their long polls; the event stream reports the change)."""
        with self._lock:
            self._listeners = (*self._listeners, listener)

    def off_advance(self, listener: Callable[[], None]) -> None:
        """Stop calling ``listener`` after an advance (an event stream whose last client left)."""
        with self._lock:
            self._listeners = tuple(other for other in self._listeners if other != listener)
