"""AWS KMS: keys of every key spec with real cryptography, aliases, grants, key policies,
rotation, imported material, multi-Region keys, and KMS's typed state view. KMS registers the
key port (``emulator.keys``, see ``core.kms_port``) through which Secrets Manager and SSM
encrypt; it never calls into another service, which keeps that port's lock order safe."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from hoarfrost.core.http import HttpRequest
from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kms_port import AfterCommit
from hoarfrost.core.operations import RequestContext
from hoarfrost.core.views import StatefulService
from hoarfrost.services.kms import views
from hoarfrost.services.kms.access import KmsAccess
from hoarfrost.services.kms.handlers import ops
from hoarfrost.services.kms.port import KmsKeys
from hoarfrost.services.kms.state import DAY, PENDING_DELETION, PENDING_REPLICA_DELETION, Due, KmsBackend
from hoarfrost.services.kms.views import KmsStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator

# Request members naming the key an operation works on, most specific first.
_KEY_MEMBERS = ("KeyId", "SourceKeyId", "TargetKeyId")


class KmsService(StatefulService[KmsBackend, KmsStateView]):
    name: ClassVar[str] = "kms"
    view_type: ClassVar[type[KmsStateView]] = KmsStateView
    operations = ops

    def new_backend(self, account: str, region: str) -> KmsBackend:
        return KmsBackend(account=account, region=region)

    def to_view(self, backend: KmsBackend, account: str, region: str) -> KmsStateView:
        return views.to_view(backend)

    def from_view(self, view: KmsStateView, account: str, region: str) -> KmsBackend:
        return views.from_view(view, account, region)

    def merge_backend(self, target: KmsBackend, source: KmsBackend) -> None:
        views.merge(target, source)

    def scope_for(self, operation: str, request: dict[str, Any], account: str, region: str) -> tuple[str, str]:
        """The scope of the key the request names by key or alias ARN (another account's key
        is used there); the caller's otherwise."""
        for member in _KEY_MEMBERS:
            text = request.get(member)
            if isinstance(text, str):
                return self.scope_of_key(text, account, region)
        return account, region

    @staticmethod
    def scope_of_key(text: str, account: str, region: str) -> tuple[str, str]:
        """Where a key identifier points: a KMS ARN's account and region, else the caller's."""
        if text.startswith("arn:"):
            arn = try_parse_arn(text)
            if arn is not None and arn.service == "kms" and arn.account and arn.region:
                return arn.account, arn.region
        return account, region

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        emulator.keys.register(KmsKeys(self))
        access = KmsAccess(self)
        emulator.ports.register_policy_source("kms", access.key_policy, required=True)
        emulator.ports.register_request_resources("kms", access)

    def invoke(self, account: str, region: str, operation: str, request: dict[str, Any], *,
               access_key: str | None = None, after_commit: AfterCommit | None = None) -> dict[str, Any]:
        """Run one KMS operation for another service on behalf of ``account`` in ``region``
        (``access_key``: the caller's credentials, which key policies and grants judge): the
        same checks and answers as an API call, so a disabled key raises DisabledException and
        ``alias/aws/<service>`` makes its managed key on first use.

        The caller may hold its own service's lock (KMS never calls back into it; see
        ``core.kms_port``); it must not hold a KMS lock. Notifications and follow-up work go to
        ``after_commit`` when given (so they run once the caller's lock is released), else run
        here after KMS's lock is released."""
        handler = self.operations.resolve()[operation]
        where = self.scope_for(operation, request, account, region)
        scope = self.backends.scope(*where)
        ctx: RequestContext[KmsBackend, KmsService] = RequestContext(
            self.emulator, self, operation, account, region, scope, HttpRequest("POST", "/"),
            access_key if access_key is not None else account, f"internal-{operation}", "json")
        with scope.lock:
            output = handler.fn(ctx, request)
        work: list[Callable[[], None]] = []
        if (handler.mutates or ctx.changed) and self.notifier.listeners:
            for changed_account, changed_region in ctx.changed_scopes():
                work.append(functools.partial(self.notify_state_changed, changed_account, changed_region, operation))
        work.extend(ctx.after or ())
        for item in work:
            if after_commit is not None:
                after_commit(item)
            else:
                item()
        return output if isinstance(output, dict) else {}

    def wake_all(self) -> None:
        """The clock moved: apply what became due in every scope (deletions, rotations,
        expiring material) at once, so other regions see it too, then wake any waiter."""
        now = self.clock.time()
        for scope in list(self.backends):
            with scope.lock:
                due = scope.backend.catch_up(now)
            if due.changed:
                self.notify_state_changed(scope.account, scope.region, "ClockAdvanced")
                self.follow_up(scope.account, scope.region, due)
        super().wake_all()

    def follow_up(self, account: str, region: str, due: Due) -> None:
        """Carry what a scope's catch-up did to the other regions of its multi-Region keys."""
        for key_id in due.rotated:
            self.sync_replicas(account, region, key_id)
        for key_id, primary in due.replicas_gone:
            self.forget_replica(account, primary, key_id, region)

    def forget_replica(self, account: str, primary_region: str, key_id: str, replica_region: str) -> None:
        """A replica was deleted: its primary no longer lists it, and a primary that waited
        for its last replica (PendingReplicaDeletion) starts its own waiting period."""
        scope = self.backends.scope(account, primary_region)
        with scope.lock:
            primary = scope.backend.keys.get(key_id)
            if primary is None:
                return
            primary.replica_regions = [where for where in primary.replica_regions if where != replica_region]
            if primary.key_state == PENDING_REPLICA_DELETION and not primary.replica_regions:
                primary.key_state = PENDING_DELETION
                primary.deletion_date = self.clock.time() + (primary.pending_window_days or 30) * DAY
                scope.backend.schedule(primary)
        self.notify_state_changed(account, primary_region, "ReplicaDeleted")
        self.sync_replicas(account, primary_region, key_id)

    def sync_replicas(self, account: str, region: str, key_id: str) -> None:
        """Make every copy of the multi-Region key ``key_id`` agree with its copy in ``region``:
        the same material generations, current material, primary region and replica regions.
        Runs after commit, one scope lock at a time."""
        source = self.backends.scope(account, region)
        with source.lock:
            key = source.backend.keys.get(key_id)
            if key is None or not key.multi_region:
                return
            materials = copy.deepcopy(key.materials)
            current, primary, replicas = key.current_material, key.primary_region, list(key.replica_regions)
        for where in {primary or region, *replicas} - {region}:
            scope = self.backends.scope(account, where)
            with scope.lock:
                copy_ = scope.backend.keys.get(key_id)
                if copy_ is None:
                    continue
                for material_id, material in materials.items():
                    copy_.materials.setdefault(material_id, copy.deepcopy(material))
                copy_.current_material = current
                copy_.primary_region, copy_.replica_regions = primary, list(replicas)
            self.notify_state_changed(account, where, "SyncReplicas")
