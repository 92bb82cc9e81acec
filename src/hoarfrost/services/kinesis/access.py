"""What IAM enforcement asks of Kinesis before a request runs: the ARN of the stream or consumer
a request acts on (named by StreamName, StreamARN, ConsumerARN, ResourceARN, or the shard
iterator GetRecords carries), so identity policies scoped to streams and the stream's or
consumer's resource policy take part. Lock-free: it only parses the request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.kit.paging import token_key
from hoarfrost.services.kinesis.handlers.records import ITERATOR_KIND


class KinesisAccess:
    """Kinesis's ``core.ports.RequestResources``."""

    def resource(self, operation: str, params: Mapping[str, Any], account: str, region: str) -> str | None:
        for member in ("ConsumerARN", "ResourceARN", "StreamARN"):
            value = params.get(member)
            if isinstance(value, str) and value.startswith("arn:"):
                return value
        name = params.get("StreamName")
        if isinstance(name, str) and name:
            return build_arn("kinesis", region, account, f"stream/{name}")
        iterator = params.get("ShardIterator")
        if isinstance(iterator, str):
            try:
                position = token_key(ITERATOR_KIND, iterator, ValueError)
            except ValueError:
                return None
            if isinstance(position, tuple) and len(position) == 8:
                return build_arn("kinesis", str(position[1]), str(position[0]), f"stream/{position[2]}")
        return None

    def condition_keys(self, operation: str, params: Mapping[str, Any], account: str) -> Mapping[str, Any]:
        return {}
