"""What a Host header says: region, S3 virtual-hosted bucket, endpoint prefix candidates.

Parsed once per distinct host and cached, since a process sees few distinct hosts:
``sqs.us-west-2.amazonaws.com`` -> region us-west-2, prefixes ("sqs",);
``bucket.s3.us-west-2.amazonaws.com`` / ``bucket.localhost:4566`` /
``bucket.localhost.localstack.cloud`` -> bucket "bucket" (used only when the request is S3's);
``localhost``, IP addresses and other custom hosts give nothing.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$")
_AWS_DOMAINS = ("amazonaws.com", "amazonaws.com.cn", "api.aws", "c2s.ic.gov", "sc2s.sgov.gov",
                "localhost.localstack.cloud", "aws.amazon.com", "amazon.com")
# ``s3-<suffix>`` labels that are other services (S3 Control, access points), not S3's bucket host.
_NOT_S3_BUCKET_LABELS = ("s3-control", "s3-accesspoint", "s3-object-lambda", "s3-outposts")
_CACHE_LIMIT = 4096


class HostInfo(NamedTuple):
    region: str | None
    bucket: str | None  # S3 virtual-hosted-style bucket
    endpoint_prefixes: tuple[str, ...]  # candidates, longest first ("runtime.sagemaker", "sagemaker")


_NOTHING = HostInfo(None, None, ())
_cache: dict[str, HostInfo] = {}


def host_info(host: str) -> HostInfo:
    info = _cache.get(host)
    if info is None:
        info = _parse(host)
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        _cache[host] = info
    return info


def is_region(label: str) -> bool:
    return _REGION.match(label) is not None


def _s3_label_region(label: str) -> tuple[bool, str | None]:
    """Is this label S3's own (``s3``, ``s3-us-west-2``, ``s3-external-1``, ``s3express-...``)?"""
    if label == "s3":
        return True, None
    if label.startswith("s3-") and not label.startswith(_NOT_S3_BUCKET_LABELS):
        rest = label[3:]
        return True, rest if is_region(rest) else None
    if label.startswith("s3express-"):
        return True, None
    return False, None


def _parse(host: str) -> HostInfo:
    name = host.lower()
    if name.startswith("["):  # IPv6 literal
        return _NOTHING
    name = name.rsplit(":", 1)[0] if ":" in name else name
    labels = name.split(".")
    if not name or labels[-1].isdigit():  # empty or an IPv4 address
        return _NOTHING
    region: str | None = None
    region_index = -1
    for index, label in enumerate(labels):
        if is_region(label):
            region, region_index = label, index
            break
    bucket: str | None = None
    bucket_labels = 0  # leading labels that are the bucket, not the service
    for index, label in enumerate(labels):
        is_s3, legacy_region = _s3_label_region(label)
        if is_s3:
            if index > 0:
                bucket = ".".join(labels[:index])
                bucket_labels = index
            region = region or legacy_region
            break
    if bucket is None and len(labels) >= 2 and labels[-1] == "localhost":
        bucket = ".".join(labels[:-1])
    if bucket is None and name.endswith(".localhost.localstack.cloud") and region is None:
        # botocore with endpoint_url=http://localhost.localstack.cloud:4566 and virtual addressing
        bucket = ".".join(labels[:-3]) or None
        bucket_labels = len(labels) - 3
    prefixes: tuple[str, ...] = ()
    if name.endswith(_AWS_DOMAINS):
        if region_index < 0:
            domain = next(d for d in _AWS_DOMAINS if name.endswith(d))
            region_index = len(labels) - domain.count(".") - 1
        head = labels[bucket_labels:region_index] if region_index >= 0 else []
        if not head and region is not None:  # region first: us-east-1.signin.aws.amazon.com
            domain = next(d for d in _AWS_DOMAINS if name.endswith(d))
            head = labels[region_index + 1:len(labels) - domain.count(".") - 1]
        if head and head[-1].endswith("-fips"):
            head = [*head[:-1], head[-1][:-5]]
        while head and head[-1] in ("fips", "dualstack"):
            head = head[:-1]
        # Every contiguous run of labels, longest first: "runtime.sagemaker", "sagemaker";
        # "codecatalyst.global", "codecatalyst", "global".
        runs = [".".join(head[start:end]) for start in range(len(head)) for end in range(start + 1, len(head) + 1)]
        prefixes = tuple(sorted(runs, key=lambda run: -run.count(".")))
    return HostInfo(region, bucket, prefixes)
