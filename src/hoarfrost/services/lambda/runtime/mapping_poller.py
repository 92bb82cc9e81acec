"""Event source mappings at work: one daemon thread per LambdaService reads every enabled
mapping's source (an SQS queue or a Kinesis stream through its service's own API, a DynamoDB
stream through the core change-stream port), invokes the function synchronously with a batch, and settles the batch
(``sqs_batches``; for both stream kinds, ``stream_batches`` after ``dynamodb_batches`` or
``kinesis_batches`` read it).

The thread starts when a mapping is enabled and ends when none is, or when the emulator is
reset or closed; it never runs a request's work and holds no lock while it reads a source or
runs a function.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .executor import Executor, Invocation

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator

log = logging.getLogger("hoarfrost.lambda")

IDLE_WAIT = 0.1  # seconds between polls of sources that had nothing


@dataclass(frozen=True, slots=True)
class Target:
    """An enabled mapping as the poller sees it: copied under the Lambda scope's lock."""

    account: str
    region: str
    uuid: str
    source_arn: str
    batch_size: int
    response_types: tuple[str, ...] = ()
    position: str | None = None  # streams: the last record handled
    maximum_retry_attempts: int = -1  # streams: -1 retries until the record expires
    maximum_record_age: int = -1  # streams: seconds a record is handed to the function; -1 for ever
    function_arn: str = ""  # the mapping's function (with its qualifier), for on-failure records
    bisect: bool = False
    on_failure: str | None = None
    # Kinesis: the last sequence number handled per shard, where a shard with none starts
    # (TRIM_HORIZON, or the arrival time of AT_TIMESTAMP and LATEST), the function's role.
    shard_positions: tuple[tuple[str, str], ...] = ()
    starting_position: str | None = None
    starting_timestamp: float | None = None
    role: str = ""
    filters: tuple[str, ...] = ()  # FilterCriteria's patterns


# Prepares the invocation of a mapping's function with an event, under the Lambda scope's lock.
Preparer = Callable[[str, str, str, str], Invocation | None]
# Records a mapping's LastProcessingResult and, for streams, the position it reached (for a
# Kinesis stream, in the shard named by the ``shard`` keyword).
Recorder = Callable[..., None]


class MappingPoller:
    def __init__(self, emulator: Emulator, executor: Executor, targets: Callable[[], list[Target]],
                 prepare: Preparer, record: Recorder) -> None:
        from .dynamodb_batches import read_dynamodb_stream
        from .kinesis_batches import read_kinesis_stream
        from .sqs_batches import poll_queue
        from .stream_batches import BatchSettler

        self.emulator = emulator
        self.executor = executor
        self._targets = targets
        self.prepare = prepare
        self.record = record
        self._readers: dict[str, Callable[[MappingPoller, Target], bool]] = {
            "sqs": poll_queue, "dynamodb": read_dynamodb_stream, "kinesis": read_kinesis_stream}
        self.settler = BatchSettler()  # both stream kinds' batches: retries, bisection, failures
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.batches = 0  # batches handed to functions so far (tests wait on it)
        self._progress = threading.Condition()

    def ensure_running(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop = threading.Event()
                self._thread = threading.Thread(target=self._run, args=(self._stop,), name="hoarfrost-lambda-mappings",
                                                daemon=True)
                self._thread.start()

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(5)

    def wait_for_batches(self, count: int, timeout: float = 10.0) -> bool:
        """Block until ``count`` batches in all were handed to functions; False on timeout."""
        with self._progress:
            return self._progress.wait_for(lambda: self.batches >= count, timeout)

    def handed(self) -> None:
        """Count one batch handed to a function (``wait_for_batches``)."""
        with self._progress:
            self.batches += 1
            self._progress.notify_all()

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            targets = self._targets()
            if not targets:
                with self._lock:
                    if self._thread is threading.current_thread():
                        self._thread = None
                return
            busy = False
            for target in targets:
                if stop.is_set():
                    return
                service = target.source_arn.split(":")[2] if target.source_arn.count(":") >= 2 else ""
                reader = self._readers.get(service)
                if reader is None:
                    continue
                try:
                    busy = reader(self, target) or busy
                except Exception:
                    log.exception("polling %s failed", target.source_arn)
            if not busy:
                stop.wait(IDLE_WAIT)
