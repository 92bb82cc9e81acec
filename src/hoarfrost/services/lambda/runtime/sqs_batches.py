"""SQS event source mappings: a batch received from the queue through SQS's own API
(``Emulator.call``, as the mapping's account) is handed to the function, and what succeeded is
deleted. Messages of a failed batch (or the items a function reports in ``batchItemFailures``)
are left in the queue, so they come back after its visibility timeout and the queue's redrive
policy applies, as in AWS. Run by ``mapping_poller``'s thread, holding no lock.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from hoarfrost.core.emulator import InternalCallError
from hoarfrost.core.kit.arn import parse_arn

from .record_filters import passes

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator

    from .mapping_poller import MappingPoller, Target


def poll_queue(poller: MappingPoller, target: Target) -> bool:
    """Receive one batch from the mapping's queue, hand it to the function, delete what
    succeeded; True when there was a batch."""
    emulator = poller.emulator
    account, region, uuid, queue_arn = target.account, target.region, target.uuid, target.source_arn
    batch_size, response_types = target.batch_size, target.response_types
    arn = parse_arn(queue_arn)
    try:
        url = emulator.call("sqs", "GetQueueUrl", {"QueueName": arn.resource,
                                                   "QueueOwnerAWSAccountId": arn.account},
                            account=account, region=arn.region)["QueueUrl"]
        messages: list[dict[str, Any]] = []
        while len(messages) < batch_size:
            got = emulator.call("sqs", "ReceiveMessage", {
                "QueueUrl": url, "MaxNumberOfMessages": min(10, batch_size - len(messages)),
                "MessageAttributeNames": ["All"], "MessageSystemAttributeNames": ["All"],
            }, account=account, region=arn.region).get("Messages", [])
            if not got:
                break
            messages.extend(got)
    except InternalCallError as error:
        poller.record(account, region, uuid, f"PROBLEM: {error.code}", None)
        return False
    if not messages:
        return False
    records = [_record(m, queue_arn, arn.region) for m in messages]
    if target.filters:  # messages no filter matches are deleted unseen, as AWS does
        kept = [passes(target.filters, record) for record in records]
        _delete(emulator, url, [m for m, keep in zip(messages, kept, strict=False) if not keep], account, arn.region)
        messages = [m for m, keep in zip(messages, kept, strict=False) if keep]
        records = [r for r, keep in zip(records, kept, strict=False) if keep]
        if not messages:
            poller.handed()
            return True
    event = json.dumps({"Records": records})
    invocation = poller.prepare(account, region, uuid, event)
    if invocation is None:
        return False
    outcome = poller.executor.invoke(invocation)
    done = messages
    if outcome is None or outcome.function_error is not None:
        done = []
        poller.record(account, region, uuid, "PROBLEM: Function call failed", None)
    else:
        if "ReportBatchItemFailures" in response_types:
            failed = failed_items(outcome.payload, {m["MessageId"] for m in messages})
            done = [] if failed is None else [m for m in messages if m["MessageId"] not in failed]
        poller.record(account, region, uuid, "OK", None)
    _delete(emulator, url, done, account, arn.region)
    poller.handed()
    return True


def _delete(emulator: Emulator, url: str, messages: list[dict[str, Any]], account: str, region: str) -> None:
    for start in range(0, len(messages), 10):
        chunk = messages[start:start + 10]
        emulator.call("sqs", "DeleteMessageBatch", {"QueueUrl": url, "Entries": [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)]},
            account=account, region=region)


def failed_items(payload: bytes, ids: set[str]) -> set[str] | None:
    """The item identifiers (SQS message ids, stream sequence numbers) a function reported in
    ``batchItemFailures``; None (the whole batch failed) when the report is malformed or names
    an item not in the batch, as AWS treats it."""
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
