"""What every Parameter Store handler shares: finding a parameter (its own or a public one,
by name, ARN or ``name:selector``), and the shapes that describe one."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.operations import RequestContext
from hoarfrost.services.ssm import policies, public
from hoarfrost.services.ssm.errors import not_found, version_not_found
from hoarfrost.services.ssm.names import plain_name, split_selector
from hoarfrost.services.ssm.state import Parameter, ParameterVersion, SsmBackend

if TYPE_CHECKING:
    from hoarfrost.services.ssm.service import SsmService  # noqa: F401

SsmContext = RequestContext[SsmBackend, "SsmService"]

DEFAULT_KEY = "alias/aws/ssm"


def backend(ctx: SsmContext) -> SsmBackend:
    """The scope's backend with expired parameters deleted."""
    state = ctx.state
    state.purge(ctx.clock.time())
    return state


def find(ctx: SsmContext, name: str) -> Parameter:
    parameter = backend(ctx).parameters.get(plain_name(name))
    if parameter is None:
        raise not_found(name)
    return parameter


def sealed(version: ParameterVersion) -> str:
    """A SecureString's value as read without decryption. Until hoarfrost's KMS is wired in,
    this is an opaque base64 envelope of the value, not a KMS ciphertext."""
    key = version.key_id or DEFAULT_KEY
    return base64.b64encode(f"hoarfrost:{key}:".encode() + version.value.encode()).decode("ascii")


def shown(version: ParameterVersion, decrypt: bool) -> str:
    return sealed(version) if version.type == "SecureString" and not decrypt else version.value


def select(parameter: Parameter, selector: str | None, asked: str) -> ParameterVersion:
    """The version a ``:3`` / ``:label`` selector names (the latest without one)."""
    if selector is None:
        return parameter.latest
    if selector.isdigit():
        version = parameter.versions.get(int(selector))
    else:
        version = parameter.with_label(selector)
    if version is None:
        raise version_not_found(parameter.name, selector)
    return version


def parameter_answer(ctx: SsmContext, parameter: Parameter, version: ParameterVersion, decrypt: bool,
                     selector: str | None = None) -> dict[str, Any]:
    """A Parameter as GetParameter(s) and GetParametersByPath answer it."""
    out: dict[str, Any] = {"Name": parameter.name, "Type": version.type, "Value": shown(version, decrypt),
                           "Version": version.version}
    if selector is not None:
        out["Selector"] = ":" + selector
    out.update({"LastModifiedDate": version.modified, "ARN": ctx.state.arn_of(parameter.name),
                "DataType": version.data_type})
    return out


def public_answer(ctx: SsmContext, item: public.PublicParameter) -> dict[str, Any]:
    return {"Name": item.name, "Type": "String", "Value": item.value, "Version": 1,
            "LastModifiedDate": public.MODIFIED,
            "ARN": build_arn("ssm", ctx.scope.region, "", "parameter" + item.name), "DataType": item.data_type}


def lookup(ctx: SsmContext, text: str, decrypt: bool) -> dict[str, Any]:
    """GetParameter's answer for ``text`` (a name, an ARN, either with a selector)."""
    name, selector = split_selector(text)
    if name.startswith(public.PREFIX):
        item = public.parameters(ctx.scope.region).get(name)
        if item is None:
            raise not_found(name)
        if selector not in (None, "1"):
            raise version_not_found(name, selector or "")
        return public_answer(ctx, item)
    parameter = find(ctx, name)
    return parameter_answer(ctx, parameter, select(parameter, selector, text), decrypt, selector)


def metadata(ctx: SsmContext, parameter: Parameter) -> dict[str, Any]:
    """ParameterMetadata (DescribeParameters): the latest version, no value."""
    version = parameter.latest
    out: dict[str, Any] = {"Name": parameter.name, "ARN": ctx.state.arn_of(parameter.name), "Type": version.type}
    if version.type == "SecureString":
        out["KeyId"] = version.key_id or DEFAULT_KEY
    out.update({"LastModifiedDate": version.modified, "LastModifiedUser": version.modified_user})
    if version.description is not None:
        out["Description"] = version.description
    if version.allowed_pattern is not None:
        out["AllowedPattern"] = version.allowed_pattern
    out.update({"Version": version.version, "Tier": version.tier, "Policies": policies.wire(version.policies),
                "DataType": version.data_type})
    return out


def history_entry(parameter: Parameter, version: ParameterVersion, decrypt: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": parameter.name, "Type": version.type}
    if version.type == "SecureString":
        out["KeyId"] = version.key_id or DEFAULT_KEY
    out.update({"LastModifiedDate": version.modified, "LastModifiedUser": version.modified_user})
    if version.description is not None:
        out["Description"] = version.description
    out["Value"] = shown(version, decrypt)
    if version.allowed_pattern is not None:
        out["AllowedPattern"] = version.allowed_pattern
    out.update({"Version": version.version, "Labels": list(version.labels), "Tier": version.tier,
                "Policies": policies.wire(version.policies), "DataType": version.data_type})
    return out
