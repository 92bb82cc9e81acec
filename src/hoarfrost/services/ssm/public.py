"""Public parameters AWS publishes under ``/aws/service/``, the few tests reach for most:
the global infrastructure (every region botocore knows, its long name and partition) and the
latest Amazon Linux AMIs. They are data, readable in every account and region, never stored
in a scope and never in a view. AMI ids are stable per region and name (hoarfrost's own ids,
not AWS's, since EC2 here has no real images)."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from hoarfrost.core import catalog
from hoarfrost.core.kit.arn import partition_for

PREFIX = "/aws/service/"
AMI_PATH = "/aws/service/ami-amazon-linux-latest/"
AMI_NAMES = (
    "al2023-ami-kernel-default-x86_64", "al2023-ami-kernel-default-arm64", "al2023-ami-kernel-6.1-x86_64",
    "al2023-ami-kernel-6.1-arm64", "al2023-ami-minimal-kernel-default-x86_64",
    "al2023-ami-minimal-kernel-default-arm64", "amzn2-ami-hvm-x86_64-gp2", "amzn2-ami-hvm-arm64-gp2",
    "amzn2-ami-kernel-5.10-hvm-x86_64-gp2", "amzn2-ami-kernel-5.10-hvm-arm64-gp2",
)
# 2024-01-01T00:00:00Z: when these values were last modified, as far as hoarfrost knows.
MODIFIED = 1_704_067_200.0


@dataclass(frozen=True, slots=True)
class PublicParameter:
    name: str
    value: str
    data_type: str = "text"


def _ami(region: str, name: str) -> str:
    return "ami-" + hashlib.sha256(f"{region}/{name}".encode()).hexdigest()[:17]


@functools.lru_cache(maxsize=32)
def parameters(region: str) -> dict[str, PublicParameter]:
    """Every public parameter as seen from ``region``, by name (sorted)."""
    found: dict[str, PublicParameter] = {}
    endpoints = catalog.botocore_session().get_component("data_loader").load_data("endpoints")
    base = "/aws/service/global-infrastructure/regions/"
    for partition in endpoints["partitions"]:
        for code, info in partition.get("regions", {}).items():
            found[base + code] = PublicParameter(base + code, code)
            found[f"{base}{code}/longName"] = PublicParameter(f"{base}{code}/longName", info.get("description", code))
            found[f"{base}{code}/partition"] = PublicParameter(f"{base}{code}/partition", partition["partition"])
    if partition_for(region) == "aws":
        for name in AMI_NAMES:
            found[AMI_PATH + name] = PublicParameter(AMI_PATH + name, _ami(region, name), "aws:ec2:image")
    return dict(sorted(found.items()))


@functools.lru_cache(maxsize=32)
def names(region: str) -> list[str]:
    return list(parameters(region))
