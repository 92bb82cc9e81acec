"""What a target receives: the whole event, a constant ``Input``, the part ``InputPath``
selects, or an ``InputTransformer``'s template filled from the event.

Template rules (AWS's): ``<name>`` placeholders take the values ``InputPathsMap`` selects or
the predefined ``aws.events.rule-arn``, ``aws.events.rule-name``,
``aws.events.event.ingestion-time``, ``aws.events.event`` and ``aws.events.event.json``. In a
JSON template a placeholder inside a string is replaced by the value's text, escaped for the
string; outside a string by the value's JSON. A template that is not JSON is plain text:
strings go in bare, other values as JSON. A path that selects nothing gives ``null`` (an empty
text inside a string).
"""

from __future__ import annotations

import json
import re
from typing import Any

_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
_KEY = re.compile(r"^[A-Za-z0-9_\-]+$")
_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
PREDEFINED = ("aws.events.rule-arn", "aws.events.rule-name", "aws.events.event.ingestion-time",
              "aws.events.event", "aws.events.event.json")
_MISSING = object()


class TransformError(ValueError):
    """An InputPath or InputTransformer AWS refuses; the message is AWS's ValidationException text."""


def check_path(path: str) -> None:
    if not path.startswith("$") or (path != "$" and _steps(path) is None):
        raise TransformError(f"Parameter InputPath is not valid: {path}")


def _steps(path: str) -> list[str | int] | None:
    steps: list[str | int] = []
    rest = path[1:]
    while rest:
        match = _STEP.match(rest)
        if match is None:
            return None
        name, index, quoted, double = match.groups()
        steps.append(int(index) if index is not None else next(v for v in (name, quoted, double) if v is not None))
        rest = rest[match.end():]
    return steps


def select(document: Any, path: str) -> Any:
    """The value ``path`` (a JSONPath of fields and indexes) selects; ``_MISSING`` when none."""
    value = document
    for step in _steps(path) or []:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return _MISSING
            value = value[step]
        elif isinstance(value, dict) and step in value:
            value = value[step]
        else:
            return _MISSING
    return value


def check_transformer(target_id: str, transformer: dict[str, Any]) -> None:
    paths = transformer.get("InputPathsMap") or {}
    if len(paths) > 100:
        raise TransformError(f"InputPathsMap for target {target_id} has more than 100 entries.")
    for key, path in paths.items():
        if key.startswith("aws.events"):
            raise TransformError(f"InputTransformer for target {target_id} contains a reserved key: {key}.")
        if not _KEY.match(key):
            raise TransformError(f"InputPathsMap key {key} for target {target_id} is not valid.")
        try:
            check_path(path)
        except TransformError:
            raise TransformError(f"InputPathsMap for target {target_id} contains invalid path {path}.") from None
    template = transformer.get("InputTemplate")
    if template is None:
        raise TransformError(f"InputTemplate for target {target_id} must be specified.")
    if _is_json_template(template):
        filled = _fill(template, lambda name: 0, json_mode=True)
        try:
            json.loads(filled)
        except ValueError:
            raise TransformError(f"InputTemplate for target {target_id} must be a valid JSON.") from None


def _is_json_template(template: str) -> bool:
    return template.lstrip()[:1] in ("{", "[", '"')


def _fill(template: str, lookup: Any, *, json_mode: bool) -> str:
    """Replace placeholders, knowing (in JSON mode) whether each sits inside a string."""
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(template):
        char = template[i]
        if char == "<":
            match = _PLACEHOLDER.match(template, i)
            if match is not None:
                value = lookup(match.group(1))
                if value is not _UNKNOWN:
                    out.append(_render(value, inside=in_string if json_mode else None))
                    i = match.end()
                    continue
        if json_mode:
            if char == "\\" and in_string:
                out.append(template[i:i + 2])
                i += 2
                continue
            if char == '"':
                in_string = not in_string
        out.append(char)
        i += 1
    return "".join(out)


_UNKNOWN = object()


def _render(value: Any, *, inside: bool | None) -> str:
    if inside is None:  # plain text
        if value is _MISSING or value is None:
            return "null" if value is None else ""
        return value if isinstance(value, str) else json.dumps(value)
    if inside:
        if value is _MISSING:
            return ""
        text = value if isinstance(value, str) else json.dumps(value)
        return json.dumps(text)[1:-1]
    return "null" if value is _MISSING else json.dumps(value)


def target_input(target: dict[str, Any], event: dict[str, Any], rule_arn: str, rule_name: str) -> str:
    """The body the target receives for ``event``."""
    if "Input" in target and target["Input"] is not None:
        return str(target["Input"])
    if target.get("InputPath"):
        value = select(event, target["InputPath"])
        return "null" if value is _MISSING else json.dumps(value)
    transformer = target.get("InputTransformer")
    if not transformer:
        return json.dumps(event)
    paths = transformer.get("InputPathsMap") or {}
    predefined: dict[str, Any] = {
        "aws.events.rule-arn": rule_arn, "aws.events.rule-name": rule_name,
        "aws.events.event.ingestion-time": event.get("time"), "aws.events.event": event,
        "aws.events.event.json": json.dumps(event),
    }

    def lookup(name: str) -> Any:
        if name in paths:
            return select(event, paths[name])
        if name in predefined:
            return predefined[name]
        return _UNKNOWN

    template = transformer["InputTemplate"]
    return _fill(template, lookup, json_mode=_is_json_template(template))
