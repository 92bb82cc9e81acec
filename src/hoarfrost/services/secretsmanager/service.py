"""Secrets Manager: secrets with versions and staging labels, deletion with a recovery window
by the emulator's clock, resource policies, rotation configuration, replicas in other
regions, and the typed state view."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.views import StatefulService
from hoarfrost.services.secretsmanager import views
from hoarfrost.services.secretsmanager.access import SecretsAccess
from hoarfrost.services.secretsmanager.handlers import ops
from hoarfrost.services.secretsmanager.state import SecretsBackend
from hoarfrost.services.secretsmanager.views import SecretsManagerStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator


class SecretsManagerService(StatefulService[SecretsBackend, SecretsManagerStateView]):
    name: ClassVar[str] = "secretsmanager"
    view_type: ClassVar[type[SecretsManagerStateView]] = SecretsManagerStateView
    operations = ops

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        access = SecretsAccess(self)
        emulator.ports.register_policy_source("secretsmanager", access.secret_policy)
        emulator.ports.register_request_resources("secretsmanager", access)

    def new_backend(self, account: str, region: str) -> SecretsBackend:
        return SecretsBackend(account, region)

    def to_view(self, backend: SecretsBackend, account: str, region: str) -> SecretsManagerStateView:
        return views.to_view(backend)

    def from_view(self, view: SecretsManagerStateView, account: str, region: str) -> SecretsBackend:
        return views.from_view(view, account, region)

    def merge_backend(self, target: SecretsBackend, source: SecretsBackend) -> None:
        views.merge(target, source)

    def scope_for(self, operation: str, request: dict[str, Any], account: str, region: str) -> tuple[str, str]:
        """A SecretId given as an ARN names its region (a replica's, say) and account; the
        caller's scope otherwise, or when that scope never held a secret (the handler then
        answers ResourceNotFoundException)."""
        secret_id = request.get("SecretId")
        if isinstance(secret_id, str) and secret_id.startswith("arn:"):
            arn = try_parse_arn(secret_id)
            if arn is not None and arn.service == "secretsmanager" and self.backends.existing(arn.account, arn.region):
                return arn.account, arn.region
        return account, region
