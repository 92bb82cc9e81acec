"""EventBridge's tag rules and finding the taggable resource (a bus or a rule) an ARN names."""

from __future__ import annotations

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.tags import TagRules
from hoarfrost.services.events.errors import errors, validation
from hoarfrost.services.events.state import DEFAULT_BUS, EventBus, EventsBackend, Rule

TAG_RULES = TagRules(
    too_many=lambda limit: errors.LimitExceededException("The requested resource exceeds the maximum number "
                                                         "allowed."),
    bad_key=lambda key: validation(f"Tag key {key!r} is not valid."),
    bad_value=lambda key, value: validation(f"Tag value for key {key!r} is not valid."),
    reserved=lambda key: validation(f"Invalid tag key: tag keys starting with 'aws:' are reserved ({key})."),
)


def taggable(backend: EventsBackend, text: str) -> EventBus | Rule:
    """The bus or rule ``text`` (an ARN) names in this scope."""
    arn = try_parse_arn(text)
    if arn is None or arn.service != "events":
        raise validation(f"Parameter ResourceARN is not valid: {text}")
    kind, _, rest = arn.resource.partition("/")
    if arn.account == backend.account and arn.region == backend.region:
        if kind == "event-bus":
            bus = backend.buses.get(rest)
            if bus is not None:
                return bus
            raise errors.ResourceNotFoundException(f"Event bus {rest} does not exist.")
        if kind == "rule":
            bus_name, _, name = rest.rpartition("/")
            bus = backend.buses.get(bus_name or DEFAULT_BUS)
            rule = bus.rules.get(name) if bus is not None else None
            if rule is not None:
                return rule
            raise errors.ResourceNotFoundException(f"Rule {name} does not exist on EventBus {bus_name or DEFAULT_BUS}.")
    raise errors.ResourceNotFoundException(f"Resource {text} does not exist.")
