"""SQS event source mappings at work: one daemon thread per LambdaService polls every enabled
mapping's queue through SQS's own API (``Emulator.call``, as the mapping's account), invokes the
function synchronously with the batch, and deletes what succeeded. Messages of a failed batch
(or the items a function reports in ``batchItemFailures``) are left in the queue, so they come
back after its visibility timeout and the queue's redrive policy applies, as in AWS.

The thread starts when a mapping is enabled and ends when none is, or when the emulator is
reset or closed; it never runs a request's work and holds no lock while it calls SQS or a
function.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hoarfrost.core.emulator import InternalCallError
from hoarfrost.core.kit.arn import parse_arn

from .executor import Executor, Invocation

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator

log = logging.getLogger("hoarfrost.lambda")

IDLE_WAIT = 0.1  # seconds between polls of queues that had nothing


# A mapping, as the poller sees it: (account, region, uuid, queue ARN, batch size, response types),
# and a function that prepares its invocation under the Lambda scope's lock.
Target = tuple[str, str, str, str, int, tuple[str, ...]]
Preparer = Callable[[str, str, str, str], Invocation | None]
Recorder = Callable[[str, str, str, str], None]


class SqsPoller:
    def __init__(self, emulator: Emulator, executor: Executor, targets: Callable[[], list[Target]],
                 prepare: Preparer, record: Recorder) -> None:
        self.emulator = emulator
        self.executor = executor
        self._targets = targets
        self._prepare = prepare
        self._record = record
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.batches = 0  # batches handed to functions so far (tests wait on it)
        self._progress = threading.Condition()

    def ensure_running(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop = threading.Event()
                self._thread = threading.Thread(target=self._run, args=(self._stop,), name="hoarfrost-lambda-sqs",
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
                try:
                    busy = self._poll(target) or busy
                except Exception:
                    log.exception("polling %s failed", target[3])
            if not busy:
                stop.wait(IDLE_WAIT)

    def _poll(self, target: Target) -> bool:
        account, region, uuid, queue_arn, batch_size, response_types = target
        arn = parse_arn(queue_arn)
        try:
            url = self.emulator.call("sqs", "GetQueueUrl", {"QueueName": arn.resource,
                                                            "QueueOwnerAWSAccountId": arn.account},
                                     account=account, region=arn.region)["QueueUrl"]
            messages: list[dict[str, Any]] = []
            while len(messages) < batch_size:
                got = self.emulator.call("sqs", "ReceiveMessage", {
                    "QueueUrl": url, "MaxNumberOfMessages": min(10, batch_size - len(messages)),
                    "MessageAttributeNames": ["All"], "MessageSystemAttributeNames": ["All"],
                }, account=account, region=arn.region).get("Messages", [])
                if not got:
                    break
                messages.extend(got)
        except InternalCallError as error:
            self._record(account, region, uuid, f"PROBLEM: {error.code}")
            return False
        if not messages:
            return False
        event = json.dumps({"Records": [_record(m, queue_arn, arn.region) for m in messages]})
        invocation = self._prepare(account, region, uuid, event)
        if invocation is None:
            return False
        outcome = self.executor.invoke(invocation)
        done = messages
        if outcome is None or outcome.function_error is not None:
            done = []
            self._record(account, region, uuid, "PROBLEM: Function call failed")
        else:
            if "ReportBatchItemFailures" in response_types:
                failed = _failed_items(outcome.payload, {m["MessageId"] for m in messages})
                done = [] if failed is None else [m for m in messages if m["MessageId"] not in failed]
            self._record(account, region, uuid, "OK")
        for start in range(0, len(done), 10):
            chunk = done[start:start + 10]
            self.emulator.call("sqs", "DeleteMessageBatch", {"QueueUrl": url, "Entries": [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)]},
                account=account, region=arn.region)
        with self._progress:
            self.batches += 1
            self._progress.notify_all()
        return True


def _failed_items(payload: bytes, ids: set[str]) -> set[str] | None:
    """The message ids a function reported as failed; None (the whole batch failed) when the
    report is malformed or names a message not in the batch, as AWS treats it."""
    try:
        document = json.loads(payload) if payload else None
    except ValueError:
        return None
    if not isinstance(document, dict) or not document.get("batchItemFailures"):
        return set()
    failures = document["batchItemFailures"]
    if not isinstance(failures, list):
        return None
    found: set[str] = set()
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or identifier not in ids:
            return None
        found.add(identifier)
    return found


def _record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One SQS record as Lambda's event has it."""
    attributes = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        attributes[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": (base64.b64encode(value["BinaryValue"]).decode()
                            if value.get("BinaryValue") is not None else None),
            "stringListValues": [], "binaryListValues": [], "dataType": value.get("DataType"),
        }
        attributes[name] = {k: v for k, v in attributes[name].items() if v is not None}
    record = {
        "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}), "messageAttributes": attributes,
        "md5OfBody": message.get("MD5OfBody"), "eventSource": "aws:sqs", "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record
