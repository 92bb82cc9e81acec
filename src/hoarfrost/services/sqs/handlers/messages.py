"""Message operations: send, receive (with long polling), delete, change visibility; and their
batch forms, which answer per-entry successes and failures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit import metrics
from hoarfrost.services.sqs import checks, delivery
from hoarfrost.services.sqs.errors import (
    errors,
    invalid_parameter,
)
from hoarfrost.services.sqs.handlers.common import (
    SqsContext,
    backend,
    operation,
    resolve_queue,
    sender_id,
)
from hoarfrost.services.sqs.state import Queue

# A long poll re-checks at least this often, so messages whose delay or visibility timeout
# ends (or a test that moves the clock) are noticed without anybody calling wake().
MAX_POLL_SLICE = 1.0


@operation
def send_message(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    prepared = delivery.prepare(queue, request)
    output = delivery.send(queue, prepared, sender_id(ctx), ctx.clock.time())
    ctx.wake()
    _emit(ctx, queue, "NumberOfMessagesSent", 1, sizes=[prepared.size])
    return output


@operation
def send_message_batch(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    entries = request.get("Entries") or []
    checks.check_batch(entries, "SendMessageBatchRequestEntry")
    checks.check_batch_payload(sum(checks.entry_size(entry) for entry in entries))
    if queue.fifo:
        for entry in entries:
            delivery.check_fifo_keys(queue, entry)
    prepared: list[delivery.PreparedMessage | ServiceError] = []
    for entry in entries:
        try:
            prepared.append(delivery.prepare(queue, entry))
        except ServiceError as error:
            prepared.append(error)
    sender = sender_id(ctx)
    successful, failed = [], []
    for entry, outcome in zip(entries, prepared, strict=False):
        if isinstance(outcome, ServiceError):
            failed.append(_failure(entry["Id"], outcome))
        else:
            successful.append({"Id": entry["Id"], **delivery.send(queue, outcome, sender, ctx.clock.time())})
    if successful:
        ctx.wake()
        _emit(ctx, queue, "NumberOfMessagesSent", len(successful),
              sizes=[p.size for p in prepared if isinstance(p, delivery.PreparedMessage)])
    return {"Successful": successful, "Failed": failed}


@operation(mutates=True, blocking=True)
def receive_message(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    """Receives up to MaxNumberOfMessages; with a wait time, returns as soon as any arrive."""
    queue = resolve_queue(ctx, request["QueueUrl"])
    count, visibility_timeout, wait = delivery.check_receive(request, queue)
    attempt_id = request.get("ReceiveRequestAttemptId")
    system_names = delivery.requested_system_attributes(request)
    attribute_names = request.get("MessageAttributeNames") or []
    deadline = ctx.clock.monotonic() + wait
    dropped = False  # expired or dead-lettered messages left the queue: a change, even if none is taken
    while True:
        now = ctx.clock.time()
        size = len(queue.messages)
        messages = delivery.receive(backend(ctx), queue, count, visibility_timeout, attempt_id, now)
        dropped = dropped or len(queue.messages) != size
        remaining = deadline - ctx.clock.monotonic()
        if messages or remaining <= 0:
            break
        until_visible = delivery.next_visibility_change(queue, now)
        ctx.wait(min(remaining, MAX_POLL_SLICE, until_visible if until_visible is not None else remaining))
        queue = resolve_queue(ctx, request["QueueUrl"])  # it may have been deleted or restored meanwhile
    if not messages:
        if not dropped:
            ctx.mark_unchanged()  # an empty receive changed nothing: listeners are not told
        _emit(ctx, queue, "NumberOfEmptyReceives", 1)
        return {}
    _emit(ctx, queue, "NumberOfMessagesReceived", len(messages))
    return {"Messages": [delivery.received(m, system_names, attribute_names) for m in messages]}


@operation
def delete_message(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    queue.delete_message(request["ReceiptHandle"])
    _emit(ctx, queue, "NumberOfMessagesDeleted", 1)
    return {}


@operation
def delete_message_batch(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    output = _batch(request, "DeleteMessageBatchRequestEntry",
                    lambda entry: queue.delete_message(entry["ReceiptHandle"]))
    if output["Successful"]:
        _emit(ctx, queue, "NumberOfMessagesDeleted", len(output["Successful"]))
    return output


def _emit(ctx: SqsContext, queue: Queue, name: str, count: int, sizes: list[int] | None = None) -> None:
    """The AWS/SQS metrics AWS publishes for free: one sample per message (``SentMessageSize`` in bytes)."""
    dimensions = (("QueueName", queue.name),)
    data = [metrics.MetricDatum(name, 1.0, "Count", dimensions)] * count
    data += [metrics.MetricDatum("SentMessageSize", float(size), "Bytes", dimensions) for size in sizes or ()]
    metrics.emit(ctx, "AWS/SQS", data)


@operation
def change_message_visibility(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    _change_visibility(queue, request["ReceiptHandle"], request.get("VisibilityTimeout"), ctx.clock.time())
    ctx.wake()
    return {}


@operation
def change_message_visibility_batch(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    output = _batch(request, "ChangeMessageVisibilityBatchRequestEntry",
                    lambda entry: _change_visibility(queue, entry["ReceiptHandle"], entry.get("VisibilityTimeout"),
                                                      ctx.clock.time()))
    ctx.wake()
    return output


def _change_visibility(queue: Queue, handle: str, timeout: int | None, now: float) -> None:
    if timeout is None:
        timeout = 0
    if not 0 <= timeout <= delivery.MAX_VISIBILITY_TIMEOUT:
        raise invalid_parameter("VisibilityTimeout", timeout,
                                f"VisibilityTimeout must be an integer between 0 and {delivery.MAX_VISIBILITY_TIMEOUT}")
    message = queue.message_for_handle(handle)
    if message is None:
        raise invalid_parameter("ReceiptHandle", handle, "Message does not exist or is not available for "
                                "visibility timeout change")
    if not message.in_flight(now):
        raise errors.MessageNotInflight("Message does not exist or is not available for visibility timeout change.")
    message.visible_at = now + timeout


def _batch(request: dict[str, Any], entry_kind: str, act: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    entries = request.get("Entries") or []
    checks.check_batch(entries, entry_kind)
    successful, failed = [], []
    for entry in entries:
        try:
            act(entry)
        except ServiceError as error:
            failed.append(_failure(entry["Id"], error))
        else:
            successful.append({"Id": entry["Id"]})
    return {"Successful": successful, "Failed": failed}


def _failure(entry_id: str, error: ServiceError) -> dict[str, Any]:
    return {"Id": entry_id, "SenderFault": error.sender_fault, "Code": error.query_code or error.code,
            "Message": error.message}
