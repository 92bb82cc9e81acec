"""Rules: event patterns and schedule expressions on a bus, enable / disable, listing by name
prefix and by target."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit import tags as tag_kit
from hoarfrost.core.kit.schedule_expressions import ScheduleError, parse_schedule
from hoarfrost.services.events.errors import errors, validation
from hoarfrost.services.events.handlers import ops
from hoarfrost.services.events.handlers.common import (
    EventsContext,
    backend,
    check_name,
    compiled_pattern,
    get_bus,
    get_rule,
    page,
)
from hoarfrost.services.events.state import DEFAULT_BUS, Rule
from hoarfrost.services.events.tagging import TAG_RULES


def describe(rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": rule.name, "Arn": rule.arn}
    if rule.event_pattern is not None:
        out["EventPattern"] = rule.event_pattern
    if rule.schedule_expression is not None:
        out["ScheduleExpression"] = rule.schedule_expression
    out["State"] = rule.state
    for member, value in (("Description", rule.description), ("RoleArn", rule.role_arn),
                          ("ManagedBy", rule.managed_by)):
        if value is not None:
            out[member] = value
    out["EventBusName"] = rule.bus
    return out


def check_schedule(text: str) -> None:
    try:
        parse_schedule(text, ("rate", "cron"))
    except ScheduleError:
        raise validation("Parameter ScheduleExpression is not valid.") from None


@ops.operation
def put_rule(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request["Name"]
    check_name(name)
    bus = get_bus(ctx, request.get("EventBusName"))
    pattern, schedule = request.get("EventPattern"), request.get("ScheduleExpression")
    if not pattern and not schedule:
        raise validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
    if pattern:
        compiled_pattern(pattern)
    if schedule:
        if bus.name != DEFAULT_BUS:
            raise validation("ScheduleExpression is supported only on the default event bus.")
        check_schedule(schedule)
    state = request.get("State") or "ENABLED"
    rule = bus.rules.get(name)
    if rule is None:
        tags = tag_kit.check(tag_kit.from_list(request.get("Tags"), TAG_RULES), TAG_RULES)
        rule = Rule(name=name, created_by=ctx.account, tags=tags, created=ctx.clock.time())
        backend(ctx).place_rule(bus, rule)
    elif rule.managed_by:
        raise errors.ManagedRuleException(
            f"Rule {name} is managed by {rule.managed_by} and cannot be modified by the caller.")
    rule.event_pattern, rule.schedule_expression = pattern or None, schedule or None
    rule.state = state
    rule.description = request.get("Description")
    rule.role_arn = request.get("RoleArn")
    ctx.service.schedules.update(ctx.scope.account, ctx.scope.region, rule)
    return {"RuleArn": rule.arn}


@ops.operation
def describe_rule(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    _, rule = get_rule(ctx, request["Name"], request.get("EventBusName"))
    return {**describe(rule), "CreatedBy": rule.created_by}


def _set_state(ctx: EventsContext, request: dict[str, Any], state: str) -> dict[str, Any]:
    _, rule = get_rule(ctx, request["Name"], request.get("EventBusName"))
    if rule.managed_by:
        raise errors.ManagedRuleException(
            f"Rule {rule.name} is managed by {rule.managed_by} and cannot be modified by the caller.")
    rule.state = state
    ctx.service.schedules.update(ctx.scope.account, ctx.scope.region, rule)
    return {}


@ops.operation
def enable_rule(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    return _set_state(ctx, request, "ENABLED")


@ops.operation
def disable_rule(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    return _set_state(ctx, request, "DISABLED")


@ops.operation
def delete_rule(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    bus = get_bus(ctx, request.get("EventBusName"))
    rule = bus.rules.get(request["Name"])
    if rule is None:
        return {}  # deleting a rule that does not exist succeeds
    if rule.managed_by and not request.get("Force"):
        raise errors.ManagedRuleException(
            f"Rule {rule.name} is managed by {rule.managed_by} and can only be deleted with Force.")
    if rule.targets:
        raise validation("Rule can't be deleted since it has targets.")
    del bus.rules[rule.name]
    ctx.service.schedules.cancel(ctx.scope.account, ctx.scope.region, rule)
    return {}


@ops.operation
def list_rules(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    bus = get_bus(ctx, request.get("EventBusName"))
    prefix = request.get("NamePrefix") or ""
    rules = sorted((rule for rule in bus.rules.values() if rule.name.startswith(prefix)), key=lambda r: r.name)
    result = page(ctx, rules, request, "ListRules", key=lambda rule: rule.name)
    return {"Rules": [describe(rule) for rule in result.items], **result.token_member()}


@ops.operation
def list_rule_names_by_target(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    bus = get_bus(ctx, request.get("EventBusName"))
    target = request["TargetArn"]
    names = sorted(rule.name for rule in bus.rules.values()
                   if any(spec.get("Arn") == target for spec in rule.targets.values()))
    result = page(ctx, names, request, "ListRuleNamesByTarget", key=lambda name: name)
    return {"RuleNames": result.items, **result.token_member()}
