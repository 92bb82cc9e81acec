"""What every SQS handler shares: the operation registry and how a request names its queue."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, overload

from hoarfrost.core import catalog
from hoarfrost.core.kit.paging import Page, paginate
from hoarfrost.core.operations import F, Handler, RequestContext
from hoarfrost.services.sqs.errors import (
    errors,
    invalid_parameter,
    missing_parameter,
    queue_does_not_exist,
)
from hoarfrost.services.sqs.handlers import ops
from hoarfrost.services.sqs.state import Queue, SqsBackend
from hoarfrost.services.sqs.urls import parse_queue_url, queue_url

if TYPE_CHECKING:
    from hoarfrost.services.sqs.service import SqsService  # noqa: F401  (named in SqsContext)


# Handlers see SQS's own backend and service, so they need no casts.
SqsContext = RequestContext[SqsBackend, "SqsService"]

# What a listing without MaxResults answers: up to this many names and no NextToken.
MAX_LISTED = 1000


@functools.cache
def _required(operation: str) -> tuple[str, ...]:
    shape = catalog.operation_model("sqs", operation).input_shape
    return tuple(shape.required_members) if shape is not None else ()


def _queue_path(ctx: SqsContext) -> bool:
    parts = ctx.request.path.strip("/").split("/") if ctx.request is not None else []
    return len(parts) == 2 and parts[0].isdigit()


@overload
def operation(fn: F, *, mutates: bool | None = None, blocking: bool = False) -> F: ...


@overload
def operation(fn: None = None, *, mutates: bool | None = None, blocking: bool = False) -> Callable[[F], F]: ...


def operation(fn: F | None = None, *, mutates: bool | None = None, blocking: bool = False) -> F | Callable[[F], F]:
    """Register a handler, answering MissingParameter for an absent required member as SQS does.

    SQS turns off the pipeline's generic model validation: its model's enums are narrower than
    what SQS accepts (ReceiveMessage's deprecated AttributeNames takes message attribute names
    such as SentTimestamp) and SQS answers its own codes (InvalidAttributeName, ...)."""

    def register(func: F) -> F:
        @functools.wraps(func)
        def checked(ctx: SqsContext, request: dict[str, Any]) -> Any:
            elsewhere = False
            for member in _required(ctx.operation):
                if request.get(member) is None:
                    if member == "QueueUrl" and _queue_path(ctx):
                        # Query-era SDKs post to the queue's own URL instead of naming it.
                        request["QueueUrl"] = ctx.request.path
                        elsewhere = owner_of(ctx.request.path) != ctx.scope.account
                        continue
                    raise missing_parameter(member)
            if elsewhere:
                return _in_owner_scope(ctx, func, request)
            return func(ctx, request)

        ops.operation(checked, mutates=mutates, blocking=blocking)
        return func

    return register(fn) if fn is not None else register


def _in_owner_scope(ctx: SqsContext, func: Handler, request: dict[str, Any]) -> Any:
    """A query-era request posted to another account's queue path: the pipeline could not
    know the owner before the handler ran (``SqsService.scope_for`` reads QueueUrl), so this
    one request moves to the owner's scope itself."""
    owner = owner_of(request["QueueUrl"]) or ctx.account  # a path always names its account
    if ctx.service.backends.existing(owner, ctx.region) is None:
        raise queue_does_not_exist()
    with ctx.in_scope(owner, ctx.region) as scope:
        return func(dataclasses.replace(ctx, scope=scope), request)


def owner_of(url: str) -> str | None:
    """The account a QueueUrl names (None for a bare queue name: the caller's)."""
    return parse_queue_url(url)[0]


def backend(ctx: SqsContext) -> SqsBackend:
    return ctx.state


def resolve_queue(ctx: SqsContext, url: str) -> Queue:
    """The queue a QueueUrl names, in the scope the pipeline locked for it (the owner's;
    cross-account access is allowed: queue policies are not evaluated)."""
    account, name = parse_queue_url(url)
    if account is not None and account != ctx.scope.account:
        raise queue_does_not_exist()
    return backend(ctx).queue(name)


def url_of(ctx: SqsContext, queue: Queue) -> str:
    """The URL of a queue in the request's scope (its owner's)."""
    return queue_url(ctx, ctx.scope.account, queue.name)


def sender_id(ctx: SqsContext) -> str:
    """The SenderId system attribute: the calling principal's user id."""
    return ctx.emulator.accounts.identity_for(ctx.access_key).user_id


def name_page(names: Sequence[str], request: dict[str, Any], kind: str) -> Page[str]:
    """A page of sorted queue names as SQS pages them: MaxResults 1..1000 asks for a NextToken
    (positioned by the last name); without it SQS answers up to 1,000 names and no token."""
    max_results = request.get("MaxResults")
    if max_results is not None and not 1 <= max_results <= MAX_LISTED:
        raise invalid_parameter("MaxResults", max_results, "MaxResults must be an integer between 1 and 1000")
    page = paginate(names, request.get("NextToken"), max_results or MAX_LISTED, kind=kind, key=str,
                    error=lambda: errors.InvalidParameterValueException("Invalid NextToken value."))
    return page if max_results is not None else Page(page.items, None)
