"""ARNs: the one parser and builder, and the partition each region belongs to.

Every service parses and builds ARNs here, so a queue in ``cn-north-1`` is
``arn:aws-cn:sqs:...`` wherever it is named, and a malformed ARN is refused the same way
everywhere (each service still words its own error). Partitions come from botocore's
``partitions.json``, the data the SDKs themselves resolve endpoints with, so a partition
AWS adds arrives with botocore instead of with an edit here.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from hoarfrost.core import catalog

DEFAULT_PARTITION = "aws"

# Partition and service names: lower-case letters, digits and hyphens (aws-iso-b, execute-api).
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


class InvalidArn(ValueError):
    """Text that is not ``arn:<partition>:<service>:<region>:<account>:<resource>``."""

    def __init__(self, text: str) -> None:
        super().__init__(f"not an ARN: {text!r}")
        self.text = text


@dataclass(frozen=True, slots=True)
class Arn:
    """An ARN taken apart; ``str()`` gives the text back unchanged.

    ``region`` is empty for global services (IAM, S3 buckets) and ``account`` for S3 buckets.
    """

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @property
    def resource_type(self) -> str:
        """``role`` of ``role/path/name``, ``function`` of ``function:f``; empty for a bare id
        (an SQS queue or SNS topic name)."""
        return self._split()[0]

    @property
    def resource_id(self) -> str:
        """Everything after the resource type's separator (``path/name``), or the whole resource."""
        return self._split()[1]

    def _split(self) -> tuple[str, str]:
        cut = min((i for i in (self.resource.find("/"), self.resource.find(":")) if i >= 0), default=-1)
        if cut < 0:
            return "", self.resource
        return self.resource[:cut], self.resource[cut + 1:]


def parse_arn(text: str) -> Arn:
    """The ARN ``text`` spells; ``InvalidArn`` for anything else.

    Partition and service must be names, the resource non-empty; region and account may be
    empty (``arn:aws:s3:::bucket``, ``arn:aws:iam::123456789012:root``). The resource keeps
    its own ``:`` and ``/`` (``topic:subscription-id``, ``role/path/name``).
    """
    parts = text.split(":", 5) if isinstance(text, str) else []
    if (len(parts) != 6 or parts[0] != "arn" or not _NAME.fullmatch(parts[1])
            or not _NAME.fullmatch(parts[2]) or not parts[5]):
        raise InvalidArn(str(text))
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def try_parse_arn(text: str) -> Arn | None:
    """``parse_arn`` for callers whose answer to a malformed ARN is their own error."""
    try:
        return parse_arn(text)
    except InvalidArn:
        return None


def build_arn(service: str, region: str, account: str, resource: str, partition: str | None = None) -> str:
    """The ARN text; the partition is the region's unless given (global ARNs such as IAM's
    have an empty region, so pass the caller's region's partition for them)."""
    if partition is None:
        partition = partition_for(region)
    return f"arn:{partition}:{service}:{region}:{account}:{resource}"


# -- partitions --------------------------------------------------------------------------------
@functools.cache
def _partition_table() -> tuple[tuple[str, frozenset[str], re.Pattern[str]], ...]:
    """(id, named regions, region regex) per partition, from botocore's data, read once."""
    data: dict[str, Any] = catalog.botocore_session().get_component("data_loader").load_data("partitions")
    return tuple(
        (entry["id"], frozenset(entry.get("regions") or ()), re.compile(entry["regionRegex"]))
        for entry in data["partitions"]
    )


def partitions() -> tuple[str, ...]:
    """Every partition botocore knows (``aws``, ``aws-cn``, ``aws-us-gov``, ``aws-iso``...)."""
    return tuple(partition for partition, _, _ in _partition_table())


@functools.lru_cache(maxsize=512)  # regions arrive from requests, so the cache is bounded
def partition_for(region: str | None) -> str:
    """The partition of ``region``: a region a partition names, else the first partition whose
    region pattern matches, else ``aws`` (also for the empty region of a global ARN)."""
    if not region:
        return DEFAULT_PARTITION
    table = _partition_table()
    for partition, regions, _ in table:
        if region in regions:
            return partition
    for partition, _, pattern in table:
        if pattern.match(region):
            return partition
    return DEFAULT_PARTITION


@functools.lru_cache(maxsize=64)
def global_region(service: str, region: str | None) -> str:
    """The region a global service (IAM, Organizations, Route 53) keeps its one set of
    resources in, for ``region``'s partition: the credential scope of the partition's global
    endpoint in botocore's ``endpoints.json`` (``us-east-1`` for aws, ``cn-north-1`` for
    aws-cn), else ``region`` itself (or the default region) when the partition has none."""
    partition = partition_for(region)
    data: dict[str, Any] = catalog.botocore_session().get_component("data_loader").load_data("endpoints")
    for entry in data["partitions"]:
        if entry["partition"] != partition:
            continue
        described = entry.get("services", {}).get(service, {})
        endpoint = described.get("endpoints", {}).get(described.get("partitionEndpoint") or "", {})
        scoped = endpoint.get("credentialScope", {}).get("region")
        if scoped:
            return str(scoped)
    return region or "us-east-1"
