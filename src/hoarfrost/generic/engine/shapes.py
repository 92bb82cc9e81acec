"""Values shaped by the model: stored attributes cut to an output shape, and the identifiers
a service assigns, made to satisfy their member's constraints.

Answers are built from what was stored by member name, and a stored value reaches the wire
only where it fits the output member's type: an input structure that differs from the
output's (Glue's TableInput against Table) then never makes the serialiser fail, it is
simply left out or cut to the members both share.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import string
import uuid
from typing import Any

from botocore.model import Shape

from hoarfrost.generic.pattern_strings import generate, matches

_STRINGS = (str,)


def conform(value: Any, shape: Shape) -> Any:
    """``value`` cut to ``shape``, or None when it does not fit."""
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure":
        if not isinstance(value, dict):
            return None
        filled = fill(shape, value)
        if shape.metadata.get("union") and len(filled) != 1:
            # A union carries exactly one member: the stored input may hold it one level down
            # (PutX's integrationConfig is the union a ListX summary answers).
            nested = (fill(shape, item) for item in value.values() if isinstance(item, dict))
            return next((found for found in nested if len(found) == 1), None)
        return filled
    if kind == "list":
        if not isinstance(value, list):
            return None
        items = [conform(item, shape.member) for item in value]
        return [item for item in items if item is not None]
    if kind == "map":
        if not isinstance(value, dict):
            return None
        out = {}
        for key, item in value.items():
            converted = conform(item, shape.value)
            if isinstance(key, str) and converted is not None:
                out[key] = converted
        return out
    if kind == "string":
        return value if isinstance(value, str) else None
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if kind in ("integer", "long"):
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind in ("float", "double"):
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if kind == "timestamp":
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.datetime.fromisoformat(value)
            except ValueError:
                return None
        return None
    if kind == "blob":
        return value if isinstance(value, (bytes, bytearray, str)) else None
    return None


def fill(shape: Shape, attributes: dict[str, Any]) -> dict[str, Any]:
    """The members of ``shape`` found in ``attributes``, by exact name, else ignoring case."""
    lowered = {key.lower(): key for key in attributes}
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        key = name if name in attributes else lowered.get(name.lower())
        if key is None:
            continue
        converted = conform(attributes[key], member)
        if converted is not None:
            out[name] = converted
    return out


def at_path(shape: Shape, path: str) -> Shape | None:
    """The shape at a dotted member path (``[]`` steps into a list)."""
    current: Shape | None = shape
    for part in path.split("."):
        if current is None:
            return None
        listed = part.endswith("[]")
        name = part[:-2] if listed else part
        members = getattr(current, "members", None)
        if not members or name not in members:
            return None
        current = members[name]
        if listed:
            current = getattr(current, "member", None)
    return current


def new_identifier(shapes: list[Shape]) -> str:
    """An identifier the service assigns, satisfying every shape that carries it (CreateX's
    output member and the members GetX/DeleteX take it in): a UUID, or lower-case
    hex/alphanumeric text of an allowed length, with a prefix the pattern asks for
    (``fs-``, ``d-``) when it asks for one."""
    metas = [shape.metadata for shape in shapes]
    low = max([int(meta.get("min", 1)) for meta in metas] or [1])
    high = min([int(meta.get("max", 64)) for meta in metas] or [64])
    patterns = [meta["pattern"] for meta in metas if meta.get("pattern")]
    prefixes = [""] + [found for pattern in patterns for found in _PREFIX.findall(pattern)]
    alphabet = string.ascii_lowercase + string.digits
    candidates: list[str] = []
    counts = [int(found) for pattern in patterns for found in _COUNT.findall(pattern)]
    for prefix in prefixes:
        lengths = [max(low, min(high, 17 if prefix else 10)), max(low, min(high, 20)), max(low, 8)]
        lengths += [count + len(prefix) for count in counts]
        for length in lengths:
            rest = max(length - len(prefix), 1)
            candidates += [
                prefix + secrets.token_hex(rest)[:rest],
                prefix + "a" + "".join(secrets.choice(alphabet) for _ in range(rest - 1)),
                prefix + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(rest)),
            ]
    if low <= 36 <= high:
        candidates.insert(1, str(uuid.uuid4()))
    for candidate in candidates:
        if low <= len(candidate) <= high and all(matches(pattern, candidate) for pattern in patterns):
            return candidate
    for pattern in patterns:  # a structured pattern: build the string from the regex itself
        for _ in range(4):
            generated = generate(pattern, low, high, prefer=max(low, min(high, 12)))
            if generated is not None and all(matches(other, generated) for other in patterns):
                return generated
    return secrets.token_hex(max(low, 10))[: max(low, 10)]


def new_arn(shapes: list[Shape], partition: str, region: str, account: str, preferred: str, resource_id: str) -> str:
    """The ARN to assign: ``preferred`` (the engine's ``<type>/<path>`` form) when every
    member that carries the ARN accepts it, else one built from those members' patterns
    with this scope's partition, region and account and the resource's id where they fit."""
    patterns = [shape.metadata["pattern"] for shape in shapes if shape.metadata.get("pattern")]
    low = max([int(shape.metadata.get("min", 0)) for shape in shapes] or [0])
    high = min([int(shape.metadata.get("max", 2048)) for shape in shapes] or [2048])

    def fits(text: str) -> bool:
        return low <= len(text) <= high and all(matches(pattern, text) for pattern in patterns)

    if fits(preferred):
        return preferred
    head, _, resource = preferred.rpartition(":")
    typed = f"{head}:{resource.replace('/', ':', 1)}"  # Lambda's 'microvm-image:<id>' form
    if fits(typed):
        return typed
    for pattern in patterns:
        for _ in range(8):
            generated = generate(pattern, low, high, prefer=max(low, min(high, len(preferred))))
            if generated is None:
                break
            parts = generated.split(":", 5)
            if len(parts) == 6 and parts[0] == "arn":
                # Each scope field where the pattern allows it; then the id in the resource part.
                for index, value in ((1, partition), (3, region), (4, account)):
                    trial = [*parts[:index], value, *parts[index + 1:]]
                    if fits(":".join(trial)):
                        parts = trial
                resource = parts[5]
                cut = max(resource.rfind("/"), resource.rfind(":"))
                trial = [*parts[:5], resource[:cut + 1] + resource_id]
                if fits(":".join(trial)):
                    parts = trial
                generated = ":".join(parts)
            if fits(generated):
                return generated
    return preferred


# A fixed count a pattern asks for: [a-z0-9]{9}, [0-9a-f]{8,40}
_COUNT = re.compile(r"\]\{(\d+)(?:,\d*)?\}")

# A literal lower-case prefix a pattern starts an alternative with: ^fs-[0-9a-f], (s-[0-9a-zA-Z]
_PREFIX = re.compile(r"(?:^|[|(^])\^?([a-z]{1,5}-)(?=\[)")
