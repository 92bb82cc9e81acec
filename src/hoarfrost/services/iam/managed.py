"""AWS managed policies (``arn:<partition>:iam::aws:policy/<path><name>``): read once from
``data/aws_managed_policies.json``, the same in every account, attachable like customer
policies and listed by ListPolicies with Scope AWS."""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from importlib import resources

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.services.iam.state import stable_id

# When AWS published them, as far as hoarfrost is concerned (one date for all).
PUBLISHED = dt.datetime(2015, 2, 6, 18, 39, 46, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class AwsPolicy:
    policy_name: str
    path: str
    description: str
    default_version_id: str
    document: str
    policy_id: str

    def arn(self, partition: str) -> str:
        return f"arn:{partition}:iam::aws:policy{self.path}{self.policy_name}"


@functools.cache
def _catalog() -> dict[str, AwsPolicy]:
    """Policies by ``<path><name>`` (the ARN's resource after ``policy``)."""
    text = resources.files("hoarfrost.services.iam").joinpath("data/aws_managed_policies.json").read_text("utf-8")
    found: dict[str, AwsPolicy] = {}
    for item in json.loads(text)["policies"]:
        policy = AwsPolicy(item["policy_name"], item["path"], item["description"], item["default_version_id"],
                           json.dumps(item["document"], indent=4), stable_id("ANPA", item["policy_name"]))
        found[policy.path + policy.policy_name] = policy
    return found


def aws_policies() -> list[AwsPolicy]:
    return list(_catalog().values())


def is_aws_arn(arn: str) -> bool:
    return arn.split(":", 5)[4:5] == ["aws"]


def aws_policy(arn: str) -> AwsPolicy | None:
    """The AWS managed policy ``arn`` names (in any partition), None otherwise."""
    parsed = try_parse_arn(arn)
    if parsed is None or parsed.account != "aws" or parsed.service != "iam" or parsed.region:
        return None
    if not parsed.resource.startswith("policy/"):
        return None
    return _catalog().get(parsed.resource[len("policy"):])
