"""Secrets Manager: secrets with versions and staging labels, deletion with a recovery window
by the emulator's clock, resource policies, rotation configuration, replicas in other
regions, and the typed state view."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.views import StatefulService
from hoarfrost.services.secretsmanager import views
from hoarfrost.services.secretsmanager.access import SecretsAccess
from hoarfrost.services.secretsmanager.handlers import ops
from hoarfrost.services.secretsmanager.rotator import Rotation, Rotator
from hoarfrost.services.secretsmanager.schedule import next_rotation
from hoarfrost.services.secretsmanager.state import CURRENT, PENDING, SecretsBackend
from hoarfrost.services.secretsmanager.views import SecretsManagerStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator


class SecretsManagerService(StatefulService[SecretsBackend, SecretsManagerStateView]):
    name: ClassVar[str] = "secretsmanager"
    view_type: ClassVar[type[SecretsManagerStateView]] = SecretsManagerStateView
    operations = ops

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        # Runs rotation functions off the request (see rotator.py); its thread starts on demand.
        self.rotator = Rotator(self)
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

    # -- rotation ---------------------------------------------------------------------------
    def wake_all(self) -> None:
        """The clock moved: besides waking waiters, start the rotations whose scheduled date
        has now passed."""
        super().wake_all()
        for rotation in self.due_rotations():
            self.rotator.submit(rotation)

    def due_rotations(self) -> list[Rotation]:
        """Rotations the schedule asks for now, each secret's next date moved on past them.

        A rotation left incomplete (AWSPENDING on a version that is not current) is reattempted
        with that version's id, as AWS reattempts it. Looks at every secret: it runs when the
        clock is advanced, never on a request."""
        now = self.emulator.clock.time()
        due: list[Rotation] = []
        for scope in self.backends:
            found = False
            with scope.lock:
                for secret in scope.backend.secrets.values():
                    if (not secret.rotation_enabled or secret.next_rotation is None or secret.next_rotation > now
                            or secret.rotation_lambda_arn is None or secret.is_replica or secret.deleted is not None):
                        continue
                    pending = secret.version_with(PENDING)
                    token = (pending.version_id if pending is not None and CURRENT not in pending.stages
                             else str(uuid.uuid4()))
                    secret.next_rotation = next_rotation(secret.rotation_rules, now)
                    due.append(Rotation(scope.account, scope.region, secret.arn, secret.name,
                                        secret.rotation_lambda_arn, token, str(uuid.uuid4())))
                    found = True
            if found:
                self.notify_state_changed(scope.account, scope.region, "RotateSecret")
        return due

    def wait_for_rotations(self, timeout: float = 10.0) -> bool:
        """Block until every started rotation finished; False if ``timeout`` passed (tests)."""
        return self.rotator.wait_idle(timeout)

    def reset(self, account: str | None = None, region: str | None = None) -> None:
        if account is None and region is None:
            self.rotator.stop()
        super().reset(account, region)

    def close(self) -> None:
        self.rotator.stop()
