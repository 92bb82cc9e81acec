"""What SNS's handlers share: the registry, reaching a topic (possibly another account's),
pagination tokens, tags, and the base URL envelopes point back at."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from hoarfrost.core.backend import Scope
from hoarfrost.core.operations import OperationRegistry, RequestContext
from hoarfrost.services.sns import access
from hoarfrost.services.sns.errors import errors, invalid
from hoarfrost.services.sns.state import Arn, SnsBackend, Topic, parse_arn

if TYPE_CHECKING:
    from hoarfrost.services.sns.delivery import Deliverer

ops = OperationRegistry("sns")

T = TypeVar("T")

PAGE_SIZE = 100
MAX_TAGS = 50
_PHONE = re.compile(r"^\+?[1-9]\d{1,14}$")


def deliverer(ctx: RequestContext) -> Deliverer:
    return ctx.service.deliverer  # type: ignore[attr-defined, no-any-return]


def base_url(ctx: RequestContext) -> str:
    """Where SubscribeURL / UnsubscribeURL / SigningCertURL point: the configured base URL,
    else the address the request reached (AWS's own host name when in-process)."""
    configured = ctx.emulator.settings.base_url
    if configured:
        return configured.rstrip("/")
    host = ctx.request.host or f"sns.{ctx.region}.amazonaws.com"
    scheme = "https" if host.endswith("amazonaws.com") or host.endswith(":443") else "http"
    return f"{scheme}://{host}"


def is_true(value: Any) -> bool:
    return str(value).lower() == "true"


def valid_phone(number: str) -> bool:
    return bool(_PHONE.match(number))


# -- reaching resources ----------------------------------------------------------------------
def parse_topic_arn(ctx: RequestContext, text: str, member: str = "TopicArn", any_region: bool = False) -> Arn:
    arn = parse_arn(text)
    if arn is None or arn.service != "sns" or not arn.resource or "/" in arn.resource:
        raise invalid(member)
    if arn.region != ctx.region and not any_region:
        raise invalid(member)
    return arn


@contextmanager
def scope_of(ctx: RequestContext, arn: Arn) -> Iterator[tuple[SnsBackend, Scope[Any]]]:
    """The backend that owns ``arn`` with its lock held: the caller's, or another account's or
    region's (then that scope's listeners are the ones told of a change)."""
    with ctx.in_scope(arn.account, arn.region) as scope:
        yield scope.backend, scope


@contextmanager
def topic_access(ctx: RequestContext, topic_arn: str, action: str | None,
                 member: str = "TopicArn") -> Iterator[tuple[SnsBackend, Scope[Any], Topic]]:
    """The topic named by ``topic_arn`` with its backend, after the policy check a call from
    another account gets (AuthorizationError as SNS words it).

    ``action`` None means no check and any region: the token of ConfirmSubscription is the
    authority (a SubscribeURL is an unsigned GET that may reach any regional endpoint)."""
    arn = parse_topic_arn(ctx, topic_arn, member, any_region=action is None)
    with scope_of(ctx, arn) as (backend, scope):
        topic = backend.topics.get(topic_arn)
        if topic is None:
            raise errors.NotFoundException("Topic does not exist")
        if action is not None and arn.account != ctx.account and not access.allows(topic.attributes.get("Policy"), ctx.account, action):
            caller = ctx.emulator.accounts.identity_for(ctx.access_key).arn
            raise errors.AuthorizationErrorException(
                f"User: {caller} is not authorized to perform: SNS:{action} on resource: {topic_arn}"
            )
        yield backend, scope, topic


# -- pagination ------------------------------------------------------------------------------
def paginate(items: Sequence[T], token: str | None, size: int = PAGE_SIZE,
             member: str = "NextToken") -> tuple[Sequence[T], str | None]:
    """One page and the token of the next (an opaque offset, as opaque as AWS's)."""
    start = 0
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode())
        except ValueError as exc:
            raise invalid(member) from exc
        if start < 0 or start > len(items):
            raise invalid(member)
    end = start + size
    next_token = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
    return items[start:end], next_token


# -- tags --------------------------------------------------------------------------------------
def tags_dict(tags: list[dict[str, str]] | None) -> dict[str, str]:
    result: dict[str, str] = {}
    for tag in tags or []:
        key = tag.get("Key", "")
        if not key or len(key) > 128:
            raise invalid("Tags Reason: Tag keys must be between 1 and 128 characters")
        value = tag.get("Value", "")
        if len(value) > 256:
            raise invalid("Tags Reason: Tag values must be at most 256 characters")
        result[key] = value
    return result


def tags_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def check_tag_limit(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise errors.TagLimitExceededException("Could not complete request: tag quota of per resource exceeded")
