"""The key port: how a service (Secrets Manager, SSM Parameter Store) uses KMS keys without
importing KMS.

``emulator.keys`` forwards to the ``KeyService`` that KMS registers when it starts (started on
first use, as delivery sinks are). Its methods run the KMS operation itself (Encrypt, Decrypt,
GenerateDataKey, DescribeKey) with KMS's checks, so a failure is the KMS ``ServiceError`` an API
caller would get (``NotFoundException``, ``DisabledException``, ``KMSInvalidStateException``,
``InvalidCiphertextException``, ``AccessDeniedException``...). Callers translate it by its
``code`` into their own service's error, as AWS's services do.

Locks. Unlike ``emulator.deliver``, this port is called *while the caller holds its own scope
lock*: Secrets Manager must know that a value was encrypted before it stores the version, and
must refuse the request if it was not. That is safe because the order is fixed one way: a
caller's lock, then a KMS scope lock, which the KMS side takes inside the port (callers never
touch a KMS lock). KMS never calls into another service, so no thread can hold a KMS lock and
wait for a Secrets Manager or SSM lock, and the wait-for graph has no cycle. KMS's own work
across its scopes (multi-Region replicas) takes one KMS lock at a time. The caller must not
hold a KMS lock itself (no service does: only KMS's handlers run under one).

What KMS would do after commit (state-change notifications when an ``alias/aws/<service>`` key is
made on first use, multi-Region follow-ups) is handed to ``KeyCaller.after_commit`` when the
caller gives one, so it runs after the caller's lock is released too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from hoarfrost.core.errors import ServiceError

# A caller's after-commit queue (``RequestContext.after_commit``).
AfterCommit = Callable[[Callable[[], None]], None]


@dataclass(frozen=True, slots=True)
class KeyCaller:
    """On whose behalf a key is used: the account (and credentials) the key policy judges, the
    region a key named without an ARN is looked up in, and where KMS's after-commit work goes."""

    account: str
    region: str
    access_key: str | None = None
    after_commit: AfterCommit | None = None


@dataclass(frozen=True, slots=True)
class Encrypted:
    ciphertext: bytes  # a KMS ciphertext blob: Decrypt (API or port) accepts it
    key_arn: str


@dataclass(frozen=True, slots=True)
class Decrypted:
    plaintext: bytes
    key_arn: str


@dataclass(frozen=True, slots=True)
class DataKey:
    plaintext: bytes
    ciphertext: bytes  # the data key encrypted under the KMS key
    key_arn: str


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What DescribeKey says about a key that matters to a caller choosing it."""

    key_id: str
    arn: str
    state: str  # Enabled, Disabled, PendingDeletion, PendingImport...
    spec: str
    usage: str
    manager: str  # AWS or CUSTOMER


class KeyService(Protocol):
    """What KMS registers. ``key_id`` is anything the KMS API accepts there: key id, key ARN,
    alias name or alias ARN; ``alias/aws/<service>`` makes that AWS managed key on first use."""

    def encrypt(self, caller: KeyCaller, key_id: str, plaintext: bytes,
                context: Mapping[str, str] | None = None) -> Encrypted: ...

    def decrypt(self, caller: KeyCaller, ciphertext: bytes, context: Mapping[str, str] | None = None,
                key_id: str | None = None) -> Decrypted: ...

    def generate_data_key(self, caller: KeyCaller, key_id: str, context: Mapping[str, str] | None = None,
                          size: int = 32) -> DataKey: ...

    def describe(self, caller: KeyCaller, key_id: str) -> KeyInfo: ...

    def may_decrypt(self, caller: KeyCaller, key_arn: str) -> bool: ...


class KeysUnavailable(ServiceError):
    """No KMS is registered in this emulator (hoarfrost built without it)."""

    code = "KMSUnavailable"
    status = 500


class KeyPort:
    """``emulator.keys``: forwards to the registered KeyService, starting KMS on first use."""

    def __init__(self, start: Callable[[str], None]) -> None:
        self._service: KeyService | None = None
        self._start = start

    def register(self, service: KeyService) -> None:
        self._service = service

    def _keys(self) -> KeyService:
        if self._service is None:
            self._start("kms")
            if self._service is None:
                raise KeysUnavailable("hoarfrost has no KMS to encrypt with")
        return self._service

    def encrypt(self, caller: KeyCaller, key_id: str, plaintext: bytes,
                context: Mapping[str, str] | None = None) -> Encrypted:
        return self._keys().encrypt(caller, key_id, plaintext, context)

    def decrypt(self, caller: KeyCaller, ciphertext: bytes, context: Mapping[str, str] | None = None,
                key_id: str | None = None) -> Decrypted:
        return self._keys().decrypt(caller, ciphertext, context, key_id)

    def generate_data_key(self, caller: KeyCaller, key_id: str, context: Mapping[str, str] | None = None,
                          size: int = 32) -> DataKey:
        return self._keys().generate_data_key(caller, key_id, context, size)

    def describe(self, caller: KeyCaller, key_id: str) -> KeyInfo:
        return self._keys().describe(caller, key_id)

    def may_decrypt(self, caller: KeyCaller, key_arn: str) -> bool:
        """Whether a data key that ``key_arn`` made, and whose plaintext the caller kept from an
        earlier Decrypt or GenerateDataKey, may be used again without asking KMS: True only
        when a Decrypt would certainly succeed now (key enabled, no policy that could refuse).
        The hot read path of envelope encryption (GetSecretValue) skips a whole KMS call."""
        return self._keys().may_decrypt(caller, key_arn)
