"""KMS's side of the key port (``core.kms_port``): what Secrets Manager and SSM call to encrypt,
decrypt, make data keys and describe keys. Each call is the KMS operation itself run through
``KmsService.invoke``, so its checks (key state, usage, key policy and grants, encryption
context) and errors are exactly an API caller's, and KMS's scope lock is taken there."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.policies import PolicyError, parse_policy
from hoarfrost.core.kms_port import DataKey, Decrypted, Encrypted, KeyCaller, KeyInfo
from hoarfrost.services.kms import specs
from hoarfrost.services.kms.state import ENABLED

if TYPE_CHECKING:
    from hoarfrost.services.kms.service import KmsService


@lru_cache(maxsize=4096)
def _key_location(key_arn: str) -> tuple[str, str, str] | None:
    """(account, region, key id) of a key ARN, parsed once per ARN."""
    arn = try_parse_arn(key_arn)
    if arn is None or arn.resource_type != "key" or not arn.resource_id:
        return None
    return arn.account, arn.region, arn.resource_id


class KmsKeys:
    """The KeyService KMS registers on ``emulator.keys`` when it starts."""

    def __init__(self, service: KmsService) -> None:
        self._service = service

    def _run(self, caller: KeyCaller, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        return self._service.invoke(caller.account, caller.region, operation, request,
                                    access_key=caller.access_key, after_commit=caller.after_commit)

    def encrypt(self, caller: KeyCaller, key_id: str, plaintext: bytes,
                context: Mapping[str, str] | None = None) -> Encrypted:
        request: dict[str, Any] = {"KeyId": key_id, "Plaintext": plaintext}
        if context:
            request["EncryptionContext"] = dict(context)
        out = self._run(caller, "Encrypt", request)
        return Encrypted(out["CiphertextBlob"], out["KeyId"])

    def decrypt(self, caller: KeyCaller, ciphertext: bytes, context: Mapping[str, str] | None = None,
                key_id: str | None = None) -> Decrypted:
        request: dict[str, Any] = {"CiphertextBlob": ciphertext}
        if context:
            request["EncryptionContext"] = dict(context)
        if key_id:
            request["KeyId"] = key_id
        out = self._run(caller, "Decrypt", request)
        return Decrypted(out["Plaintext"], out["KeyId"])

    def generate_data_key(self, caller: KeyCaller, key_id: str, context: Mapping[str, str] | None = None,
                          size: int = 32) -> DataKey:
        request: dict[str, Any] = {"KeyId": key_id, "NumberOfBytes": size}
        if context:
            request["EncryptionContext"] = dict(context)
        out = self._run(caller, "GenerateDataKey", request)
        return DataKey(out["Plaintext"], out["CiphertextBlob"], out["KeyId"])

    def may_decrypt(self, caller: KeyCaller, key_arn: str) -> bool:
        """Whether Decrypt with the symmetric key ``key_arn`` would succeed for ``caller`` now,
        answered only where that is certain without running it: the caller's own key in its
        own region, enabled, with no clock work due and a key policy without Deny statements
        (the default policy leaves same-account callers to IAM, which allows them). Lock-free
        reads; a False sends the caller down the full Decrypt path."""
        where = _key_location(key_arn)
        if where is None or (where[0], where[1]) != (caller.account, caller.region):
            return False
        scope = self._service.backends.existing(where[0], where[1])
        if scope is None:
            return False
        state = scope.backend
        now = self._service.clock.time()
        if state.next_due is not None and now >= state.next_due:
            return False
        found = state.keys.get(where[2])
        if found is None or found.key_state != ENABLED or found.key_spec != specs.SYMMETRIC_DEFAULT \
                or found.key_usage != specs.ENCRYPT_DECRYPT:
            return False
        if found.policy:
            try:
                if parse_policy(found.policy).has_deny:
                    return False
            except PolicyError:
                pass
        found.last_used_operation, found.last_used_at = "Decrypt", now
        return True

    def describe(self, caller: KeyCaller, key_id: str) -> KeyInfo:
        metadata = self._run(caller, "DescribeKey", {"KeyId": key_id})["KeyMetadata"]
        return KeyInfo(key_id=metadata["KeyId"], arn=metadata["Arn"], state=metadata["KeyState"],
                       spec=metadata["KeySpec"], usage=metadata["KeyUsage"], manager=metadata["KeyManager"])
