"""Tags: the list and map forms, and the rules AWS applies to them, once for every service.

Services differ in wording, not in substance: a key is 1..128 characters, a value 0..256, a
resource holds at most 50 (S3 objects 10), and keys starting with ``aws:`` (in any case)
belong to AWS: a caller may neither set nor remove them, and they do not count against the
limit. A service states its limits and its errors once in a ``TagRules``; the functions
here apply them, and TagResource-style calls count the limit on the union of the tags a
resource has and the ones being added, as AWS does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from hoarfrost.core.errors import ValidationException

RESERVED_PREFIX = "aws:"


def _too_many(limit: int) -> Exception:
    return ValidationException(f"A resource can have at most {limit} tags")


def _bad_key(key: str) -> Exception:
    return ValidationException(f"Tag key {key!r} must be between 1 and 128 characters long")


def _bad_value(key: str, value: str) -> Exception:
    return ValidationException(f"The value of tag {key!r} must be at most 256 characters long")


def _reserved(key: str) -> Exception:
    return ValidationException(f"Tag keys starting with '{RESERVED_PREFIX}' are reserved for AWS: {key!r}")


@dataclass(frozen=True, slots=True)
class TagRules:
    """One service's (or resource type's) tag limits, member names and errors.

    Each error factory gets the offending key (``bad_value`` also the value; ``too_many``
    the limit) and returns the exception to raise. ``reserved_prefix`` None turns the
    ``aws:`` rule off; ``duplicate`` None lets a repeated key's last value win.
    """

    max_tags: int = 50
    min_key_length: int = 1
    max_key_length: int = 128
    max_value_length: int = 256
    reserved_prefix: str | None = RESERVED_PREFIX
    key_member: str = "Key"
    value_member: str = "Value"
    too_many: Callable[[int], Exception] = _too_many
    bad_key: Callable[[str], Exception] = _bad_key
    bad_value: Callable[[str, str], Exception] = _bad_value
    reserved: Callable[[str], Exception] = _reserved
    duplicate: Callable[[str], Exception] | None = None

    def is_reserved(self, key: str) -> bool:
        prefix = self.reserved_prefix
        return prefix is not None and key[: len(prefix)].lower() == prefix.lower()

    def check_tag(self, key: str, value: str) -> None:
        """One tag's key and value (the reserved prefix first, as AWS reports it)."""
        if self.is_reserved(key):
            raise self.reserved(key)
        if not self.min_key_length <= len(key) <= self.max_key_length:
            raise self.bad_key(key)
        if len(value) > self.max_value_length:
            raise self.bad_value(key, value)


DEFAULT_RULES = TagRules()


def to_list(tags: Mapping[str, str], rules: TagRules = DEFAULT_RULES) -> list[dict[str, str]]:
    """The list form, ``[{"Key": k, "Value": v}]`` (member names from ``rules``), in map order."""
    return [{rules.key_member: key, rules.value_member: value} for key, value in tags.items()]


def from_list(items: Iterable[Mapping[str, str]] | None, rules: TagRules = DEFAULT_RULES) -> dict[str, str]:
    """The map form of a request's tag list, every tag checked (not the count: see ``check``).

    A missing key reads as the empty key and a missing value as the empty value.
    """
    result: dict[str, str] = {}
    for item in items or ():
        key, value = item.get(rules.key_member) or "", item.get(rules.value_member) or ""
        if key in result and rules.duplicate is not None:
            raise rules.duplicate(key)
        rules.check_tag(key, value)
        result[key] = value
    return result


def counted(tags: Iterable[str], rules: TagRules = DEFAULT_RULES) -> int:
    """How many of ``tags`` count against the limit (reserved ones do not)."""
    return sum(1 for key in tags if not rules.is_reserved(key))


def check(tags: Mapping[str, str], rules: TagRules = DEFAULT_RULES) -> dict[str, str]:
    """A complete tag set (CreateX's tags, S3's Put*Tagging) checked tag by tag and counted;
    a copy of it."""
    for key, value in tags.items():
        rules.check_tag(key, value)
    if counted(tags, rules) > rules.max_tags:
        raise rules.too_many(rules.max_tags)
    return dict(tags)


def tag(current: dict[str, str], new: Mapping[str, str], rules: TagRules = DEFAULT_RULES) -> None:
    """TagResource: add or overwrite ``new`` in ``current`` (in place), the limit counted on
    the union; nothing changes when anything is refused."""
    for key, value in new.items():
        rules.check_tag(key, value)
    if counted(current.keys() | new.keys(), rules) > rules.max_tags:
        raise rules.too_many(rules.max_tags)
    current.update(new)


def untag(current: dict[str, str], keys: Iterable[str], rules: TagRules = DEFAULT_RULES) -> None:
    """UntagResource: remove ``keys`` (absent ones are ignored, as AWS does); a reserved key
    is refused and then nothing is removed."""
    keys = list(keys)
    for key in keys:
        if rules.is_reserved(key):
            raise rules.reserved(key)
    for key in keys:
        current.pop(key, None)
