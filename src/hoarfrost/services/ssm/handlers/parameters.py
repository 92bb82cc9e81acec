"""Parameters: PutParameter (types, tiers and their size limits, AllowedPattern, data types,
versions, policies), GetParameter(s) with selectors, DeleteParameter(s)."""

from __future__ import annotations

import re
from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit import tags as tagkit
from hoarfrost.services.ssm import policies
from hoarfrost.services.ssm.errors import errors, not_found, validation
from hoarfrost.services.ssm.handlers import ops
from hoarfrost.services.ssm.handlers.common import SsmContext, backend, lookup
from hoarfrost.services.ssm.handlers.tags import TAG_RULES
from hoarfrost.services.ssm.names import check_name, plain_name
from hoarfrost.services.ssm.state import MAX_VERSIONS, Parameter, ParameterVersion

STANDARD_MAX, ADVANCED_MAX = 4096, 8192
DATA_TYPES = ("text", "aws:ec2:image", "aws:ssm:integration")
_AMI = re.compile(r"ami-([0-9a-f]{8}|[0-9a-f]{17})")
INTEGRATION_PATH = "/d9d01087-4a3f-49e0-b0b4-d568d7826553/ssm/integrations/webhook/"
TAGS_AND_OVERWRITE = ("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, "
                      "please remove overwrite flag. To update tags for an existing parameter, please use "
                      "AddTagsToResource or RemoveTagsFromResource.")
DOWNGRADE = ("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the "
             "advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced "
             "parameter and recreate it as a standard parameter.")


def _check_pattern(pattern: str | None, value: str) -> None:
    if pattern is None:
        return
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise errors.InvalidAllowedPatternException(f"Invalid AllowedPattern {pattern}: {exc}") from None
    if compiled.fullmatch(value) is None:
        raise errors.ParameterPatternMismatchException(
            f"Parameter value, cannot be validated against allowedPattern: {pattern}")


def _check_data_type(data_type: str, kind: str, value: str, name: str) -> None:
    if data_type not in DATA_TYPES:
        raise validation(f"The following data type is not supported: {data_type} (Data type names are all "
                         "lowercase.)")
    if data_type == "aws:ec2:image":
        if kind != "String":
            raise validation("The aws:ec2:image data type is only valid for parameters of type String.")
        if not _AMI.fullmatch(value):
            raise validation(f"Invalid value {value} for the aws:ec2:image data type: an image id looks like "
                             "ami-1234567890abcdef0.")
    if data_type == "aws:ssm:integration" and (kind != "SecureString" or not name.startswith(INTEGRATION_PATH)):
        raise validation(f"Parameters of the aws:ssm:integration data type must be SecureString parameters named "
                         f"under {INTEGRATION_PATH}.")


def _tier(requested: str | None, previous: str | None, value: str, has_policies: bool) -> str:
    """The tier the new version lands in, refusing what AWS refuses."""
    if requested == "Intelligent-Tiering":
        tier = "Advanced" if len(value) > STANDARD_MAX or has_policies or previous == "Advanced" else "Standard"
    else:
        tier = requested or previous or "Standard"
    if tier == "Standard" and previous == "Advanced":
        raise validation(DOWNGRADE)
    if tier == "Standard" and len(value) > STANDARD_MAX:
        raise validation("Standard tier parameters support a maximum parameter value of 4096 characters. To create a "
                         "larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more "
                         "information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/"
                         "parameter-store-advanced-parameters.html")
    if len(value) > ADVANCED_MAX:
        raise validation("Advanced tier parameters support a maximum parameter value of 8192 characters.")
    if tier == "Standard" and has_policies:
        raise validation("Parameter policies are supported only for the advanced-parameter tier. Upgrade the "
                         "parameter to use the advanced-parameter tier and try again.")
    return tier


@ops.operation
def put_parameter(ctx: SsmContext, request: dict[str, Any]) -> dict[str, Any]:
    name, value = plain_name(request["Name"]), request["Value"]
    check_name(name)
    state = backend(ctx)
    existing = state.parameters.get(name)
    overwrite = bool(request.get("Overwrite"))
    if existing is not None and not overwrite:
        raise errors.ParameterAlreadyExists("The parameter already exists. To overwrite this request value, set the "
                                            "overwrite option in the request to true.")
    if overwrite and request.get("Tags"):
        raise validation(TAGS_AND_OVERWRITE)
    previous = existing.latest if existing is not None else None
    kind = request.get("Type") or (previous.type if previous is not None else None)
    if kind is None:
        raise validation("A parameter type is required when you create a parameter.")
    key_id = request.get("KeyId")
    if key_id is not None and kind != "SecureString":
        raise validation("KeyId is required for SecureString type parameter only.")
    if kind == "SecureString" and key_id is None and previous is not None and previous.type == "SecureString":
        key_id = previous.key_id
    data_type = request.get("DataType") or (previous.data_type if previous is not None else "text")
    _check_data_type(data_type, kind, value, name)
    pattern = request.get("AllowedPattern", previous.allowed_pattern if previous is not None else None)
    _check_pattern(pattern, value)
    if request.get("Policies") is not None:
        texts = policies.parse(request["Policies"])
    else:
        texts = list(previous.policies) if previous is not None else []
    tier = _tier(request.get("Tier"), previous.tier if previous is not None else None, value, bool(texts))
    tags = tagkit.check(tagkit.from_list(request.get("Tags"), TAG_RULES), TAG_RULES) if request.get("Tags") else {}
    parameter = existing if existing is not None else Parameter(name=name, tags=tags)
    if len(parameter.versions) >= MAX_VERSIONS:
        oldest = next(iter(parameter.versions.values()))
        if oldest.labels:
            raise errors.ParameterMaxVersionLimitExceeded(
                f"You attempted to create a new version of {name} by calling the PutParameter API with the "
                f"overwrite flag. Version {oldest.version}, the oldest version, can't be deleted because it has a "
                "label associated with it. Move the label to another version of the parameter, and try again.")
        del parameter.versions[oldest.version]
    number = previous.version + 1 if previous is not None else 1
    description = request.get("Description", previous.description if previous is not None else None)
    identity = ctx.emulator.accounts.identity_for(ctx.access_key, ctx.region)
    parameter.versions[number] = ParameterVersion(
        version=number, value=value, type=kind, modified=ctx.clock.time(), modified_user=identity.arn,
        description=description, allowed_pattern=pattern, key_id=key_id, tier=tier, policies=texts,
        data_type=data_type)
    parameter.expires = policies.expiry(texts)
    state.add(parameter)
    return {"Version": number, "Tier": tier}


@ops.operation
def get_parameter(ctx: SsmContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"Parameter": lookup(ctx, request["Name"], bool(request.get("WithDecryption")))}


@ops.operation
def get_parameters(ctx: SsmContext, request: dict[str, Any]) -> dict[str, Any]:
    decrypt = bool(request.get("WithDecryption"))
    found: list[dict[str, Any]] = []
    invalid: list[str] = []
    for text in dict.fromkeys(request["Names"]):
        try:
            found.append(lookup(ctx, text, decrypt))
        except ServiceError as error:
            if error.code not in ("ParameterNotFound", "ParameterVersionNotFound"):
                raise
            invalid.append(text)
    return {"Parameters": found, "InvalidParameters": invalid}


@ops.operation
def delete_parameter(ctx: SsmContext, request: dict[str, Any]) -> dict[str, Any]:
    name = plain_name(request["Name"])
    if backend(ctx).remove(name) is None:
        raise not_found(name)
    return {}


@ops.operation
def delete_parameters(ctx: SsmContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    deleted: list[str] = []
    invalid: list[str] = []
    for text in dict.fromkeys(request["Names"]):
        (deleted if state.remove(plain_name(text)) is not None else invalid).append(text)
    return {"DeletedParameters": deleted, "InvalidParameters": invalid}
