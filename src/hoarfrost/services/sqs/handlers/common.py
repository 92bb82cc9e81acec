"""What every SQS handler shares: the operation registry and how a request names its queue."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

from hoarfrost.core import catalog
from hoarfrost.core.operations import Handler, OperationRegistry, RequestContext
from hoarfrost.services.sqs.errors import errors, invalid_parameter, missing_parameter, queue_does_not_exist
from hoarfrost.services.sqs.state import Queue, SqsBackend
from hoarfrost.services.sqs.urls import parse_queue_url, queue_url

ops = OperationRegistry("sqs")


@functools.lru_cache(maxsize=None)
def _required(operation: str) -> tuple[str, ...]:
    shape = catalog.operation_model("sqs", operation).input_shape
    return tuple(shape.required_members) if shape is not None else ()


def _queue_path(ctx: RequestContext) -> bool:
    parts = ctx.request.path.strip("/").split("/") if ctx.request is not None else []
    return len(parts) == 2 and parts[0].isdigit()


def operation(fn: Handler | None = None, *, mutates: bool | None = None, blocking: bool = False) -> Any:
    """Register a handler, answering MissingParameter for an absent required member as SQS does.

    SQS turns off the pipeline's generic model validation: its model's enums are narrower than
    what SQS accepts (ReceiveMessage's deprecated AttributeNames takes message attribute names
    such as SentTimestamp) and SQS answers its own codes (InvalidAttributeName, ...)."""

    def register(func: Handler) -> Handler:
        @functools.wraps(func)
        def checked(ctx: RequestContext, request: dict[str, Any]) -> Any:
            for member in _required(ctx.operation):
                if request.get(member) is None:
                    if member == "QueueUrl" and _queue_path(ctx):
                        # Query-era SDKs post to the queue's own URL instead of naming it.
                        request["QueueUrl"] = ctx.request.path
                        continue
                    raise missing_parameter(member)
            url = request.get("QueueUrl")
            if url is not None:
                owner = parse_queue_url(url)[0]
                if owner != ctx.account:
                    return _in_owner_scope(ctx, owner, func, request)
            return func(ctx, request)

        ops.operation(checked, mutates=mutates, blocking=blocking)
        return func

    return register(fn) if fn is not None else register


def _in_owner_scope(ctx: RequestContext, owner: str, func: Handler, request: dict[str, Any]) -> Any:
    """Run a request naming another account's queue in that account's scope (cross-account
    access; queue policies are not evaluated); the owner's listeners are told."""
    if ctx.service.backends.existing(owner, ctx.region) is None:
        raise queue_does_not_exist()
    with ctx.in_scope(owner, ctx.region) as scope:
        return func(dataclasses.replace(ctx, account=owner, scope=scope), request)


def backend(ctx: RequestContext) -> SqsBackend:
    return ctx.state  # type: ignore[no-any-return]


def resolve_queue(ctx: RequestContext, url: str) -> Queue:
    """The queue a QueueUrl names, in the caller's account (QueueDoesNotExist otherwise)."""
    account, name = parse_queue_url(url)
    if account != ctx.account:
        raise queue_does_not_exist()
    return backend(ctx).queue(name)


def url_of(ctx: RequestContext, queue: Queue) -> str:
    return queue_url(ctx, queue.account, queue.name)


def sender_id(ctx: RequestContext) -> str:
    """The SenderId system attribute: the calling principal's user id."""
    return ctx.emulator.accounts.identity_for(ctx.access_key).user_id


def paginate(names: Sequence[str], max_results: int | None, next_token: str | None) -> tuple[list[str], str | None]:
    """A page of sorted names. Without MaxResults SQS answers up to 1,000 and no token."""
    start = 0
    if next_token:
        try:
            after = base64.urlsafe_b64decode(next_token.encode("ascii")).decode()
        except (ValueError, UnicodeError, binascii.Error):
            raise errors.InvalidParameterValue("Invalid NextToken value.") from None
        start = next((i for i, name in enumerate(names) if name > after), len(names))
    if max_results is None:
        return list(names[start:start + 1000]), None
    if not 1 <= max_results <= 1000:
        raise invalid_parameter("MaxResults", max_results, "MaxResults must be an integer between 1 and 1000")
    page = list(names[start:start + max_results])
    token = None
    if start + max_results < len(names):
        token = base64.urlsafe_b64encode(page[-1].encode()).decode("ascii")
    return page, token
