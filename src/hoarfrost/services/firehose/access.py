"""What IAM enforcement asks of Firehose before a request runs: the delivery stream's ARN
(requests name it by DeliveryStreamName only), so identity policies scoped to delivery streams
apply. Lock-free: it only parses the request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hoarfrost.core.kit.arn import build_arn


class FirehoseAccess:
    """Firehose's ``core.ports.RequestResources``."""

    def resource(self, operation: str, params: Mapping[str, Any], account: str, region: str) -> str | None:
        name = params.get("DeliveryStreamName")
        if isinstance(name, str) and name:
            return build_arn("firehose", region, account, f"deliverystream/{name}")
        return None

    def condition_keys(self, operation: str, params: Mapping[str, Any], account: str) -> Mapping[str, Any]:
        return {}
