"""Policy documents in the IAM policy language: parse and validate once, evaluate per request.

One implementation for every service that stores a policy: SNS topic and SQS queue policies,
S3 bucket policies, and later KMS key policies, Lambda permissions, IAM itself. A service
parses when a policy is set (``parse_policy`` caches by document text, so a request that needs
the policy again costs a dictionary look-up), maps ``PolicyError`` to its own error code, and
asks ``policy.evaluate(access_request(...))`` for a ``Decision``.

Evaluation is one policy's answer: an explicit Deny wins over any Allow, and no matching
Allow is an implicit deny. Combining it with identity policies, permission boundaries or
account-level rules is the caller's business (for a resource policy alone: the owner account
is allowed unless denied, another account needs ALLOW).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import build_arn, try_parse_arn
from hoarfrost.core.kit.policy_conditions import (
    VENDOR_MESSAGE,
    Condition,
    parse_conditions,
)
from hoarfrost.core.kit.policy_language import (
    SYNTAX_ERROR,
    Context,
    ContextValue,
    Pattern,
    PatternSet,
    PolicyError,
    Problem,
    normalise_context,
)

if TYPE_CHECKING:
    from hoarfrost.core.operations import RequestContext

__all__ = [
    "AccessRequest", "Decision", "Effect", "Policy", "PolicyError", "PolicyKind", "Principals", "Problem",
    "Requester", "Statement", "access_request", "caller_request", "parse_policy",
]

VERSIONS = ("2012-10-17", "2008-10-17")
# The version whose ``${...}`` are policy variables; in 2008-10-17 they are literal text.
VARIABLES_VERSION = "2012-10-17"
DEFAULT_VERSION = "2008-10-17"

_TOP_ELEMENTS = frozenset(("Version", "Id", "Statement"))
_STATEMENT_ELEMENTS = frozenset((
    "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition",
))
_PRINCIPAL_KINDS = ("AWS", "Service", "Federated", "CanonicalUser")
_ACCOUNT = re.compile(r"^\d{12}$")
_UNIQUE_ID = re.compile(r"^A[A-Z0-9]{15,127}$")  # AIDA.../AROA...: how AWS shows a deleted principal
_VENDOR = re.compile(r"^[A-Za-z0-9_-]+$")
_ALPHANUMERIC = re.compile(r"^[0-9A-Za-z]*$")


class PolicyKind(StrEnum):
    """Which elements a document must or must not have."""

    IDENTITY = "identity"  # attached to a user/role/group: no Principal, Resource required
    RESOURCE = "resource"  # on a topic, queue, bucket, key...: Principal and Resource required
    TRUST = "trust"  # a role's assume-role policy: Principal required, no Resource


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


class Decision(Enum):
    ALLOW = "allow"
    DENY = "deny"  # an explicit Deny statement matched
    IMPLICIT_DENY = "implicit_deny"  # nothing matched


# -- who is asking -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Requester:
    """The principal behind a request: an AWS identity (``account``, with its ``arn``: the
    account root's, a user's, a role session's), or a service principal, a federated one, an S3
    canonical user; none of these is an anonymous request."""

    account: str | None = None
    arn: str | None = None
    service: str | None = None
    federated: str | None = None
    canonical_user: str | None = None

    @property
    def is_aws(self) -> bool:
        """An AWS identity or anonymous: what ``{"AWS": "*"}`` covers (service principals not)."""
        return self.service is None and self.federated is None

    def role_session(self) -> tuple[str, str] | None:
        """(account, role name) when the caller is a session of a role (``assumed-role`` ARN)."""
        arn = try_parse_arn(self.arn or "")
        if arn is not None and arn.service == "sts" and arn.resource_type == "assumed-role":
            names = arn.resource_id.split("/")
            if len(names) >= 2:
                return arn.account, names[0]
        return None


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """What a policy is asked about: who, which action (``sqs:SendMessage``), on which
    resource ARN, and the condition context (built by ``access_request``)."""

    requester: Requester
    action: str
    resource: str
    context: Context


def access_request(requester: Requester, action: str, resource: str = "*",
                   context: Mapping[str, ContextValue] | None = None) -> AccessRequest:
    """An AccessRequest whose context also holds the keys the requester implies
    (``aws:PrincipalAccount``, ``aws:PrincipalArn``, ``aws:username``,
    ``aws:PrincipalServiceName``) unless ``context`` gives them."""
    implied: dict[str, ContextValue] = {}
    if requester.account is not None:
        implied["aws:PrincipalAccount"] = requester.account
        implied["aws:PrincipalArn"] = requester.arn or build_arn("iam", "", requester.account, "root", "aws")
        arn = try_parse_arn(requester.arn or "")
        if arn is not None and arn.service == "iam" and arn.resource_type == "user":
            implied["aws:username"] = arn.resource_id.rsplit("/", 1)[-1]
    if requester.service is not None:
        implied["aws:PrincipalServiceName"] = requester.service
    keys = normalise_context(implied)
    keys.update(normalise_context(context))
    return AccessRequest(requester, action, resource, keys)


def caller_request(ctx: RequestContext[Any, Any], action: str, resource: str,
                   context: Mapping[str, ContextValue] | None = None) -> AccessRequest:
    """The AccessRequest for the API call ``ctx`` is serving: the caller's identity (from its
    access key), the time (the emulator's clock) and region keys, and the service's own
    ``context`` keys."""
    identity = ctx.emulator.accounts.identity_for(ctx.access_key, ctx.region)
    now = ctx.clock.now()
    keys: dict[str, ContextValue] = {
        "aws:CurrentTime": now, "aws:EpochTime": int(now.timestamp()), "aws:RequestedRegion": ctx.region,
        "aws:userid": identity.user_id,
    }
    keys.update(context or {})
    return access_request(Requester(account=identity.account, arn=identity.arn), action, resource, keys)


# -- the document ------------------------------------------------------------------------------
def _aws_principal_matches(value: str, requester: Requester) -> bool:
    if value == "*":
        return requester.is_aws
    account = requester.account
    if account is None or not requester.is_aws:
        return False
    if value == account or value == requester.arn:
        return True
    arn = try_parse_arn(value)
    if arn is None or arn.service != "iam" or arn.account != account:
        return False
    if arn.resource == "root":
        return True  # the account's root ARN means every principal of the account
    session = requester.role_session()
    return session is not None and arn.resource_type == "role" and arn.resource_id.rsplit("/", 1)[-1] == session[1]


def _names_requester(value: str, requester: Requester) -> bool:
    """Whether the AWS principal ``value`` names ``requester`` itself (everyone, its ARN, the
    role of its session), not merely its account (an account id or root ARN)."""
    if value == "*":
        return requester.is_aws
    if not requester.is_aws or requester.account is None or value == requester.account:
        return False
    if value == requester.arn:
        return True
    arn = try_parse_arn(value)
    if arn is None or arn.service != "iam" or arn.account != requester.account or arn.resource == "root":
        return False
    session = requester.role_session()
    return session is not None and arn.resource_type == "role" and arn.resource_id.rsplit("/", 1)[-1] == session[1]


@dataclass(frozen=True, slots=True)
class Principals:
    """A Principal or NotPrincipal element: everyone (``"*"``), or ids by kind."""

    everyone: bool = False
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()

    def matches(self, requester: Requester) -> bool:
        if self.everyone:
            return True
        if any(_aws_principal_matches(value, requester) for value in self.aws):
            return True
        if requester.service is not None and requester.service.lower() in (s.lower() for s in self.service):
            return True
        if requester.federated is not None and requester.federated in self.federated:
            return True
        return requester.canonical_user is not None and requester.canonical_user in self.canonical_user

    def names(self, requester: Requester) -> bool:
        """Whether this element grants to ``requester`` itself rather than to its account. A
        resource policy naming an account (its id or root ARN) delegates to that account's IAM
        policies, which must then allow too; naming the principal (or everyone) grants alone."""
        if self.everyone or any(_names_requester(value, requester) for value in self.aws):
            return True
        return self.matches(requester) and not requester.is_aws


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement. ``variables`` says whether ``${...}`` in its resources are policy variables
    (its policy's version is 2012-10-17). Matchers are compiled on construction."""

    effect: Effect
    sid: str | None = None
    principal: Principals | None = None
    not_principal: Principals | None = None
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    variables: bool = True
    _actions: PatternSet = field(init=False, repr=False, compare=False)
    _resources: PatternSet = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        actions = self.actions or self.not_actions
        resources = self.resources or self.not_resources
        object.__setattr__(self, "_actions", PatternSet(Pattern(a, ignore_case=True) for a in actions))
        object.__setattr__(self, "_resources", PatternSet(
            Pattern(r, variables=self.variables, arn=True) for r in resources))

    def concerns(self, action: str) -> bool:
        """Whether this statement's Action / NotAction can match ``action`` at all: a quick
        filter for callers that evaluate many requests of few actions (IAM enforcement keeps,
        per principal and action, only the statements that concern it). Actions hold no policy
        variables, so the answer does not depend on the request."""
        return self._actions.matches(action, {}) == bool(self.actions)

    def names(self, requester: Requester) -> bool:
        """For a statement that applies: whether it names the requester itself (see
        ``Principals.names``); a NotPrincipal statement covers whom it does not exclude."""
        if self.principal is not None:
            return self.principal.names(requester)
        return True

    def applies(self, request: AccessRequest) -> bool:
        """Whether this statement speaks about ``request`` (its effect is then the answer)."""
        requester = request.requester
        if self.principal is not None and not self.principal.matches(requester):
            return False
        if self.not_principal is not None and self.not_principal.matches(requester):
            return False
        if self._actions.matches(request.action, request.context) != bool(self.actions):
            return False
        resources = self.resources or self.not_resources  # none in a trust policy
        if resources and self._resources.matches(request.resource, request.context) != bool(self.resources):
            return False
        return all(condition.holds(request.context) for condition in self.conditions)


@dataclass(frozen=True, slots=True)
class Policy:
    statements: tuple[Statement, ...]
    version: str = DEFAULT_VERSION
    id: str | None = None
    kind: PolicyKind = PolicyKind.RESOURCE

    def evaluate(self, request: AccessRequest) -> Decision:
        allowed = False
        for statement in self.statements:
            if statement.applies(request):
                if statement.effect is Effect.DENY:
                    return Decision.DENY
                allowed = True
        return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY

    @property
    def has_deny(self) -> bool:
        """Whether any statement denies: without one, a caller allowed elsewhere needs no evaluation."""
        return any(statement.effect is Effect.DENY for statement in self.statements)

    def statement(self, sid: str) -> Statement | None:
        return next((statement for statement in self.statements if statement.sid == sid), None)


# -- parsing and validation ----------------------------------------------------------------
def parse_policy(document: str | bytes | Mapping[str, Any], kind: PolicyKind = PolicyKind.RESOURCE, *,
                 statements_required: bool = True) -> Policy:
    """Parse and validate a policy document (JSON text or its decoded dict).

    Text is parsed once per distinct (text, kind): the answer is cached, so a service may call
    this with its stored text on every request. ``statements_required=False`` accepts a
    document without a Statement element (SQS stores ``{"Version": ...}`` as given).
    Raises ``PolicyError``."""
    if isinstance(document, bytes):
        document = document.decode("utf-8", "replace")
    if isinstance(document, str):
        return _parse_text(document, kind, statements_required)
    return _parse_document(document, kind, statements_required)


@functools.lru_cache(maxsize=4096)
def _parse_text(text: str, kind: PolicyKind, statements_required: bool) -> Policy:
    try:
        document = json.loads(text)
    except ValueError:
        raise PolicyError(SYNTAX_ERROR, Problem.JSON) from None
    return _parse_document(document, kind, statements_required)


def _parse_document(document: Any, kind: PolicyKind, statements_required: bool) -> Policy:
    if not isinstance(document, Mapping):
        raise PolicyError(SYNTAX_ERROR, Problem.JSON)
    if any(key not in _TOP_ELEMENTS for key in document):
        raise PolicyError(SYNTAX_ERROR)
    version = document.get("Version", DEFAULT_VERSION)
    if version not in VERSIONS:
        raise PolicyError("The policy must contain a valid version string", Problem.VERSION)
    policy_id = document.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise PolicyError(SYNTAX_ERROR)
    raw = document.get("Statement")
    if raw is None:
        if statements_required:
            raise PolicyError("Missing required field Statement", Problem.MISSING, "Statement")
        raw = []
    items = raw if isinstance(raw, list) else [raw]
    statements = tuple(_statement(item, kind, version == VARIABLES_VERSION) for item in items)
    sids = [statement.sid for statement in statements if statement.sid]
    if len(sids) != len(set(sids)):
        raise PolicyError("Statement IDs (SID) in a single policy must be unique.", Problem.SID)
    return Policy(statements, version, policy_id, kind)


def _strings(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) for item in items):
        raise PolicyError(SYNTAX_ERROR)
    return tuple(items)


def _one_of(statement: Mapping[str, Any], name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(Name, NotName) values; giving both is a syntax error."""
    positive, negative = statement.get(name), statement.get(f"Not{name}")
    if positive is not None and negative is not None:
        raise PolicyError(SYNTAX_ERROR)
    return (_strings(positive) if positive is not None else (),
            _strings(negative) if negative is not None else ())


def _statement(raw: Any, kind: PolicyKind, variables: bool) -> Statement:
    if not isinstance(raw, Mapping) or any(key not in _STATEMENT_ELEMENTS for key in raw):
        raise PolicyError(SYNTAX_ERROR)
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(SYNTAX_ERROR)
    if kind is PolicyKind.IDENTITY and sid and not _ALPHANUMERIC.match(sid):
        raise PolicyError("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
                          "regular expression [0-9A-Za-z]*", Problem.SID)
    effect = _effect(raw)
    principal, not_principal = _principal_elements(raw, kind)
    actions, not_actions = _one_of(raw, "Action")
    if not actions and not not_actions:
        raise PolicyError("Policy statement must contain actions.", Problem.MISSING, "Action")
    for action in actions + not_actions:
        _check_action(action)
    resources, not_resources = _one_of(raw, "Resource")
    if kind is PolicyKind.TRUST and (resources or not_resources):
        raise PolicyError("Has prohibited field Resource.", Problem.RESOURCE)
    if kind is not PolicyKind.TRUST and not resources and not not_resources:
        raise PolicyError("Policy statement must contain resources.", Problem.MISSING, "Resource")
    for resource in resources + not_resources:
        if resource != "*" and not (resource.startswith("arn:") and resource.count(":") >= 5):
            raise PolicyError(f'Resource {resource} must be in ARN format or "*".', Problem.RESOURCE)
    conditions = parse_conditions(raw["Condition"], variables) if "Condition" in raw else ()
    return Statement(effect, sid, principal, not_principal, actions, not_actions, resources, not_resources,
                     conditions, variables)


def _effect(raw: Mapping[str, Any]) -> Effect:
    value = raw.get("Effect")
    if value is None:
        raise PolicyError("Missing required field Effect", Problem.MISSING, "Effect")
    if value not in (Effect.ALLOW.value, Effect.DENY.value):
        raise PolicyError(f"Invalid effect: {value}", Problem.EFFECT)
    return Effect(value)


def _check_action(action: str) -> None:
    if action == "*":
        return
    vendor, colon, name = action.partition(":")
    if not colon or not name:
        raise PolicyError(VENDOR_MESSAGE, Problem.ACTION)
    if not _VENDOR.match(vendor):
        raise PolicyError(f"Vendor {vendor} is not valid", Problem.ACTION)


def _principal_elements(raw: Mapping[str, Any], kind: PolicyKind) -> tuple[Principals | None, Principals | None]:
    given = [name for name in ("Principal", "NotPrincipal") if name in raw]
    if kind is PolicyKind.IDENTITY:
        if given:
            raise PolicyError("Policy document should not specify a principal.", Problem.PRINCIPAL)
        return None, None
    if not given:
        raise PolicyError("Missing required field Principal", Problem.MISSING, "Principal")
    if len(given) > 1:
        raise PolicyError(SYNTAX_ERROR)
    principals = _principals(raw[given[0]])
    return (principals, None) if given[0] == "Principal" else (None, principals)


def _invalid_principal(kind: str, value: Any) -> PolicyError:
    return PolicyError(f'Invalid principal in policy: "{kind}":{json.dumps(value)}', Problem.PRINCIPAL)


def _principals(value: Any) -> Principals:
    """``"*"``, a bare AWS id (read as ``{"AWS": id}``), or ``{"AWS"|"Service"|...: id or ids}``."""
    if value == "*":
        return Principals(everyone=True)
    if isinstance(value, str):
        value = {"AWS": value}
    if not isinstance(value, Mapping) or not value:
        raise PolicyError(SYNTAX_ERROR, Problem.PRINCIPAL)
    ids: dict[str, tuple[str, ...]] = {}
    for kind, raw in value.items():
        if kind not in _PRINCIPAL_KINDS:
            raise _invalid_principal(kind, raw)
        values = _strings(raw)
        for item in values:
            if not item or (kind == "AWS" and not _valid_aws_principal(item)):
                raise _invalid_principal(kind, item)
        ids[kind] = values
    return Principals(aws=ids.get("AWS", ()), service=ids.get("Service", ()),
                      federated=ids.get("Federated", ()), canonical_user=ids.get("CanonicalUser", ()))


def _valid_aws_principal(value: str) -> bool:
    if value == "*" or _ACCOUNT.match(value) or _UNIQUE_ID.match(value):
        return True
    arn = try_parse_arn(value)
    return arn is not None and arn.service in ("iam", "sts")
