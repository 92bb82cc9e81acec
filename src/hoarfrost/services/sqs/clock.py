"""SQS's clock: every time SQS reads goes through ``now()`` so tests can move time forward
(``monkeypatch.setattr(hoarfrost.services.sqs.clock, "now", ...)``) instead of sleeping
through visibility timeouts, delays, the deduplication window or retention periods."""

from __future__ import annotations

import time


def now() -> float:
    """Seconds since the epoch."""
    return time.time()


def millis(seconds: float) -> int:
    """Epoch milliseconds, as SQS's message system attributes state times."""
    return int(seconds * 1000)
