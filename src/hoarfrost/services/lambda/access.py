"""What IAM enforcement asks of Lambda before a request runs: the function ARN a request acts
on (qualified when it names a version or alias, as AWS authorises it: ``function:name`` does
not cover ``function:name:1``) and the function's resource policy (its AddPermission
statements). Dictionary reads without the scope's lock, like the delivery ports' probes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.arn import build_arn, try_parse_arn

from .handlers.common import split_name

if TYPE_CHECKING:
    from .service import LambdaService


class LambdaAccess:
    def __init__(self, service: LambdaService) -> None:
        self._service = service

    # -- core.ports.RequestResources ------------------------------------------------------------
    def resource(self, operation: str, params: Mapping[str, Any], account: str, region: str) -> str | None:
        text = params.get("FunctionName")
        if not isinstance(text, str) or not text:
            return None
        try:
            name, qualifier, arn_account, arn_region = split_name(text)
        except ServiceError:
            return None
        given = params.get("Qualifier")
        qualifier = given if isinstance(given, str) and given else qualifier
        resource = f"function:{name}" + (f":{qualifier}" if qualifier else "")
        return build_arn("lambda", arn_region or region, arn_account or account, resource)

    def condition_keys(self, operation: str, params: Mapping[str, Any], account: str) -> Mapping[str, Any]:
        """Lambda's own condition keys (``lambda:FunctionUrlAuthType``, ``lambda:Layer``...) are
        not filled yet: a policy testing one sees it absent."""
        return {}

    # -- the policy source -----------------------------------------------------------------------
    def function_policy(self, arn: str) -> str | None:
        parsed = try_parse_arn(arn)
        if parsed is None or not parsed.resource.startswith("function:"):
            return None
        scope = self._service.backends.existing(parsed.account, parsed.region)
        name = parsed.resource[len("function:"):].partition(":")[0]
        function = scope.backend.functions.get(name) if scope is not None else None
        if function is None or not function.statements:
            return None
        return json.dumps(function.policy_document())
