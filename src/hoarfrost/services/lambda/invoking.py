"""Preparing an invocation from the state (under the scope's lock): which version a qualifier
or an alias's weighted routing selects, whether the function can run, and the immutable
``Invocation`` the executor then runs without any lock."""

from __future__ import annotations

import random

from .errors import conflict, errors, function_not_found
from .runtime.executor import DEFAULT_EVENT_AGE, Invocation
from .runtime.workers import WorkerSpec, supported
from .state import LATEST, Function, FunctionConfig, LambdaBackend


def select_version(backend: LambdaBackend, function: Function, qualifier: str | None) -> FunctionConfig:
    """The version an invocation runs: ``$LATEST``, a version, or an alias's version (or one of
    its additional versions, chosen by their weights)."""
    if qualifier is None or qualifier == LATEST:
        return function.latest
    alias = function.aliases.get(qualifier)
    version = qualifier
    if alias is not None:
        version = alias.function_version
        roll = random.random()
        for other, weight in alias.routing.items():
            if roll < weight:
                version = other
                break
            roll -= weight
    config = function.config(version)
    if config is None:
        raise function_not_found(backend.function_arn(function.name, qualifier))
    return config


def prepare(backend: LambdaBackend, function: Function, qualifier: str | None, event: str, request_id: str,
            endpoint: str, client_context: str | None = None) -> Invocation:
    config = select_version(backend, function, qualifier)
    if config.state != "Active":
        raise conflict("The operation cannot be performed at this time. The function is currently in the following "
                       f"state: {config.state}")
    if config.runtime is None or not supported(config.runtime):
        raise errors.InvalidRuntimeException(
            f"The runtime parameter of {config.runtime} is not supported by hoarfrost's local workers "
            "(python3.x runs with this machine's interpreter, nodejs with its node, provided.* with the "
            "function's bootstrap).")
    if config.handler is None:
        raise errors.InvalidParameterValueException("The function has no handler.")
    layers = []
    for arn in config.layers:
        layer = backend.layer_version(arn)
        if layer is None:
            raise errors.InvalidParameterValueException(f"Layer version {arn} does not exist.")
        layers.append((layer.code_sha256, backend.package_zip(layer.code_sha256)))
    function_arn = backend.function_arn(function.name)
    spec = WorkerSpec(
        key=(function_arn, config.version, config.revision_id),
        function_name=function.name, version=config.version, runtime=config.runtime, handler=config.handler,
        memory_size=config.memory_size, timeout=config.timeout, code_sha256=config.code_sha256,
        code=backend.code(config), environment=dict(config.environment),
        log_group=config.log_group or f"/aws/lambda/{function.name}", layers=tuple(layers),
    )
    invoked = backend.function_arn(function.name, qualifier if qualifier not in (None, LATEST) else None)
    settings = function.event_invoke_configs.get(qualifier or LATEST)
    retries = 2
    if settings is not None and settings.maximum_retry_attempts is not None:
        retries = settings.maximum_retry_attempts
    return Invocation(
        spec=spec, account=backend.account, region=backend.region, event=event, request_id=request_id,
        invoked_arn=invoked, executed_version=config.version, reserved=function.reserved_concurrency,
        endpoint=endpoint, client_context=client_context, role=config.role,
        dead_letter_target=config.dead_letter_target,
        retries=retries, on_success=settings.on_success if settings else None,
        on_failure=settings.on_failure if settings else None,
        maximum_event_age=(settings.maximum_event_age if settings is not None and settings.maximum_event_age is not None
                           else DEFAULT_EVENT_AGE),
    )
