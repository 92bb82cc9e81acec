"""What IAM's handlers share: look-ups that raise IAM's errors, Marker paging, policy document
checks, tags, and the output shapes of entities."""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from hoarfrost.core.kit import tags as tagging
from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.kit.policies import Policy, PolicyError, PolicyKind, parse_policy
from hoarfrost.core.operations import RequestContext
from hoarfrost.services.iam.errors import errors, invalid_input, no_such_entity
from hoarfrost.services.iam.managed import aws_policy
from hoarfrost.services.iam.state import (
    EntityKind,
    Group,
    IamBackend,
    InstanceProfile,
    ManagedPolicy,
    Role,
    User,
    folded,
)

if TYPE_CHECKING:
    from hoarfrost.services.iam.service import IamService  # noqa: F401  (named in IamContext)

IamContext = RequestContext[IamBackend, "IamService"]
T = TypeVar("T")

DEFAULT_MAX_ITEMS = 100


def now(ctx: IamContext) -> dt.datetime:
    """IAM's timestamps have whole seconds."""
    return ctx.clock.now().replace(microsecond=0)


# -- look-ups ---------------------------------------------------------------------------------------
def user(ctx: IamContext, name: str) -> User:
    found = ctx.state.users.get(folded(name))
    if found is None:
        raise no_such_entity("user", name)
    return found


def caller_user(ctx: IamContext, name: str | None) -> User | None:
    """The user ``name`` names, else the caller when it is an IAM user (None for the root),
    as operations whose UserName defaults to the caller's do."""
    if name is not None:
        return user(ctx, name)
    arn = try_parse_arn(ctx.emulator.accounts.identity_for(ctx.access_key, ctx.region).arn)
    if arn is None or arn.service != "iam" or arn.resource_type != "user" or arn.account != ctx.scope.account:
        return None
    return user(ctx, arn.resource_id.rsplit("/", 1)[-1])


def request_user(ctx: IamContext, request: dict[str, Any]) -> User:
    """The user an operation whose UserName defaults to the caller works on; hoarfrost keeps
    no IAM resources for an account's root, so the root must name a user."""
    found = caller_user(ctx, request.get("UserName"))
    if found is None:
        raise invalid_input("The account root has no such IAM resources in hoarfrost: name a user with UserName")
    return found


def group(ctx: IamContext, name: str) -> Group:
    found = ctx.state.groups.get(folded(name))
    if found is None:
        raise no_such_entity("group", name)
    return found


def role(ctx: IamContext, name: str) -> Role:
    found = ctx.state.roles.get(folded(name))
    if found is None:
        raise no_such_entity("role", name)
    return found


def entity(ctx: IamContext, kind: EntityKind, name: str) -> User | Group | Role:
    return user(ctx, name) if kind == "user" else group(ctx, name) if kind == "group" else role(ctx, name)


def instance_profile(ctx: IamContext, name: str) -> InstanceProfile:
    found = ctx.state.instance_profiles.get(folded(name))
    if found is None:
        raise errors.NoSuchEntityException(f"Instance Profile {name} cannot be found.")
    return found


def customer_policy(ctx: IamContext, arn: str) -> ManagedPolicy:
    found = ctx.state.policies.get(arn)
    if found is None:
        raise errors.NoSuchEntityException(f"Policy {arn} was not found.")
    return found


# -- paging -----------------------------------------------------------------------------------------
def _bad_marker() -> Exception:
    return errors.InvalidInputException("Invalid Marker.")


def page(ctx: IamContext, request: dict[str, Any], items: Iterable[T], key: Callable[[T], Any],
         member: str) -> dict[str, Any]:
    """``{member: [...], IsTruncated, Marker}`` for one page of ``items`` (sorted here by
    ``key``), as IAM's Marker / MaxItems listings answer."""
    ordered = sorted(items, key=key)
    found = paginate(ordered, request.get("Marker"), request.get("MaxItems") or DEFAULT_MAX_ITEMS,
                     kind=f"iam:{ctx.operation}", error=_bad_marker, key=key)
    output: dict[str, Any] = {member: found.items, "IsTruncated": found.next_token is not None}
    if found.next_token is not None:
        output["Marker"] = found.next_token
    return output


def rendered(output: dict[str, Any], member: str, render: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """``output`` with the records of ``member`` rendered to their output shapes."""
    output[member] = [render(item) for item in output[member]]
    return output


def under(path: str, prefix: str | None) -> bool:
    """PathPrefix filtering: ``/`` (or none) lists everything."""
    return not prefix or path.startswith(prefix)


# -- policy documents -----------------------------------------------------------------------------
_WHITESPACE = re.compile(r"\s+")


def check_document(document: str, kind: PolicyKind = PolicyKind.IDENTITY, *, limit: int | None = None,
                   too_big: Callable[[int], Exception] | None = None) -> Policy:
    """Parse and validate a policy document as IAM does: ``MalformedPolicyDocument`` with the
    kit's AWS wording, and the size quota counted without whitespace."""
    if limit is not None and len(_WHITESPACE.sub("", document)) > limit:
        raise (too_big(limit) if too_big is not None
               else errors.LimitExceededException(f"Cannot exceed quota for PolicySize: {limit}"))
    try:
        return parse_policy(document, kind)
    except PolicyError as exc:
        raise errors.MalformedPolicyDocumentException(exc.message) from None


def encoded(document: str) -> str:
    """Policy documents travel URL-encoded in IAM's answers (botocore decodes them)."""
    return urllib.parse.quote(document, safe="")


# -- tags --------------------------------------------------------------------------------------------
def _too_many(limit: int) -> Exception:
    return errors.LimitExceededException("The number of tags has reached the maximum limit.")


def _bad_key(key: str) -> Exception:
    return invalid_input(f"The specified value for tagKey is invalid. It must be between 1 and 128 characters: "
                         f"{key}")


def _bad_value(key: str, value: str) -> Exception:
    return invalid_input(f"The specified value for tagValue is invalid. It must be at most 256 characters: {value}")


def _reserved(key: str) -> Exception:
    return invalid_input(f"The specified tag key {key} uses the reserved prefix aws:.")


def _duplicate(key: str) -> Exception:
    return invalid_input("Duplicate tag keys found. Please note that Tag keys are case insensitive.")


TAG_RULES = tagging.TagRules(too_many=_too_many, bad_key=_bad_key, bad_value=_bad_value, reserved=_reserved,
                             duplicate=_duplicate)


def request_tags(request: dict[str, Any]) -> dict[str, str]:
    """The Tags member of a Create* request, checked."""
    tags = tagging.from_list(request.get("Tags"), TAG_RULES)
    if len({key.lower() for key in tags}) != len(tags):
        raise _duplicate("")
    return tagging.check(tags, TAG_RULES)


def add_tags(current: dict[str, str], request: dict[str, Any]) -> None:
    """Tag*: IAM tag keys are case-insensitive, so a key given in another case replaces the old one."""
    new = request_tags(request)
    lowered = {key.lower(): key for key in current}
    merged = dict(current)
    for key in new:
        old = lowered.get(key.lower())
        if old is not None and old != key:
            del merged[old]
    tagging.tag(merged, new, TAG_RULES)
    current.clear()
    current.update(merged)


def remove_tags(current: dict[str, str], keys: Sequence[str]) -> None:
    lowered = {key.lower() for key in keys}
    for key in [key for key in current if key.lower() in lowered]:
        del current[key]


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return tagging.to_list(tags)


def tags_page(ctx: IamContext, request: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    return page(ctx, request, tagging.to_list(tags), lambda tag: tag["Key"], "Tags")


# -- output shapes -----------------------------------------------------------------------------------
def boundary(arn: str | None) -> dict[str, Any]:
    return ({"PermissionsBoundary": {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                     "PermissionsBoundaryArn": arn}} if arn else {})


def with_tags(output: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    if tags:
        output["Tags"] = tag_list(tags)
    return output


def user_output(item: User, *, full: bool = False) -> dict[str, Any]:
    output: dict[str, Any] = {"Path": item.path, "UserName": item.user_name, "UserId": item.user_id,
                              "Arn": item.arn, "CreateDate": item.create_date}
    if item.password_last_used is not None:
        output["PasswordLastUsed"] = item.password_last_used
    if full:
        output.update(boundary(item.permissions_boundary))
        with_tags(output, item.tags)
    return output


def group_output(item: Group) -> dict[str, Any]:
    return {"Path": item.path, "GroupName": item.group_name, "GroupId": item.group_id, "Arn": item.arn,
            "CreateDate": item.create_date}


def role_output(item: Role, *, full: bool = False) -> dict[str, Any]:
    output: dict[str, Any] = {
        "Path": item.path, "RoleName": item.role_name, "RoleId": item.role_id, "Arn": item.arn,
        "CreateDate": item.create_date, "AssumeRolePolicyDocument": encoded(item.assume_role_policy_document),
        "MaxSessionDuration": item.max_session_duration,
    }
    if item.description is not None:
        output["Description"] = item.description
    if full:
        output.update(boundary(item.permissions_boundary))
        with_tags(output, item.tags)
        last_used: dict[str, Any] = {}
        if item.last_used_date is not None:
            last_used = {"LastUsedDate": item.last_used_date, "Region": item.last_used_region}
        output["RoleLastUsed"] = last_used
    return output


def instance_profile_output(ctx: IamContext, item: InstanceProfile) -> dict[str, Any]:
    roles = [ctx.state.roles[folded(name)] for name in item.roles if folded(name) in ctx.state.roles]
    return with_tags({"Path": item.path, "InstanceProfileName": item.instance_profile_name,
                      "InstanceProfileId": item.instance_profile_id, "Arn": item.arn,
                      "CreateDate": item.create_date, "Roles": [role_output(r) for r in roles]}, item.tags)


# -- managed policies by ARN ----------------------------------------------------------------------
def policy_exists(ctx: IamContext, arn: str) -> bool:
    """A customer policy of this account or an AWS managed policy (of this partition)."""
    if arn in ctx.state.policies:
        return True
    found = aws_policy(arn)
    return found is not None and found.arn(ctx.state.partition) == arn


def attachable(ctx: IamContext, arn: str) -> str:
    if not policy_exists(ctx, arn):
        raise errors.NoSuchEntityException(f"Policy {arn} does not exist or is not attachable.")
    return arn


def boundary_policy(ctx: IamContext, arn: str | None) -> str | None:
    """A PermissionsBoundary member: a managed policy that exists."""
    if arn is not None and not policy_exists(ctx, arn):
        raise errors.NoSuchEntityException(f"Scope ARN: {arn} does not exist or is not attachable.")
    return arn


def policy_document(ctx: IamContext, arn: str) -> str | None:
    """The default version's document of a managed policy (customer or AWS), None if none."""
    policy = ctx.state.policies.get(arn)
    if policy is not None:
        return policy.default_document
    found = aws_policy(arn)
    return found.document if found is not None else None
