"""Dead-letter queue redrive: StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask.

hoarfrost runs a move task to completion inside StartMessageMoveTask (every message that is
not in flight moves at once), so ListMessageMoveTasks then reports it COMPLETED (or FAILED)
and CancelMessageMoveTask, which only cancels RUNNING tasks, answers ResourceNotFoundException.
MaxNumberOfMessagesPerSecond is validated and reported but does not pace the move.
"""

from __future__ import annotations

from typing import Any

from hoarfrost.services.sqs import delivery
from hoarfrost.services.sqs.errors import (
    errors,
    invalid_parameter,
)
from hoarfrost.services.sqs.handlers.common import SqsContext, backend, operation
from hoarfrost.services.sqs.state import (
    MoveTask,
    Queue,
    SqsBackend,
    millis,
    new_id,
    parse_task_handle,
)

MAX_MESSAGES_PER_SECOND = 500
MAX_LISTED_TASKS = 10


def _source(state: SqsBackend, arn: str) -> Queue:
    queue = state.queue_by_arn(arn)
    if queue is None:
        raise errors.ResourceNotFoundException(
            "The resource that you specified for the SourceArn parameter doesn't exist.")
    return queue


@operation
def start_message_move_task(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    source = _source(state, request["SourceArn"])
    if not state.dead_letter_sources(source):
        raise errors.InvalidParameterValueException("Source queue must be configured as a Dead Letter Queue.")
    destination_arn = request.get("DestinationArn")
    destination = None
    if destination_arn:
        destination = state.queue_by_arn(destination_arn)
        if destination is None:
            raise errors.ResourceNotFoundException("The resource that you specified for the DestinationArn parameter "
                                                   "doesn't exist.")
    rate = request.get("MaxNumberOfMessagesPerSecond")
    if rate is not None and not 1 <= rate <= MAX_MESSAGES_PER_SECOND:
        raise invalid_parameter("MaxNumberOfMessagesPerSecond", rate,
                                f"Must be between 1 and {MAX_MESSAGES_PER_SECOND}")
    if any(task.source_arn == source.arn and task.status == "RUNNING" for task in state.move_tasks):
        raise errors.UnsupportedOperation("There is already a task running. Only one active task is allowed for a "
                                   "source queue arn at a given time.")
    now = ctx.clock.time()
    task = MoveTask(task_id=new_id(), source_arn=source.arn, destination_arn=destination_arn, max_per_second=rate,
                    status="RUNNING", started=now)
    state.move_tasks.append(task)
    _run(state, task, source, destination, now)
    ctx.wake()
    return {"TaskHandle": task.handle}


def _run(state: SqsBackend, task: MoveTask, source: Queue, destination: Queue | None, now: float) -> None:
    """Move every message not in flight back to its source queue (or to ``destination``)."""
    movable = [message for message in source.messages.values() if not message.in_flight(now)]
    task.to_move = len(movable)
    for message in movable:
        target = destination
        if target is None and message.dead_letter_source_arn:
            target = state.queue_by_arn(message.dead_letter_source_arn)
        if target is None:
            task.status = "FAILED"
            task.failure_reason = "AWS.SimpleQueueService.NonExistentQueue"
            return
        delivery.move(source, target, message, now)
        message.receive_count = 0
        message.first_receive = None
        message.dead_letter_source_arn = None
        task.moved += 1
    task.status = "COMPLETED"


@operation
def list_message_move_tasks(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    source = _source(state, request["SourceArn"])
    limit = request.get("MaxResults")
    if limit is None:
        limit = 1
    elif not 1 <= limit <= MAX_LISTED_TASKS:
        raise invalid_parameter("MaxResults", limit, f"Must be between 1 and {MAX_LISTED_TASKS}")
    tasks = [task for task in reversed(state.move_tasks) if task.source_arn == source.arn][:limit]
    return {"Results": [_describe(task) for task in tasks]}


def _describe(task: MoveTask) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Status": task.status,
        "SourceArn": task.source_arn,
        "ApproximateNumberOfMessagesMoved": task.moved,
        "ApproximateNumberOfMessagesToMove": task.to_move,
        "StartedTimestamp": millis(task.started),
    }
    if task.status == "RUNNING":
        entry["TaskHandle"] = task.handle
    if task.destination_arn:
        entry["DestinationArn"] = task.destination_arn
    if task.max_per_second is not None:
        entry["MaxNumberOfMessagesPerSecond"] = task.max_per_second
    if task.failure_reason:
        entry["FailureReason"] = task.failure_reason
    return entry


@operation
def cancel_message_move_task(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    parsed = parse_task_handle(request["TaskHandle"])
    if parsed is None:
        raise invalid_parameter("TaskHandle", request["TaskHandle"], "Task handle is not valid")
    task_id, _source_arn = parsed
    for task in backend(ctx).move_tasks:
        if task.task_id == task_id and task.status == "RUNNING":
            task.status = "CANCELLED"
            return {"ApproximateNumberOfMessagesMoved": task.moved}
    raise errors.ResourceNotFoundException("Task does not exist or is not running.")
