"""Event buses: the default bus every account/region has, custom buses, and the bus's
resource policy (PutPermission / RemovePermission) that lets other accounts put events."""

from __future__ import annotations

import json
from typing import Any

from hoarfrost.core.kit import tags as tag_kit
from hoarfrost.core.kit.policies import PolicyError, parse_policy
from hoarfrost.services.events.errors import errors, validation
from hoarfrost.services.events.handlers import ops
from hoarfrost.services.events.handlers.common import EventsContext, backend, get_bus, page, stamp
from hoarfrost.services.events.state import DEFAULT_BUS, EventBus
from hoarfrost.services.events.tagging import TAG_RULES


def _describe(bus: EventBus) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": bus.name, "Arn": bus.arn}
    if bus.description is not None:
        out["Description"] = bus.description
    if bus.kms_key_identifier is not None:
        out["KmsKeyIdentifier"] = bus.kms_key_identifier
    if bus.dead_letter_config is not None:
        out["DeadLetterConfig"] = bus.dead_letter_config
    if bus.log_config is not None:
        out["LogConfig"] = bus.log_config
    if bus.policy is not None:
        out["Policy"] = bus.policy
    out["CreationTime"] = stamp(bus.creation_time)
    out["LastModifiedTime"] = stamp(bus.last_modified_time)
    return out


@ops.operation
def create_event_bus(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request["Name"]
    state = backend(ctx)
    if name == DEFAULT_BUS or ("/" in name and not request.get("EventSourceName")):
        raise validation(f"Event bus name must not be {name!r}: the name is reserved or holds '/'.")
    if name in state.buses:
        raise errors.ResourceAlreadyExistsException(f"Event bus {name} already exists.")
    tags = tag_kit.check(tag_kit.from_list(request.get("Tags"), TAG_RULES), TAG_RULES)
    now = ctx.clock.time()
    bus = state.add_bus(EventBus(name=name, description=request.get("Description"),
                                 kms_key_identifier=request.get("KmsKeyIdentifier"),
                                 dead_letter_config=request.get("DeadLetterConfig"),
                                 log_config=request.get("LogConfig"), tags=tags,
                                 creation_time=now, last_modified_time=now))
    out = {key: value for key, value in _describe(bus).items()
           if key in ("Description", "KmsKeyIdentifier", "DeadLetterConfig", "LogConfig")}
    return {"EventBusArn": bus.arn, **out}


@ops.operation
def describe_event_bus(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    return _describe(get_bus(ctx, request.get("Name")))


@ops.operation
def update_event_bus(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    bus = get_bus(ctx, request.get("Name"))
    for member, attribute in (("Description", "description"), ("KmsKeyIdentifier", "kms_key_identifier"),
                              ("DeadLetterConfig", "dead_letter_config"), ("LogConfig", "log_config")):
        if member in request:
            setattr(bus, attribute, request[member])
    bus.last_modified_time = ctx.clock.time()
    out = {key: value for key, value in _describe(bus).items()
           if key in ("Arn", "Name", "Description", "KmsKeyIdentifier", "DeadLetterConfig", "LogConfig")}
    return out


@ops.operation
def delete_event_bus(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request["Name"]
    if name == DEFAULT_BUS:
        raise validation("Cannot delete event bus default.")
    bus = backend(ctx).buses.pop(name, None)
    if bus is not None:
        ctx.service.schedules.forget_bus(ctx.scope.account, ctx.scope.region, bus)
    return {}


@ops.operation
def list_event_buses(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    prefix = request.get("NamePrefix") or ""
    buses = sorted((bus for bus in backend(ctx).buses.values() if bus.name.startswith(prefix)),
                   key=lambda bus: bus.name)
    result = page(ctx, buses, request, "ListEventBuses", key=lambda bus: bus.name)
    items = [{key: value for key, value in _describe(bus).items()
              if key not in ("KmsKeyIdentifier", "DeadLetterConfig", "LogConfig")} for bus in result.items]
    return {"EventBuses": items, **result.token_member()}


# -- permissions --------------------------------------------------------------------------------
def _statements(bus: EventBus) -> list[dict[str, Any]]:
    if not bus.policy:
        return []
    statements = json.loads(bus.policy).get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _write_policy(bus: EventBus, statements: list[dict[str, Any]]) -> None:
    bus.policy = json.dumps({"Version": "2012-10-17", "Statement": statements}) if statements else None


@ops.operation
def put_permission(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    bus = get_bus(ctx, request.get("EventBusName"))
    if request.get("Policy"):
        try:
            parse_policy(request["Policy"])
        except PolicyError as exc:
            raise validation(f"Policy is not valid: {exc.message}") from None
        bus.policy = request["Policy"]
        return {}
    action, principal, sid = request.get("Action"), request.get("Principal"), request.get("StatementId")
    if not action or not principal or not sid:
        raise validation("Parameter(s) Action, Principal and StatementId must be specified "
                         "(or Policy).")
    if action != "events:PutEvents":
        raise validation("Provided value in parameter 'action' is not supported.")
    if principal != "*" and not (principal.isdigit() and len(principal) == 12):
        raise validation("Parameter Principal must be an AWS account id or '*'.")
    condition = request.get("Condition")
    statement: dict[str, Any] = {
        "Sid": sid, "Effect": "Allow",
        "Principal": "*" if principal == "*" else {"AWS": f"arn:aws:iam::{principal}:root"},
        "Action": action, "Resource": bus.arn,
    }
    if condition:
        statement["Condition"] = {condition["Type"]: {condition["Key"]: condition["Value"]}}
    statements = [s for s in _statements(bus) if s.get("Sid") != sid]
    statements.append(statement)
    _write_policy(bus, statements)
    bus.last_modified_time = ctx.clock.time()
    return {}


@ops.operation
def remove_permission(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    bus = get_bus(ctx, request.get("EventBusName"))
    if request.get("RemoveAllPermissions"):
        bus.policy = None
        return {}
    sid = request.get("StatementId")
    if not sid:
        raise validation("Parameter StatementId must be specified.")
    statements = _statements(bus)
    if not bus.policy:
        raise errors.ResourceNotFoundException("EventBus does not have a policy.")
    kept = [s for s in statements if s.get("Sid") != sid]
    if len(kept) == len(statements):
        raise errors.ResourceNotFoundException("Statement with the provided id does not exist.")
    _write_policy(bus, kept)
    bus.last_modified_time = ctx.clock.time()
    return {}
