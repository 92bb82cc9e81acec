"""An operation's error shapes sorted by meaning, from their names and codes.

Services spell the same meaning many ways (``ResourceNotFoundException``, ``NoSuchHostedZone``,
``QueueDoesNotExist``, ``EntityNotFoundException``); these patterns cover the spellings
botocore's models use. An error may fall in several groups (DynamoDB's
``ResourceInUseException`` is a conflict, and what CreateTable answers for a taken name).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from hoarfrost.generic.catalog import ErrorShapes
from hoarfrost.generic.model import ServiceView

_PATTERNS: dict[str, re.Pattern[str]] = {
    "not_found": re.compile(r"NotFound|NoSuch|DoesNotExist|NotExist|NonExistent", re.I),
    "already_exists": re.compile(r"AlreadyExist|Exists(Exception|Fault)?$|Duplicate|NameInUse|AlreadyOwned", re.I),
    "conflict": re.compile(r"Conflict|InUse|ConcurrentModification|InvalidState|IncorrectState"
                           r"|NotEmpty|PreconditionFailed|Dependency", re.I),
    "validation": re.compile(r"Validation|InvalidParameter|InvalidInput|InvalidRequest|BadRequest|InvalidArgument"
                             r"|MalformedQueryString|InvalidValue|MissingParameter|InvalidAction", re.I),
    "limit": re.compile(r"LimitExceeded|TooMany|QuotaExceeded|ServiceQuota", re.I),
}


def classify(view: ServiceView, operation: str) -> ErrorShapes:
    groups: dict[str, list[str]] = {name: [] for name in _PATTERNS}
    for shape in view.errors(operation):
        spellings = (shape, view.error_code(shape))
        for group, pattern in _PATTERNS.items():
            if any(pattern.search(text) for text in spellings):
                groups[group].append(shape)
    return ErrorShapes(**{name: tuple(shapes) for name, shapes in groups.items()})


_COLLISION = re.compile(r"Conflict|InUse", re.I)


def collisions(conflicts: Iterable[str]) -> list[str]:
    """The conflicts a create answers for a name already taken (ConflictException, DynamoDB's
    ResourceInUseException), not for a concurrent change."""
    return [name for name in conflicts if _COLLISION.search(name) and "concurrent" not in name.lower()]


def preferred(shapes: Iterable[str], noun: str) -> str | None:
    """The error to answer with: one naming the noun (RepositoryNotFoundException) before a
    generic one, then the most used."""
    counts = Counter(shapes)
    if not counts:
        return None
    lower = noun.lower()
    return sorted(counts, key=lambda name: (lower not in name.lower(), -counts[name], name))[0]
