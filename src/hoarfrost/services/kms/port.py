"""KMS's side of the key port (``core.kms_port``): what Secrets Manager and SSM call to encrypt,
decrypt, make data keys and describe keys. Each call is the KMS operation itself run through
``KmsService.invoke``, so its checks (key state, usage, key policy and grants, encryption
context) and errors are exactly an API caller's, and KMS's scope lock is taken there."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kms_port import DataKey, Decrypted, Encrypted, KeyCaller, KeyInfo

if TYPE_CHECKING:
    from hoarfrost.services.kms.service import KmsService


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

    def describe(self, caller: KeyCaller, key_id: str) -> KeyInfo:
        metadata = self._run(caller, "DescribeKey", {"KeyId": key_id})["KeyMetadata"]
        return KeyInfo(key_id=metadata["KeyId"], arn=metadata["Arn"], state=metadata["KeyState"],
                       spec=metadata["KeySpec"], usage=metadata["KeyUsage"], manager=metadata["KeyManager"])
