"""What EventBridge's handlers share: the typed context, finding a bus or rule by name or ARN,
paging, and timestamps as the model's members take them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.event_patterns import PatternError, compile_pattern
from hoarfrost.core.kit.paging import Page, paginate
from hoarfrost.core.operations import RequestContext
from hoarfrost.services.events.errors import bus_not_found, invalid_pattern, rule_not_found, validation
from hoarfrost.services.events.state import DEFAULT_BUS, EventBus, EventsBackend, Rule

if TYPE_CHECKING:
    from hoarfrost.services.events.service import EventsService  # noqa: F401

EventsContext = RequestContext[EventsBackend, "EventsService"]
T = TypeVar("T")

PAGE_SIZE = 100
_NAME = re.compile(r"^[\.\-_A-Za-z0-9]+$")


def backend(ctx: EventsContext) -> EventsBackend:
    """The scope's backend with its default bus in place."""
    state = ctx.state
    state.ensure_default(ctx.clock.time())
    return state


def bus_name(text: str | None) -> str:
    """EventBusName members take a name or the bus's ARN."""
    if not text:
        return DEFAULT_BUS
    if text.startswith("arn:"):
        arn = try_parse_arn(text)
        if arn is None or arn.service != "events" or not arn.resource.startswith("event-bus/"):
            raise validation(f"Parameter {text} is not valid.")
        return arn.resource[len("event-bus/"):]
    return text


def get_bus(ctx: EventsContext, text: str | None) -> EventBus:
    name = bus_name(text)
    bus = backend(ctx).buses.get(name)
    if bus is None:
        raise bus_not_found(name)
    return bus


def get_rule(ctx: EventsContext, name: str, bus_text: str | None) -> tuple[EventBus, Rule]:
    bus = get_bus(ctx, bus_text)
    rule = bus.rules.get(name)
    if rule is None:
        raise rule_not_found(name, bus.name)
    return bus, rule


def check_name(name: str, member: str = "Name", limit: int = 64) -> None:
    if not name or len(name) > limit or not _NAME.match(name):
        raise validation(f"1 validation error detected: Value '{name}' at '{member[0].lower() + member[1:]}' "
                         f"failed to satisfy constraint: Member must satisfy regular expression pattern: "
                         f"[\\.\\-_A-Za-z0-9]+")


def compiled_pattern(text: str) -> Any:
    try:
        return compile_pattern(text)
    except PatternError as exc:
        raise invalid_pattern(exc.reason) from None


def page(ctx: EventsContext, items: Sequence[T], request: dict[str, Any], kind: str,
         key: Callable[[T], Any]) -> Page[T]:
    limit = request.get("Limit") or PAGE_SIZE
    return paginate(items, request.get("NextToken"), min(int(limit), PAGE_SIZE), kind=f"events:{kind}",
                    error=lambda: validation("The nextToken provided is invalid."), key=key)


def epoch(value: Any) -> float:
    """A timestamp member as the protocol parsed it (a datetime or epoch seconds)."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()
    return float(value)


def stamp(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)

