"""Functions: create (from an inline zip or an S3 object), read, list, update code and
configuration, delete."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit import tags as tagkit
from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.operations import Reply

from ..errors import conflict, function_not_found, invalid
from ..state import LATEST, Function, FunctionConfig
from . import ops
from .code_signing import check_signed, signing_config
from .common import (
    TAG_RULES,
    Ctx,
    check_environment,
    check_layers,
    check_limits,
    check_revision,
    check_runtime,
    code_package,
    config_for,
    configuration,
    last_modified,
    new_revision,
    resolve,
    split_name,
)
from .versions import publish


def _executor(ctx: Ctx) -> Any:
    return ctx.service.executor


@ops.operation
def create_function(ctx: Ctx, request: dict[str, Any]) -> Reply:
    name, qualifier, _, _ = split_name(request["FunctionName"])
    if qualifier is not None:
        raise invalid("Function name can not contain a qualifier.")
    if name in ctx.state.functions:
        raise conflict(f"Function already exist: {name}")
    package_type = request.get("PackageType") or "Zip"
    if package_type == "Image":
        uri = (request.get("Code") or {}).get("ImageUri") or ""
        raise invalid(f"Source image {uri} does not exist. Provide a valid source image.")
    runtime, handler = request.get("Runtime"), request.get("Handler")
    if runtime is None or handler is None:
        raise invalid("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
    check_runtime(runtime)
    check_limits(request)
    signing = request.get("CodeSigningConfigArn")
    if signing:
        signing_config(ctx, signing)
        check_signed(ctx, None, signing)
    environment = check_environment(request.get("Environment"))
    sha, data = code_package(ctx, request.get("Code") or {})
    logging_config = request.get("LoggingConfig") or {}
    config = FunctionConfig(
        version=LATEST, runtime=runtime, role=request["Role"], handler=handler,
        code_sha256=sha, code_size=len(data), last_modified=last_modified(ctx),
        revision_id=new_revision(), description=request.get("Description") or "",
        timeout=request.get("Timeout") or 3, memory_size=request.get("MemorySize") or 128,
        environment=environment, architectures=list(request.get("Architectures") or ["x86_64"]),
        ephemeral_storage=(request.get("EphemeralStorage") or {}).get("Size", 512),
        dead_letter_target=(request.get("DeadLetterConfig") or {}).get("TargetArn"),
        tracing_mode=(request.get("TracingConfig") or {}).get("Mode") or "PassThrough",
        kms_key_arn=request.get("KMSKeyArn"), layers=check_layers(ctx.state, request.get("Layers")),
        log_group=logging_config.get("LogGroup"), log_format=logging_config.get("LogFormat") or "Text",
    )
    function = Function(name=name, latest=config, tags=tagkit.check(request.get("Tags") or {}, TAG_RULES),
                        code_signing_config_id=signing.rsplit(":", 1)[-1] if signing else None)
    ctx.state.add_package(sha, data)
    ctx.state.functions[name] = function
    shown = config
    if request.get("Publish"):
        shown = publish(ctx, function, "")
    return Reply(configuration(ctx.state, function, shown), status=201)


@ops.operation
def get_function(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, qualifier = resolve(ctx, request)
    config = config_for(ctx, function, qualifier)
    backend = ctx.state
    out: dict[str, Any] = {
        "Configuration": configuration(backend, function, config),
        "Code": {"RepositoryType": "S3", "Location": code_location(ctx, function.name, config.version)},
    }
    if function.tags:
        out["Tags"] = dict(function.tags)
    if function.reserved_concurrency is not None:
        out["Concurrency"] = {"ReservedConcurrentExecutions": function.reserved_concurrency}
    return out


def code_location(ctx: Ctx, name: str, version: str) -> str:
    """Where GetFunction's ``Code.Location`` points: hoarfrost's admin route serving the zip."""
    base = ctx.emulator.settings.base_url
    if not base:
        host = ctx.request.host or f"lambda.{ctx.region}.amazonaws.com"
        base = ("https://" if host.endswith("amazonaws.com") else "http://") + host
    return (f"{base.rstrip('/')}/_hoarfrost/lambda/code?account={ctx.state.account}&region={ctx.state.region}"
            f"&function={name}&version={version}")


@ops.operation
def get_function_configuration(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, qualifier = resolve(ctx, request)
    return configuration(ctx.state, function, config_for(ctx, function, qualifier))


@ops.operation
def list_functions(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    """Functions by name; ``FunctionVersion=ALL`` lists every published version too."""
    every = request.get("FunctionVersion") == "ALL"
    items: list[tuple[str, str]] = []
    for name in sorted(ctx.state.functions):
        function = ctx.state.functions[name]
        items.append((name, LATEST))
        if every:
            items += [(name, version) for version in sorted(function.versions, key=int)]
    page = paginate(items, request.get("Marker"), request.get("MaxItems") or 50, kind="lambda:ListFunctions",
                    error=lambda: invalid("Invalid marker."))
    out = []
    for name, version in page.items:
        function = ctx.state.functions[name]
        out.append(configuration(ctx.state, function, function.config(version)))  # type: ignore[arg-type]
    return {"Functions": out, **page.token_member("NextMarker")}


@ops.operation
def update_function_code(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, qualifier = resolve(ctx, request)
    if qualifier is not None:
        raise invalid("Qualifier is not supported by UpdateFunctionCode.")
    check_revision(request, function.latest.revision_id)
    check_signed(ctx, function)
    sha, data = code_package(ctx, request)
    if request.get("DryRun"):
        preview = function.latest.copy(code_sha256=sha, code_size=len(data))
        return configuration(ctx.state, function, preview)
    ctx.state.add_package(sha, data)
    latest = function.latest
    latest.code_sha256, latest.code_size = sha, len(data)
    if request.get("Architectures"):
        latest.architectures = list(request["Architectures"])
    _updated(ctx, function)
    shown = publish(ctx, function, "") if request.get("Publish") else latest
    ctx.state.prune_packages()
    return configuration(ctx.state, function, shown)


@ops.operation
def update_function_configuration(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, _ = resolve(ctx, request)
    latest = function.latest
    check_revision(request, latest.revision_id)
    if "Runtime" in request:
        check_runtime(request["Runtime"])
    check_limits(request)
    environment = check_environment(request["Environment"]) if "Environment" in request else None
    simple = {"Role": "role", "Handler": "handler", "Description": "description", "Timeout": "timeout",
              "MemorySize": "memory_size", "Runtime": "runtime", "KMSKeyArn": "kms_key_arn"}
    for member, attribute in simple.items():
        if member in request:
            setattr(latest, attribute, request[member])
    if environment is not None:
        latest.environment = environment
    if "DeadLetterConfig" in request:
        latest.dead_letter_target = request["DeadLetterConfig"].get("TargetArn") or None
    if "TracingConfig" in request:
        latest.tracing_mode = request["TracingConfig"].get("Mode") or "PassThrough"
    if "EphemeralStorage" in request:
        latest.ephemeral_storage = request["EphemeralStorage"]["Size"]
    if "Layers" in request:
        latest.layers = check_layers(ctx.state, request["Layers"])
    if "LoggingConfig" in request:
        latest.log_group = request["LoggingConfig"].get("LogGroup") or latest.log_group
        latest.log_format = request["LoggingConfig"].get("LogFormat") or latest.log_format
    _updated(ctx, function)
    return configuration(ctx.state, function, latest)


def _updated(ctx: Ctx, function: Function) -> None:
    """``$LATEST`` changed: a new revision, ``LastUpdateStatus`` InProgress until the next
    request, and its warm workers (running the old code or configuration) retired."""
    latest = function.latest
    latest.revision_id = new_revision()
    latest.last_modified = last_modified(ctx)
    latest.last_update_status = "InProgress"
    arn = ctx.state.function_arn(function.name)
    pool = _executor(ctx).pool
    ctx.after_commit(lambda: pool.retire(arn))


@ops.operation
def delete_function(ctx: Ctx, request: dict[str, Any]) -> Reply:
    function, qualifier = resolve(ctx, request)
    if qualifier is None:
        del ctx.state.functions[function.name]
        for uuid in [u for u, m in ctx.state.mappings.items() if m.function_name == function.name]:
            del ctx.state.mappings[uuid]
        arn = ctx.state.function_arn(function.name)
        pool = _executor(ctx).pool
        ctx.after_commit(lambda: pool.retire(arn))
    else:
        if qualifier == LATEST:
            raise invalid("$LATEST version cannot be deleted without deleting the function.")
        if qualifier not in function.versions:
            raise function_not_found(ctx.state.function_arn(function.name, qualifier))
        using = sorted(a.name for a in function.aliases.values()
                       if a.function_version == qualifier or qualifier in a.routing)
        if using:
            raise conflict(f"Unable to delete version because the following aliases reference it: [{', '.join(using)}]")
        del function.versions[qualifier]
    ctx.state.prune_packages()
    return Reply({}, status=204)
