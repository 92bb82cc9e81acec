"""What SNS's handlers share: the registry, reaching a topic (possibly another account's),
SNS's tag rules and page size, and the base URL envelopes point back at."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from hoarfrost.core.backend import Scope
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.arn import Arn, try_parse_arn
from hoarfrost.core.kit.policies import (
    Decision,
    PolicyError,
    caller_request,
    parse_policy,
)
from hoarfrost.core.kit.tags import TagRules
from hoarfrost.core.operations import RequestContext
from hoarfrost.services.sns.errors import errors, invalid
from hoarfrost.services.sns.state import SnsBackend, Topic

if TYPE_CHECKING:
    from hoarfrost.services.sns.delivery import Deliverer
    from hoarfrost.services.sns.service import SnsService  # noqa: F401  (named in SnsContext)


# Handlers see SNS's own backend and service, so they need no casts.
SnsContext = RequestContext[SnsBackend, "SnsService"]

PAGE_SIZE = 100
_PHONE = re.compile(r"^\+?[1-9]\d{1,14}$")


def deliverer(ctx: SnsContext) -> Deliverer:
    return ctx.service.deliverer


def base_url(ctx: SnsContext) -> str:
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
def arn_error(member: str, text: str) -> ServiceError:
    """SNS's InvalidParameter for a malformed ARN: with the element count when it has too few
    (``TopicArn Reason: An ARN must have at least 6 elements, not 1``), else the member alone."""
    count = len(text.split(":"))
    if count < 6:
        return invalid(f"{member} Reason: An ARN must have at least 6 elements, not {count}")
    return invalid(member)


def parse_topic_arn(ctx: SnsContext, text: str, member: str = "TopicArn", any_region: bool = False) -> Arn:
    arn = try_parse_arn(text)
    if arn is None or arn.service != "sns" or not arn.resource or "/" in arn.resource:
        raise arn_error(member, text)
    if arn.region != ctx.region and not any_region:
        raise invalid(member)
    return arn


@contextmanager
def scope_of(ctx: SnsContext, arn: Arn) -> Iterator[tuple[SnsBackend, Scope[Any]]]:
    """The backend that owns ``arn`` with its lock held: the caller's, or another account's or
    region's (then that scope's listeners are the ones told of a change)."""
    with ctx.in_scope(arn.account, arn.region) as scope:
        yield scope.backend, scope


@contextmanager
def topic_access(ctx: SnsContext, topic_arn: str, action: str | None,
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
        if action is not None and not _allowed(ctx, topic, action):
            caller = ctx.emulator.accounts.identity_for(ctx.access_key, ctx.region).arn
            raise errors.AuthorizationErrorException(
                f"User: {caller} is not authorized to perform: SNS:{action} on resource: {topic_arn}"
            )
        yield backend, scope, topic


def _allowed(ctx: SnsContext, topic: Topic, action: str) -> bool:
    """The topic policy's answer for the caller, as AWS combines it with an identity policy
    that allows: the owner's principals unless a statement denies them, another account's
    only when a statement allows them.

    For a direct call hoarfrost puts the caller's account in ``aws:SourceAccount`` and
    ``AWS:SourceOwner`` (AWS sets them only when a service calls on a resource owner's behalf),
    so policies that name the accounts allowed to publish by those keys work for API calls."""
    cross_account = topic.owner != ctx.account
    try:
        policy = parse_policy(topic.access_policy)
    except PolicyError:  # a malformed policy restored from a view grants nothing
        return not cross_account
    if not cross_account and not policy.has_deny:
        return True
    accounts = {"aws:SourceAccount": ctx.account, "aws:SourceOwner": ctx.account}
    decision = policy.evaluate(caller_request(ctx, f"sns:{action}", topic.arn, accounts))
    return decision is Decision.ALLOW or (decision is Decision.IMPLICIT_DENY and not cross_account)


# -- tags --------------------------------------------------------------------------------------
TAG_RULES = TagRules(
    too_many=lambda limit: errors.TagLimitExceededException(
        "Could not complete request: tag quota of per resource exceeded"),
    bad_key=lambda key: invalid("Tags Reason: Tag keys must be between 1 and 128 characters"),
    bad_value=lambda key, value: invalid("Tags Reason: Tag values must be at most 256 characters"),
    reserved=lambda key: invalid(f"Tags Reason: Tag keys starting with 'aws:' are reserved: {key}"),
    duplicate=lambda key: invalid("Duplicated keys are not allowed."),
)


def token_error(member: str = "NextToken") -> Callable[[], ServiceError]:
    """The error factory SNS's listings give the kit's pager: ``Invalid parameter: NextToken``."""
    return lambda: invalid(member)
