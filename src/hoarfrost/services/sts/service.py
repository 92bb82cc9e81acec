"""StsService: STS's backends, its view conversions, and the index that makes issued keys work.

Issued keys are looked up on every request of every service (``AccountMap`` asks the issuer
this service registers), so the index is one process-wide dict from access key id to session,
kept in step with the backends: handlers add to it as they issue, and ``backend_replaced``
rebuilds a scope's entries after restore, merge and reset.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from hoarfrost.core.accounts import Identity, root_arn
from hoarfrost.core.kit.arn import partition_for
from hoarfrost.core.kit.records import merge_keyed
from hoarfrost.core.views import StatefulService, StateViewError
from hoarfrost.services.sts.handlers import ops
from hoarfrost.services.sts.state import Session, StsBackend
from hoarfrost.services.sts.tokens import JwtSigner
from hoarfrost.services.sts.views import SessionView, StsStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator

ScopeKey = tuple[str, str]


class StsService(StatefulService[StsBackend, StsStateView]):
    name = "sts"
    view_type = StsStateView
    operations = ops
    validation_error_code = "ValidationError"

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        self._keys: dict[str, tuple[ScopeKey, Session]] = {}
        self._keys_lock = threading.Lock()
        self._roots: dict[tuple[str, str], Identity] = {}
        self.signer = JwtSigner(str(id(self)))
        emulator.accounts.register_issuer(self.identity_of)

    # -- the key index -------------------------------------------------------------------------
    def identity_of(self, access_key: str) -> Identity | None:
        """The issuer ``AccountMap`` consults: the principal of a key this service issued."""
        entry = self._keys.get(access_key)
        return entry[1].identity if entry is not None else None

    def root_identity(self, account: str, region: str) -> Identity:
        """The account root's identity in the region's partition, built once per account and
        partition (GetCallerIdentity's common answer)."""
        key = (account, partition_for(region))
        identity = self._roots.get(key)
        if identity is None:
            identity = self._roots[key] = Identity(account, root_arn(account, region), account)
        return identity

    def session_for(self, access_key: str | None) -> Session | None:
        entry = self._keys.get(access_key) if access_key else None
        return entry[1] if entry is not None else None

    def record(self, account: str, region: str, backend: StsBackend, session: Session) -> None:
        """Keep an issued session in its scope's backend and make its key resolvable."""
        backend.add(session)
        with self._keys_lock:
            self._keys[session.access_key_id] = ((account, region), session)

    def backend_replaced(self, account: str, region: str, old: StsBackend | None, new: StsBackend | None) -> None:
        scope = (account, region)
        with self._keys_lock:
            for key in [key for key, (owner, _) in self._keys.items() if owner == scope]:
                del self._keys[key]
            if new is not None:
                for key, session in new.sessions.items():
                    self._keys[key] = (scope, session)

    def jwks(self) -> dict[str, Any]:
        """Public keys that verify the tokens GetWebIdentityToken signed."""
        return self.signer.jwks()

    # -- the view contract -----------------------------------------------------------------------
    def new_backend(self, account: str, region: str) -> StsBackend:
        return StsBackend()

    def to_view(self, backend: StsBackend, account: str, region: str) -> StsStateView:
        return StsStateView(sessions=[SessionView.of(session) for session in backend.sessions.values()],
                            role_ids=dict(backend.role_ids))

    def from_view(self, view: StsStateView, account: str, region: str) -> StsBackend:
        backend = StsBackend()
        for item in view.sessions:
            owner = self._keys.get(item.access_key_id)
            if owner is not None and owner[0] != (account, region):
                raise StateViewError(
                    "invalid",
                    f"sts: access key {item.access_key_id} is already issued in {owner[0][0]}/{owner[0][1]}; "
                    "an access key belongs to one scope",
                )
            backend.add(item.to_record())
        backend.role_ids.update(view.role_ids)
        return backend

    def merge_backend(self, target: StsBackend, source: StsBackend) -> None:
        # A session is replaced whole (not field by field) so its derived identity and expiry
        # come with it; backend_replaced then re-indexes the keys.
        merge_keyed(target.sessions, source.sessions)
        merge_keyed(target.role_ids, source.role_ids)
