"""The session-policy and session-tag rules STS applies beyond what botocore's model says.

The generic validator already checks lengths, ranges and the patterns Python's ``re`` can read
(DurationSeconds 900..43200, RoleSessionName ``[\\w+=,.@-]*`` 2..64, at most 50 tags...). What
is left is here: the tag character class (a Java ``\\p{...}`` pattern the generic validator has
to skip), case-insensitive duplicate keys, transitive keys, the inline policy being JSON, and
the *packed* size limit.

Packed size: AWS compresses session policies, policy ARNs and tags into a binary form with its
own limit and reports ``PackedPolicySize`` as a percentage of it. hoarfrost models that as
zlib-compressed minified policy + ARNs + tag text against a 2,048-byte allowance: incompressible
or very large policies and tag sets hit ``PackedPolicyTooLarge`` as they would on AWS, typical
ones answer a small percentage. The exact percentage is not AWS's.
"""

from __future__ import annotations

import json
import math
import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from typing import Any

from hoarfrost.core.errors import ValidationError
from hoarfrost.core.kit.documents import json_object
from hoarfrost.services.sts.errors import errors

PACKED_ALLOWANCE = 2048
_TAG_PUNCTUATION = frozenset("_.:/=+-@")
_TAG_KEY_PATTERN = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+"
_TAG_VALUE_PATTERN = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*"


def parse_policy(policy: str | None) -> Any:
    """The inline session policy as JSON; anything else is ``MalformedPolicyDocument``."""
    if policy is None:
        return None
    document = json_object(policy)
    if document is None:
        raise errors.MalformedPolicyDocumentException("The policy is not in the valid JSON format.")
    return document


def _tag_text_ok(text: str) -> bool:
    for char in text:
        if char not in _TAG_PUNCTUATION and unicodedata.category(char)[0] not in "LZN":
            return False
    return True


def session_tags(tags: Iterable[Mapping[str, str]] | None, transitive_keys: Iterable[str] | None,
                 inherited: Mapping[str, str] | None = None) -> dict[str, str]:
    """Validate the request's ``Tags`` / ``TransitiveTagKeys`` and return key -> value.

    ``inherited`` are the calling session's transitive tags: a request may not set them again.
    """
    result: dict[str, str] = {}
    problems: list[str] = []
    seen: set[str] = set()
    for index, tag in enumerate(tags or (), 1):
        key, value = tag.get("Key", ""), tag.get("Value", "")
        if not _tag_text_ok(key):
            problems.append(f"Value '{key}' at 'tags.{index}.member.key' failed to satisfy constraint: "
                            f"Member must satisfy regular expression pattern: {_TAG_KEY_PATTERN}")
        if not _tag_text_ok(value):
            problems.append(f"Value '{value}' at 'tags.{index}.member.value' failed to satisfy constraint: "
                            f"Member must satisfy regular expression pattern: {_TAG_VALUE_PATTERN}")
        folded = key.lower()
        if folded in seen:
            raise errors.InvalidParameterValue(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
        seen.add(folded)
        result[key] = value
    if problems:
        noun = "error" if len(problems) == 1 else "errors"
        raise ValidationError(f"{len(problems)} validation {noun} detected: " + "; ".join(problems))
    for key in transitive_keys or ():
        if key.lower() not in seen:
            raise errors.InvalidParameterValue(
                "The specified transitive tag key must be included in the requested tags.")
    if inherited:
        clash = seen & {key.lower() for key in inherited}
        if clash:
            raise errors.InvalidParameterValue(
                "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag "
                "key from the calling session."
            )
    return result


def packed_policy_size(policy: Any, policy_arns: Iterable[str], tags: Mapping[str, str]) -> int:
    """Percentage of the packed allowance used; raises ``PackedPolicyTooLarge`` above 100."""
    packed = 0
    if policy is not None:
        packed += len(zlib.compress(json.dumps(policy, separators=(",", ":")).encode("utf-8"), 9))
    packed += sum(len(arn) for arn in policy_arns)
    packed += sum(len(key) + len(value) + 2 for key, value in tags.items())
    percent = math.ceil(100 * packed / PACKED_ALLOWANCE)
    if percent > 100:
        raise errors.PackedPolicyTooLargeException(
            f"Packed policy consumes {percent}% of allotted space, please use smaller policy.")
    return percent


def policy_arn_list(descriptors: Iterable[Mapping[str, str]] | None) -> list[str]:
    """``PolicyArns`` (a list of ``{"arn": ...}``) as plain ARNs; at most 10 like AWS."""
    arns = [descriptor["arn"] for descriptor in descriptors or () if descriptor.get("arn")]
    if len(arns) > 10:
        raise ValidationError(
            f"1 validation error detected: Value '{arns}' at 'policyArns' failed to satisfy constraint: "
            "Member must have length less than or equal to 10"
        )
    return arns
