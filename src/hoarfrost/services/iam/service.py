"""IamService: IAM's one backend per account, and the two indexes other services read.

IAM is global: whatever region a client names, a request works in the account's one backend,
kept under the partition's global region (``us-east-1`` for aws, ``cn-north-1`` for aws-cn).

Two process-wide indexes make IAM visible to the rest of hoarfrost without any service
importing it, both read without a lock (a dict look-up) and kept in step by the handlers (and
rebuilt for a scope by ``backend_replaced`` after restore, merge and reset):

* access keys: ``AccountMap`` asks ``identity_of`` on every request signed with an ``AKIA`` key,
  so the key *is* its user everywhere; an Inactive or deleted key answers an inactive identity,
  which the pipeline refuses with the protocol's invalid-token error. ``key_used`` records
  GetAccessKeyLastUsed's answer.
* roles: ``AccountMap.roles`` (the ``RoleDirectory`` port) lets STS check AssumeRole against the
  role IAM holds (its id, MaxSessionDuration, trust policy) and record RoleLastUsed.

With enforcement on, ``AccountMap.authorizer`` (``authorizer.IamAuthorizer``) answers the
pipeline's question for every request not signed by a root, from the same state.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from hoarfrost.core.accounts import Identity, RoleInfo
from hoarfrost.core.kit.arn import global_region, partition_for, try_parse_arn
from hoarfrost.core.operations import Handler, OperationHandler, RequestContext
from hoarfrost.core.views import StatefulService, StateViewError
from hoarfrost.services.iam import views
from hoarfrost.services.iam.authorizer import IamAuthorizer
from hoarfrost.services.iam.handlers import ops
from hoarfrost.services.iam.state import AccessKey, IamBackend, Role, User, folded
from hoarfrost.services.iam.views import IamStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator

ScopeKey = tuple[str, str]


class IamService(StatefulService[IamBackend, IamStateView]):
    name = "iam"
    view_type = IamStateView
    operations = ops
    validation_error_code = "ValidationError"

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        # access key id -> (scope, identity, key record); deleted keys keep an inactive identity.
        self._keys: dict[str, tuple[ScopeKey, Identity, AccessKey | None]] = {}
        # (account, partition, folded role name) -> the role as STS sees it.
        self._roles: dict[tuple[str, str, str], RoleInfo] = {}
        self._role_counts: dict[str, int] = {}
        self._index_lock = threading.Lock()
        self._counted: dict[str, OperationHandler] = {}
        emulator.accounts.register_issuer(self.identity_of, self.key_used)
        emulator.accounts.register_roles(self)
        emulator.accounts.register_authorizer(IamAuthorizer(self))

    def handler(self, operation: str) -> OperationHandler | None:
        """A mutating handler bumps its backend's revision when it is done (under the lock), so
        the authorizer's cache of a principal's parsed policies is never stale."""
        found = super().handler(operation)
        if found is None or not found.mutates:
            return found
        counted = self._counted.get(operation)
        if counted is None:
            counted = self._counted[operation] = replace(found, fn=_counting(found.fn))
        return counted

    def scope_for(self, operation: str, request: dict[str, Any], account: str, region: str) -> tuple[str, str]:
        """IAM is global: the account's one scope, in its partition's global region."""
        return account, global_region("iam", region)

    # IAM's state lives in the global region whatever region a view names.
    def snapshot(self, account: str, region: str, *, secrets: bool = False) -> IamStateView:
        return super().snapshot(account, global_region("iam", region), secrets=secrets)

    def redact(self, view: IamStateView) -> None:
        """Access keys leave with their secret's hash only, unless asked with ``secrets=True``.
        hoarfrost never verifies a request's signature (the key id says who is calling), so a
        key restored from its hash still identifies its user; the hash lets a view without
        secrets be merged over the emulator it came from without losing the secrets."""
        views.redact_secrets(view)

    def restore(self, account: str, region: str, view: Any) -> None:
        super().restore(account, global_region("iam", region), view)

    def merge(self, account: str, region: str, view: Any) -> None:
        super().merge(account, global_region("iam", region), view)

    def reset(self, account: str | None = None, region: str | None = None) -> None:
        super().reset(account, global_region("iam", region) if region is not None else None)

    # -- the access key index ---------------------------------------------------------------------
    def identity_of(self, access_key: str) -> Identity | None:
        entry = self._keys.get(access_key)
        return entry[1] if entry is not None else None

    def key_used(self, access_key: str, service: str, region: str) -> None:
        """A request was authenticated with ``access_key``: what GetAccessKeyLastUsed answers."""
        entry = self._keys.get(access_key)
        if entry is not None and entry[2] is not None:
            record = entry[2]
            record.last_used_date = self.clock.now().replace(microsecond=0)
            record.last_used_service = service
            record.last_used_region = region

    def index_user_keys(self, scope: ScopeKey, user: User) -> None:
        """(Re)index every key of ``user``: after a key is created or changes status, or the
        user is renamed."""
        with self._index_lock:
            for key in user.access_keys.values():
                self._keys[key.access_key_id] = (scope, _identity(scope[0], user, key), key)

    def forget_key(self, scope: ScopeKey, access_key_id: str) -> None:
        """A deleted key is refused from now on (not taken for the account's root)."""
        with self._index_lock:
            self._keys[access_key_id] = (scope, _refused(scope[0]), None)

    # -- the role directory (core.accounts.RoleDirectory) ---------------------------------------------
    def has_roles(self, account: str) -> bool:
        return self._role_counts.get(account, 0) > 0

    def role(self, arn: str) -> RoleInfo | None:
        parsed = try_parse_arn(arn)
        if parsed is None or parsed.resource_type != "role":
            return None
        return self._roles.get((parsed.account, parsed.partition, folded(parsed.resource_id.rsplit("/", 1)[-1])))

    def role_used(self, arn: str, region: str) -> None:
        """Record RoleLastUsed; called by STS after its own lock is released."""
        parsed = try_parse_arn(arn)
        if parsed is None:
            return
        scope = self.backends.existing(parsed.account, global_region("iam", region))
        if scope is None:
            return
        with scope.lock:
            role = scope.backend.roles.get(folded(parsed.resource_id.rsplit("/", 1)[-1]))
            if role is not None:
                role.last_used_date = self.clock.now().replace(microsecond=0)
                role.last_used_region = region
        self.notify_state_changed(scope.account, scope.region, "AssumeRole")

    def index_role(self, account: str, role: Role) -> None:
        key = (account, role.arn.split(":", 2)[1], folded(role.role_name))
        with self._index_lock:
            if key not in self._roles:
                self._role_counts[account] = self._role_counts.get(account, 0) + 1
            self._roles[key] = RoleInfo(role.arn, role.role_id, role.max_session_duration,
                                        role.assume_role_policy_document)

    def forget_role(self, account: str, role: Role) -> None:
        with self._index_lock:
            if self._roles.pop((account, role.arn.split(":", 2)[1], folded(role.role_name)), None) is not None:
                self._role_counts[account] -= 1

    def backend_replaced(self, account: str, region: str, old: IamBackend | None, new: IamBackend | None) -> None:
        scope = (account, region)
        with self._index_lock:
            for key in [key for key, entry in self._keys.items() if entry[0] == scope]:
                del self._keys[key]
            partition = partition_for(region)
            for role_key in [role_key for role_key in self._roles if role_key[:2] == (account, partition)]:
                del self._roles[role_key]
                self._role_counts[account] -= 1
        if new is not None:
            for user in new.users.values():
                self.index_user_keys(scope, user)
            for key_id in new.deleted_access_keys:
                self.forget_key(scope, key_id)
            for role in new.roles.values():
                self.index_role(account, role)

    # -- the view contract --------------------------------------------------------------------------
    def new_backend(self, account: str, region: str) -> IamBackend:
        return IamBackend(account, partition_for(region))

    def to_view(self, backend: IamBackend, account: str, region: str) -> IamStateView:
        return views.to_view(backend)

    def from_view(self, view: IamStateView, account: str, region: str) -> IamBackend:
        backend = views.from_view(view, account, partition_for(region))
        for user in backend.users.values():
            for key_id in user.access_keys:
                owner = self._keys.get(key_id)
                if owner is not None and owner[0] != (account, region):
                    raise StateViewError("invalid", f"iam: access key {key_id} belongs to account {owner[0][0]}; "
                                                    "an access key belongs to one account")
        return backend

    def merge_backend(self, target: IamBackend, source: IamBackend) -> None:
        views.merge(target, source)
        target.revision += 1  # what the authorizer cached of the account is stale


def _counting(fn: Handler) -> Handler:
    @functools.wraps(fn)
    def counted(ctx: RequestContext[Any, Any], request: dict[str, Any]) -> Any:
        try:
            return fn(ctx, request)
        finally:
            ctx.state.revision += 1

    return counted


def _identity(account: str, user: User, key: AccessKey) -> Identity:
    return Identity(account=account, arn=user.arn, user_id=user.user_id, active=key.status == "Active")


def _refused(account: str) -> Identity:
    return Identity(account=account, arn="", user_id="", active=False)
