"""What IAM enforcement asks of Secrets Manager before a request runs: the ARN of the secret a
request names (only the service knows the random suffix of a name's ARN) and the secret's
resource policy. Dictionary reads without the scope's lock, like the delivery ports' probes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.services.secretsmanager.state import SUFFIX_LENGTH, Secret, SecretsBackend, secret_arn

if TYPE_CHECKING:
    from hoarfrost.services.secretsmanager.service import SecretsManagerService


class SecretsAccess:
    def __init__(self, service: SecretsManagerService) -> None:
        self._service = service

    def _backend(self, account: str, region: str) -> SecretsBackend | None:
        scope = self._service.backends.existing(account, region)
        return scope.backend if scope is not None else None

    def _secret(self, secret_id: str, account: str, region: str) -> Secret | None:
        arn = try_parse_arn(secret_id) if secret_id.startswith("arn:") else None
        if arn is not None:
            account, region = arn.account, arn.region
        backend = self._backend(account, region)
        return backend.named(secret_id) if backend is not None else None

    # -- core.ports.RequestResources ------------------------------------------------------------
    def resource(self, operation: str, params: Mapping[str, Any], account: str, region: str) -> str | None:
        """The named secret's ARN. A secret being created has no suffix yet: its ARN is named
        with ``??????`` in the suffix's place, which ``secret:<name>-*`` patterns match."""
        secret_id = params.get("SecretId")
        if isinstance(secret_id, str) and secret_id:
            secret = self._secret(secret_id, account, region)
            return secret.arn if secret is not None else None
        name = params.get("Name")
        if operation == "CreateSecret" and isinstance(name, str) and name:
            return secret_arn(region, account, name, "?" * SUFFIX_LENGTH)
        return None

    def condition_keys(self, operation: str, params: Mapping[str, Any], account: str) -> Mapping[str, Any]:
        """``secretsmanager:SecretId`` and ``secretsmanager:Name`` as the request gives them."""
        keys: dict[str, Any] = {}
        if isinstance(params.get("SecretId"), str):
            keys["secretsmanager:SecretId"] = params["SecretId"]
        if isinstance(params.get("Name"), str):
            keys["secretsmanager:Name"] = params["Name"]
        return keys

    # -- the policy source -----------------------------------------------------------------------
    def secret_policy(self, arn: str) -> str | None:
        parsed = try_parse_arn(arn)
        if parsed is None:
            return None
        secret = self._secret(arn, parsed.account, parsed.region)
        return secret.resource_policy if secret is not None else None
