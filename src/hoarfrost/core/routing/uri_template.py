"""botocore ``requestUri`` templates, compiled once: ``/{Bucket}/{Key+}?tagging``.

A template has a path part with labels (``{Name}`` matches one path segment, ``{Name+}`` is
greedy and spans slashes) and an optional query part of literal keys (``?uploads``,
``?list-type=2``) the request must carry. Labels are matched on the raw path and
percent-decoded afterwards, so an encoded ``%2F`` inside a plain label stays in that label.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import unquote

_LABEL = re.compile(r"\{([^}]+)\}")

# botocore adds ``x-id=<Operation>`` to some S3 templates; real clients do not send it, so it is
# a preference, never a requirement.
_OPTIONAL_QUERY_KEYS = frozenset({"x-id"})


class PathTemplate:
    """The path part of a ``requestUri``; shared by every operation with the same path."""

    __slots__ = ("template", "regex", "labels", "literal_chars", "leading", "greedy")

    def __init__(self, template: str) -> None:
        self.template = template
        pattern = ["^"]
        labels: list[str] = []
        literal_chars = 0
        position = 0
        greedy = False
        body = template.rstrip("/") if template != "/" else ""
        for match in _LABEL.finditer(body):
            literal = body[position:match.start()]
            pattern.append(re.escape(literal))
            literal_chars += len(literal)
            name = match.group(1)
            if name.endswith("+"):
                labels.append(name[:-1])
                pattern.append(f"(?P<g{len(labels) - 1}>.+)")
                greedy = True
            else:
                labels.append(name)
                pattern.append(f"(?P<g{len(labels) - 1}>[^/]+)")
            position = match.end()
        tail = body[position:]
        literal_chars += len(tail)
        pattern.append(re.escape(tail))
        pattern.append("/?$")
        self.regex = re.compile("".join(pattern), re.DOTALL)
        self.labels = tuple(labels)
        self.literal_chars = literal_chars
        self.greedy = greedy
        # The first two path segments while they are entirely literal (None from the first
        # label on): the key of the per-service index.
        segments = body[1:].split("/") if body.startswith("/") else [""]
        first = None if "{" in segments[0] else segments[0]
        second = segments[1] if first is not None and len(segments) > 1 and "{" not in segments[1] else None
        self.leading: tuple[str | None, str | None] = (first, second)

    def match(self, path: str) -> dict[str, str] | None:
        """Decoded label values for a raw request path, or None."""
        found = self.regex.match(path)
        if found is None:
            return None
        labels = self.labels
        if not labels:
            return {}
        values = found.groups()
        return {labels[index]: unquote(value) if "%" in value else value for index, value in enumerate(values)}

    def __repr__(self) -> str:
        return f"PathTemplate({self.template!r})"


@cache
def path_template(path: str) -> PathTemplate:
    """One compiled template per distinct path across all services."""
    return PathTemplate(path)


def split_request_uri(request_uri: str) -> tuple[PathTemplate, tuple[tuple[str, str | None], ...]]:
    """``/{Bucket}?list-type=2`` -> (template of ``/{Bucket}``, (("list-type", "2"),))."""
    path, _, query = request_uri.partition("?")
    literals: list[tuple[str, str | None]] = []
    for item in query.split("&") if query else ():
        key, sep, value = item.partition("=")
        if key and key not in _OPTIONAL_QUERY_KEYS:
            literals.append((key, value if sep else None))
    return path_template(path or "/"), tuple(literals)


def leading_segments(path: str) -> tuple[str, str | None]:
    """The first two segments of a raw request path (``/a/b/c`` -> ``("a", "b")``, ``/a`` -> ``("a", None)``)."""
    parts = path[1:].split("/", 2)
    return parts[0], parts[1] if len(parts) > 1 else None
