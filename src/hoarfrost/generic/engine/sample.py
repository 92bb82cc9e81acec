"""Minimal valid inputs built from the model: the required members, each with a value that
satisfies its type, enum, pattern and length. The engine's round-trip tests build every
family's requests with it; a value it cannot make fit is reported, not guessed at."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from botocore.model import Shape

from hoarfrost.generic.pattern_strings import generate, matches

_counter = itertools.count(1)


class CannotSample(ValueError):
    """No candidate value satisfies a member's constraints."""


def sample_input(shape: Shape | None, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The required members of ``shape``, but for ``skip`` (members the caller sets itself)."""
    if shape is None:
        return {}
    members = shape.members
    return {name: _value(members[name], name, depth=1) for name in shape.required_members
            if name not in skip}


def sample_value(shape: Shape, name: str = "") -> Any:
    return _value(shape, name, depth=0)


def _structure(shape: Shape, name: str, depth: int) -> dict[str, Any]:
    members = shape.members
    if shape.metadata.get("union"):
        first = next(iter(members.items()), None)
        return {first[0]: _value(first[1], first[0], depth + 1)} if first else {}
    out: dict[str, Any] = {}
    for member in shape.required_members:
        out[member] = _value(members[member], member, depth + 1)
    if not out:
        # A required structure with no required members: over the query protocols an empty
        # one is not sent at all (RDS's Parameters, EC2's ConnectionLogOptions), so it carries
        # its first plain member.
        first = next(((name, item) for name, item in members.items()
                      if item.type_name in ("string", "boolean", "integer", "long")), None)
        if first is not None:
            try:
                out[first[0]] = _value(first[1], first[0], depth + 1)
            except CannotSample:
                pass
    return out


def _value(shape: Shape, name: str, depth: int) -> Any:
    if depth > 12:
        raise CannotSample(f"{name}: nested too deep")
    kind, meta = shape.type_name, shape.metadata
    if kind == "structure":
        return _structure(shape, name, depth)
    if kind == "list":
        count = max(int(meta.get("min", 1)), 1)
        return [_value(shape.member, name, depth + 1) for _ in range(count)]
    if kind == "map":
        count = int(meta.get("min", 0))
        return {_key(shape.key, index): _value(shape.value, name, depth + 1)
                for index in range(count)}
    if kind == "string":
        return string_for(shape, name)
    if kind in ("integer", "long"):
        low = int(meta.get("min", 1))
        return max(low, min(1, int(meta.get("max", 1))))
    if kind in ("float", "double"):
        return float(meta.get("min", 1))
    if kind == "boolean":
        return False
    if kind == "blob":
        return b"x" * max(1, int(meta.get("min", 1)))
    if kind == "timestamp":
        return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    raise CannotSample(f"{name}: a {kind} member")


def _key(shape: Shape, index: int) -> str:
    """A map key its shape accepts (launch-wizard's specifications keys are 3 or more long)."""
    plain = f"k{index}"
    meta = shape.metadata
    if shape.enum:
        return str(shape.enum[index % len(shape.enum)])
    pattern = meta.get("pattern")
    if int(meta.get("min", 0)) <= len(plain) <= int(meta.get("max", 256)) and (not pattern or matches(pattern, plain)):
        return plain
    return string_for(shape, "key")


def string_for(shape: Shape, name: str) -> str:
    if shape.enum:
        return str(shape.enum[0])
    meta = shape.metadata
    low, high = int(meta.get("min", 0)), int(meta.get("max", 256))
    serial = next(_counter)
    lowered = name.lower()
    candidates = []
    if lowered.endswith("arn") or "arn" == lowered[-3:]:
        candidates.append(f"arn:aws:iam::123456789012:role/hf{serial}")
    if "url" in lowered or "uri" in lowered:
        candidates.append(f"https://example.com/hf{serial}")
    if "email" in lowered:
        candidates.append(f"hf{serial}@example.com")
    base = f"hf{serial}x"
    candidates += [base, f"Hf{serial}x", f"hf-{serial}", f"{serial:08d}", f"HF{serial}X", base.upper(),
                   f"/hf{serial}", f"hf{serial}.example.com", "1", "a", "A", "*"]
    pattern = meta.get("pattern")
    if pattern:
        from hoarfrost.generic.engine.shapes import _COUNT, _PREFIX

        counts = [int(found) for found in _COUNT.findall(pattern)]
        for prefix in ["", *_PREFIX.findall(pattern)]:
            for length in (*counts, 8, 10, 17, 12, 16, 20):
                candidates.append(prefix + f"{serial:0{length}x}"[-length:])
    for candidate in candidates:
        text = candidate
        if len(text) < low:
            text = text + ("x" if text[-1].isalpha() else "0") * (low - len(text))
            if pattern and not matches(pattern, text):
                text = candidate + candidate[-1] * (low - len(candidate))
        if len(text) > high:
            text = text[:high]
        if low <= len(text) <= high and (not pattern or matches(pattern, text)):
            return text
    generated = _generated(pattern, low, high, lowered) if pattern else None
    if generated is not None:
        return generated
    raise CannotSample(f"{name}: no sample fits pattern {pattern!r} and length {low}..{high}")


def _generated(pattern: str, low: int, high: int, lowered: str) -> str | None:
    """A value built from the pattern itself; an ARN gets this emulator's default scope where
    the pattern allows it."""
    for _ in range(4):
        text = generate(pattern, low, high)
        if text is None:
            return None
        parts = text.split(":", 5)
        if lowered.endswith("arn") and len(parts) == 6 and parts[0] == "arn":
            for index, value in ((1, "aws"), (3, "us-east-1"), (4, "123456789012")):
                trial = ":".join([*parts[:index], value, *parts[index + 1:]])
                if low <= len(trial) <= high and matches(pattern, trial):
                    parts = trial.split(":", 5)
            text = ":".join(parts)
        if matches(pattern, text):
            return text
    return None
