"""What Lambda's handlers share: resolving a function from the many spellings of
``FunctionName``, settling states, checking code and environment, and the
``FunctionConfiguration`` shape every function operation answers with."""

from __future__ import annotations

import base64
import hashlib
import io
import random
import zipfile
from typing import Any

from hoarfrost.core.errors import ValidationException
from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.tags import TagRules
from hoarfrost.core.operations import RequestContext

from ..errors import errors, function_not_found, invalid
from ..state import LATEST, Function, FunctionConfig, LambdaBackend

Ctx = RequestContext[LambdaBackend, Any]

TAG_RULES = TagRules(
    too_many=lambda limit: invalid(f"Number of tags exceeds resource tag limit of {limit}."),
    bad_key=lambda key: invalid(f"Tag key {key!r} must be between 1 and 128 characters long."),
    bad_value=lambda key, value: invalid(f"Tag value for key {key!r} must be at most 256 characters long."),
    reserved=lambda key: invalid(f"Tag keys starting with 'aws:' are reserved: {key}"),
)

RESERVED_ENVIRONMENT = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
})
ENVIRONMENT_LIMIT = 4096
DEPRECATED_RUNTIMES = frozenset({
    "python2.7", "python3.6", "python3.7", "python3.8", "nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10",
    "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "dotnetcore1.0", "dotnetcore2.0",
    "dotnetcore2.1", "dotnetcore3.1", "dotnet6", "go1.x", "ruby2.5", "ruby2.7", "java8", "provided",
})


def new_revision() -> str:
    text = f"{random.getrandbits(128):032x}"
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{text[16:20]}-{text[20:]}"


def last_modified(ctx: Ctx) -> str:
    """AWS's ``LastModified`` format: ``2024-01-31T12:00:00.000+0000``."""
    return ctx.clock.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def split_name(text: str) -> tuple[str, str | None, str | None, str | None]:
    """(name, qualifier, account, region) from a name, ``name:qualifier``, a partial ARN
    (``123456789012:function:name``) or a full ARN."""
    account = region = None
    if text.startswith("arn:"):
        arn = try_parse_arn(text)
        if arn is None or arn.service != "lambda" or not arn.resource.startswith("function:"):
            raise invalid(f"1 validation error detected: Value '{text}' at 'functionName' failed to satisfy "
                          "constraint: Member must satisfy regular expression pattern")
        account, region = arn.account, arn.region
        rest = arn.resource[len("function:"):]
    elif ":function:" in text:
        account, rest = text.split(":function:", 1)
    else:
        rest = text
    name, _, qualifier = rest.partition(":")
    return name, qualifier or None, account, region


def resolve(ctx: Ctx, request: dict[str, Any], member: str = "FunctionName") -> tuple[Function, str | None]:
    """The function a request names and the qualifier it names (from ``Qualifier`` or the
    name itself); ResourceNotFoundException with AWS's message when there is none. Pending
    states settle here: the next request after a create or update sees it Active."""
    name, qualifier, _, _ = split_name(request[member])
    given = request.get("Qualifier")
    if given is not None and qualifier is not None and given != qualifier:
        raise invalid("The derived qualifier from the function name does not match the specified qualifier.")
    qualifier = given if given is not None else qualifier
    function = ctx.state.functions.get(name)
    if function is None:
        raise function_not_found(ctx.state.function_arn(name, qualifier))
    settle(function)
    return function, qualifier


def settle(function: Function) -> None:
    for config in (function.latest, *function.versions.values()):
        if config.state == "Pending":
            config.state = "Active"
        if config.last_update_status == "InProgress":
            config.last_update_status = "Successful"


def config_for(ctx: Ctx, function: Function, qualifier: str | None) -> FunctionConfig:
    """The configuration a qualifier selects: ``$LATEST``, a version, or an alias's version."""
    if qualifier is None or qualifier == LATEST:
        return function.latest
    if qualifier in function.aliases:
        qualifier = function.aliases[qualifier].function_version
        if qualifier == LATEST:
            return function.latest
    config = function.versions.get(qualifier)
    if config is None:
        raise function_not_found(ctx.state.function_arn(function.name, qualifier))
    return config


def check_revision(request: dict[str, Any], current: str) -> None:
    given = request.get("RevisionId")
    if given is not None and given != current:
        raise errors.PreconditionFailedException(
            "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to "
            "retrieve the latest Revision Id")


def check_limits(request: dict[str, Any]) -> None:
    """Limits of on-demand functions tighter than the model's (which also covers other kinds)."""
    for member, field_name, limit in (("Timeout", "timeout", 900), ("MemorySize", "memorySize", 10240)):
        value = request.get(member)
        if value is not None and value > limit:
            raise ValidationException(f"1 validation error detected: Value '{value}' at '{field_name}' failed to "
                                      f"satisfy constraint: Member must have value less than or equal to {limit}")


def check_runtime(runtime: str | None) -> None:
    if runtime in DEPRECATED_RUNTIMES:
        raise invalid(f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS "
                      "Lambda functions. We recommend you use a supported runtime while creating or updating "
                      "functions.")


def check_environment(environment: dict[str, Any] | None) -> dict[str, str]:
    variables = dict((environment or {}).get("Variables") or {})
    reserved = sorted(key for key in variables if key in RESERVED_ENVIRONMENT)
    if reserved:
        raise invalid("Lambda was unable to configure your environment variables because the environment "
                      "variables you have provided contains reserved keys that are currently not supported for "
                      f"modification. Reserved keys used in this request: {', '.join(reserved)}")
    measured = "{" + ",".join(f"{k}={v}" for k, v in variables.items()) + "}"
    if len(measured.encode("utf-8")) > ENVIRONMENT_LIMIT:
        raise invalid("Lambda was unable to configure your environment variables because the environment "
                      "variables you have provided exceeded the 4KB limit. String measured: " + measured)
    return variables


def code_package(ctx: Ctx, code: dict[str, Any]) -> tuple[str, bytes]:
    """The zip a ``Code`` structure (or UpdateFunctionCode's members) gives, checked to be a zip,
    and its SHA-256 (base64); ``LambdaBackend.add_package`` stores it."""
    if code.get("ImageUri"):
        raise invalid(f"Source image {code['ImageUri']} does not exist. Provide a valid source image.")
    data = code.get("ZipFile")
    if data is None and code.get("S3Bucket"):
        data = read_s3_object(ctx, code["S3Bucket"], code.get("S3Key") or "", code.get("S3ObjectVersion"))
    if data is None:
        raise invalid("Please provide a source for function code.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if archive.testzip() is not None:
                raise zipfile.BadZipFile("corrupt member")
    except (zipfile.BadZipFile, ValueError):
        raise invalid("Could not unzip uploaded file. Please check your file, then try to upload again.") from None
    sha = base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")
    return sha, bytes(data)


def read_s3_object(ctx: Ctx, bucket: str, key: str, version: str | None) -> bytes:
    """The object from hoarfrost's S3, through the emulator's read port (no service imports another)."""
    data = ctx.emulator.read_object(f"arn:aws:s3:::{bucket}/{key}", version)
    if data is None:
        raise invalid("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified "
                      "key does not exist.")
    return data


def configuration(backend: LambdaBackend, function: Function, config: FunctionConfig) -> dict[str, Any]:
    """The ``FunctionConfiguration`` shape of one version."""
    qualifier = None if config.version == LATEST else config.version
    out: dict[str, Any] = {
        "FunctionName": function.name,
        "FunctionArn": backend.function_arn(function.name, qualifier),
        "Role": config.role,
        "CodeSize": config.code_size,
        "Description": config.description,
        "Timeout": config.timeout,
        "MemorySize": config.memory_size,
        "LastModified": config.last_modified,
        "CodeSha256": config.code_sha256,
        "Version": config.version,
        "TracingConfig": {"Mode": config.tracing_mode},
        "RevisionId": config.revision_id,
        "State": config.state,
        "LastUpdateStatus": config.last_update_status,
        "PackageType": config.package_type,
        "Architectures": list(config.architectures),
        "EphemeralStorage": {"Size": config.ephemeral_storage},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": config.log_format, "LogGroup": log_group_of(function, config)},
    }
    if config.runtime is not None:
        out["Runtime"] = config.runtime
    if config.handler is not None:
        out["Handler"] = config.handler
    if config.state == "Pending":
        out["StateReason"] = "The function is being created."
        out["StateReasonCode"] = "Creating"
    if config.last_update_status == "InProgress":
        out["LastUpdateStatusReason"] = "The function is being updated."
        out["LastUpdateStatusReasonCode"] = "Updating"
    if config.environment:
        out["Environment"] = {"Variables": dict(config.environment)}
    if config.dead_letter_target:
        out["DeadLetterConfig"] = {"TargetArn": config.dead_letter_target}
    if config.kms_key_arn:
        out["KMSKeyArn"] = config.kms_key_arn
    if config.layers:
        out["Layers"] = []
        for arn in config.layers:
            layer = backend.layer_version(arn)
            out["Layers"].append({"Arn": arn, "CodeSize": layer.code_size if layer is not None else 0})
    return out


def check_layers(backend: LambdaBackend, arns: list[str] | None) -> list[str]:
    """A function's ``Layers``: at most five, each an existing layer version of this account and region."""
    arns = list(arns or [])
    if len(arns) > 5:
        raise invalid("Cannot reference more than 5 layers.")
    for arn in arns:
        if backend.layer_version(arn) is None:
            raise invalid(f"Layer version {arn} does not exist.")
    return arns


def log_group_of(function: Function, config: FunctionConfig) -> str:
    return config.log_group or f"/aws/lambda/{function.name}"
