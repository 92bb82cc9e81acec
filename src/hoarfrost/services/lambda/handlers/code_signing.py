"""Code signing configs: stored, attached to functions, and enforced as far as hoarfrost can:
it signs nothing, so code deployed to a function whose config says ``Enforce`` is refused."""

from __future__ import annotations

import random
from typing import Any

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.operations import Reply

from ..errors import errors, invalid
from ..state import CodeSigningConfig, Function, LambdaBackend
from . import ops
from .common import Ctx, last_modified, resolve


def config_arn(backend: LambdaBackend, config_id: str) -> str:
    return build_arn("lambda", backend.region, backend.account, f"code-signing-config:{config_id}")


def signing_config(ctx: Ctx, arn: str) -> CodeSigningConfig:
    config_id = arn.rsplit(":", 1)[-1]
    config = ctx.state.code_signing_configs.get(config_id)
    if config is None or arn not in (config_id, config_arn(ctx.state, config_id)):
        raise errors.ResourceNotFoundException(f"The code signing configuration cannot be found. Check that the "
                                               f"provided configuration is not deleted: {arn}.")
    return config


def _output(ctx: Ctx, config: CodeSigningConfig) -> dict[str, Any]:
    return {"CodeSigningConfigId": config.config_id, "CodeSigningConfigArn": config_arn(ctx.state, config.config_id),
            "Description": config.description,
            "AllowedPublishers": {"SigningProfileVersionArns": list(config.signing_profile_version_arns)},
            "CodeSigningPolicies": {"UntrustedArtifactOnDeployment": config.untrusted_artifact_on_deployment},
            "LastModified": config.last_modified}


def check_signed(ctx: Ctx, function: Function | None, config_arn_text: str | None = None) -> None:
    """Refuse unsigned code where the function's code signing policy enforces signatures."""
    config_id = (config_arn_text.rsplit(":", 1)[-1] if config_arn_text
                 else function.code_signing_config_id if function is not None else None)
    config = ctx.state.code_signing_configs.get(config_id) if config_id else None
    if config is not None and config.untrusted_artifact_on_deployment == "Enforce":
        raise errors.CodeVerificationFailedException(
            "Lambda cannot deploy the function. The function or layer might be signed using a signature that the "
            "client is not configured to accept. Check the provided signature for "
            f"{ctx.state.function_arn(function.name) if function else 'the function'}.")


@ops.operation
def create_code_signing_config(ctx: Ctx, request: dict[str, Any]) -> Reply:
    config = CodeSigningConfig(
        config_id=f"csc-{random.getrandbits(68):017x}", last_modified=last_modified(ctx),
        description=request.get("Description") or "",
        signing_profile_version_arns=list(request["AllowedPublishers"]["SigningProfileVersionArns"]),
        untrusted_artifact_on_deployment=(request.get("CodeSigningPolicies") or {}).get(
            "UntrustedArtifactOnDeployment") or "Warn",
    )
    ctx.state.code_signing_configs[config.config_id] = config
    return Reply({"CodeSigningConfig": _output(ctx, config)}, status=201)


@ops.operation
def get_code_signing_config(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    return {"CodeSigningConfig": _output(ctx, signing_config(ctx, request["CodeSigningConfigArn"]))}


@ops.operation
def update_code_signing_config(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    config = signing_config(ctx, request["CodeSigningConfigArn"])
    if "Description" in request:
        config.description = request["Description"]
    if "AllowedPublishers" in request:
        config.signing_profile_version_arns = list(request["AllowedPublishers"]["SigningProfileVersionArns"])
    if "CodeSigningPolicies" in request:
        config.untrusted_artifact_on_deployment = request["CodeSigningPolicies"].get(
            "UntrustedArtifactOnDeployment") or "Warn"
    config.last_modified = last_modified(ctx)
    return {"CodeSigningConfig": _output(ctx, config)}


@ops.operation
def delete_code_signing_config(ctx: Ctx, request: dict[str, Any]) -> Reply:
    config = signing_config(ctx, request["CodeSigningConfigArn"])
    users = [f.name for f in ctx.state.functions.values() if f.code_signing_config_id == config.config_id]
    if users:
        raise errors.ResourceConflictException(
            "The code signing configuration cannot be deleted because it is used by one or more functions.")
    del ctx.state.code_signing_configs[config.config_id]
    return Reply({}, status=204)


@ops.operation
def list_code_signing_configs(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    configs = [c for _, c in sorted(ctx.state.code_signing_configs.items())]
    page = paginate(configs, request.get("Marker"), request.get("MaxItems") or 50,
                    kind="lambda:ListCodeSigningConfigs", error=lambda: invalid("Invalid marker."))
    return {"CodeSigningConfigs": [_output(ctx, c) for c in page.items], **page.token_member("NextMarker")}


@ops.operation
def list_functions_by_code_signing_config(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    config = signing_config(ctx, request["CodeSigningConfigArn"])
    arns = [ctx.state.function_arn(name) for name in sorted(ctx.state.functions)
            if ctx.state.functions[name].code_signing_config_id == config.config_id]
    page = paginate(arns, request.get("Marker"), request.get("MaxItems") or 50,
                    kind="lambda:ListFunctionsByCodeSigningConfig", error=lambda: invalid("Invalid marker."))
    return {"FunctionArns": page.items, **page.token_member("NextMarker")}


@ops.operation
def put_function_code_signing_config(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, _ = resolve(ctx, request)
    config = signing_config(ctx, request["CodeSigningConfigArn"])
    function.code_signing_config_id = config.config_id
    return {"CodeSigningConfigArn": config_arn(ctx.state, config.config_id), "FunctionName": function.name}


@ops.operation
def get_function_code_signing_config(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, _ = resolve(ctx, request)
    arn = config_arn(ctx.state, function.code_signing_config_id) if function.code_signing_config_id else ""
    return {"CodeSigningConfigArn": arn, "FunctionName": function.name}


@ops.operation
def delete_function_code_signing_config(ctx: Ctx, request: dict[str, Any]) -> Reply:
    function, _ = resolve(ctx, request)
    function.code_signing_config_id = None
    return Reply({}, status=204)
