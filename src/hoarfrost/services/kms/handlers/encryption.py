"""Encryption: Encrypt / Decrypt / ReEncrypt, data keys and data key pairs, GenerateRandom.

Symmetric ciphertext blobs carry their key id and key material id (``crypto``), so Decrypt
finds the key without a KeyId, and a rotated key still decrypts with its older material. The
encryption context is bound to the blob: another context fails as InvalidCiphertextException.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, cast

from hoarfrost.services.kms import crypto, specs
from hoarfrost.services.kms.errors import errors, key_not_found, validation
from hoarfrost.services.kms.handlers import ops
from hoarfrost.services.kms.handlers.common import (
    KmsContext,
    algorithm,
    backend,
    dry_run,
    grant_tokens,
    key,
    record_use,
    usable,
)
from hoarfrost.services.kms.state import Key

DATA_KEY_BYTES = {"AES_256": 32, "AES_128": 16}


def _no_recipient(request: dict[str, Any]) -> None:
    if request.get("Recipient"):
        raise validation("hoarfrost cannot verify a Nitro Enclaves attestation document: Recipient is not supported.")


def encrypt_with(found: Key, plaintext: bytes, context: dict[str, str] | None, chosen: str) -> bytes:
    """``plaintext`` encrypted under ``found``'s current material with ``chosen``."""
    material = found.material()
    if material is None:  # an imported key whose material is gone is PendingImport: never here
        raise errors.KMSInvalidStateException(f"{found.arn} is pending import.")
    if chosen == specs.SYMMETRIC_DEFAULT:
        return crypto.encrypt_symmetric(found.key_id, material.material_id, material.material, plaintext, context)
    if context:
        raise validation("EncryptionContext is supported only on operations with symmetric encryption KMS keys.")
    try:
        return crypto.rsa_encrypt(material.material, chosen, plaintext)
    except crypto.CryptoError as exc:
        raise validation(exc.message) from None


def _encrypting_key(ctx: KmsContext, key_id: str, request: dict[str, Any], operation: str,
                    symmetric_only: bool = True, context_member: str = "EncryptionContext") -> Key:
    found = key(ctx, key_id, aliases=True, create_managed=True)
    grant_tokens(ctx, request)
    usable(ctx, found, operation, specs.ENCRYPT_DECRYPT, request.get(context_member))
    if symmetric_only and found.key_spec != specs.SYMMETRIC_DEFAULT:
        raise errors.InvalidKeyUsageException(f"{found.arn} key spec is {found.key_spec} which is not valid for "
                                              f"{operation}.")
    return found


@ops.operation(mutates=False)
def encrypt(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = _encrypting_key(ctx, request["KeyId"], request, "Encrypt", symmetric_only=False)
    chosen = algorithm(found, request.get("EncryptionAlgorithm"))
    blob = encrypt_with(found, request["Plaintext"], request.get("EncryptionContext"), chosen)
    dry_run(request)
    record_use(ctx, found, "Encrypt")
    return {"CiphertextBlob": blob, "KeyId": found.arn, "EncryptionAlgorithm": chosen}


def decrypt_blob(ctx: KmsContext, blob: bytes, key_id: str | None, context: dict[str, str] | None,
                 requested: str | None, operation: str = "Decrypt") -> tuple[Key, bytes, str | None]:
    """(key, plaintext, key material id) of ``blob``: found by its header, or by ``key_id``
    (which must then be the key the blob names)."""
    state = backend(ctx)
    header = crypto.read_header(blob)
    if key_id:
        found = key(ctx, key_id, aliases=True)
        if found.key_spec == specs.SYMMETRIC_DEFAULT and header is not None and header[0] != found.key_id:
            raise errors.IncorrectKeyException()
    else:
        if header is None:
            raise errors.InvalidCiphertextException()
        stored = state.keys.get(header[0])
        if stored is None:
            raise key_not_found(state.key_arn(header[0]))
        found = stored
    usable(ctx, found, operation, specs.ENCRYPT_DECRYPT, context)
    chosen = algorithm(found, requested)
    if chosen == specs.SYMMETRIC_DEFAULT:
        if header is None:
            raise errors.InvalidCiphertextException()
        material = found.material(header[1])
        if material is None:
            raise errors.InvalidCiphertextException()
        try:
            return found, crypto.decrypt_symmetric(blob, material.material, context), material.material_id
        except crypto.CryptoError:
            raise errors.InvalidCiphertextException() from None
    if context:
        raise validation("EncryptionContext is supported only on operations with symmetric encryption KMS keys.")
    material = found.material()
    if material is None:
        raise errors.InvalidCiphertextException()
    try:
        return found, crypto.rsa_decrypt(material.material, chosen, blob), None
    except crypto.CryptoError:
        raise errors.InvalidCiphertextException() from None


@ops.operation(mutates=False)
def decrypt(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    _no_recipient(request)
    grant_tokens(ctx, request)
    found, plaintext, material_id = decrypt_blob(ctx, request["CiphertextBlob"], request.get("KeyId"),
                                                 request.get("EncryptionContext"), request.get("EncryptionAlgorithm"))
    dry_run(request)
    record_use(ctx, found, "Decrypt")
    out: dict[str, Any] = {"KeyId": found.arn, "Plaintext": plaintext,
                           "EncryptionAlgorithm": request.get("EncryptionAlgorithm") or specs.SYMMETRIC_DEFAULT}
    if material_id:
        out["KeyMaterialId"] = material_id
    return out


@ops.operation(mutates=False)
def re_encrypt(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    grant_tokens(ctx, request)
    source, plaintext, source_material = decrypt_blob(
        ctx, request["CiphertextBlob"], request.get("SourceKeyId"), request.get("SourceEncryptionContext"),
        request.get("SourceEncryptionAlgorithm"), "ReEncryptFrom")
    source_arn, source_id = source.arn, source.key_id
    destination_id: str = request["DestinationKeyId"]
    where = ctx.service.scope_of_key(destination_id, ctx.account, ctx.region)
    with ctx.in_scope(*where):
        # Inside another scope ``ctx.state`` is still the request's: resolve through a context
        # whose scope is the destination's.
        target_ctx = ctx if where == (ctx.scope.account, ctx.scope.region) else _scoped(ctx, where)
        destination = _encrypting_key(target_ctx, destination_id, request, "ReEncryptTo", symmetric_only=False,
                                      context_member="DestinationEncryptionContext")
        chosen = algorithm(destination, request.get("DestinationEncryptionAlgorithm"))
        blob = encrypt_with(destination, plaintext, request.get("DestinationEncryptionContext"), chosen)
        destination_arn, destination_material = destination.arn, destination.current_material
        if not request.get("DryRun"):
            record_use(target_ctx, destination, "ReEncrypt")
    dry_run(request)
    used = ctx.state.keys.get(source_id)  # looked up again: the own lock may have been released
    if used is not None:
        record_use(ctx, used, "ReEncrypt")
    out: dict[str, Any] = {
        "CiphertextBlob": blob, "SourceKeyId": source_arn, "KeyId": destination_arn,
        "SourceEncryptionAlgorithm": request.get("SourceEncryptionAlgorithm") or specs.SYMMETRIC_DEFAULT,
        "DestinationEncryptionAlgorithm": chosen,
    }
    if source_material:
        out["SourceKeyMaterialId"] = source_material
    if chosen == specs.SYMMETRIC_DEFAULT and destination_material:
        out["DestinationKeyMaterialId"] = destination_material
    return out


def _scoped(ctx: KmsContext, where: tuple[str, str]) -> KmsContext:
    """A copy of ``ctx`` working in the scope ``where`` (whose lock the caller holds)."""
    return dataclasses.replace(ctx, scope=ctx.service.backends.scope(*where))


# -- data keys -------------------------------------------------------------------------------
def _data_key(ctx: KmsContext, request: dict[str, Any], operation: str) -> dict[str, Any]:
    _no_recipient(request)
    spec, size = request.get("KeySpec"), request.get("NumberOfBytes")
    if (spec is None) == (size is None):
        raise validation("Please specify either number of bytes or key spec.")
    found = _encrypting_key(ctx, request["KeyId"], request, operation)
    plaintext = os.urandom(DATA_KEY_BYTES[spec] if spec else cast(int, size))  # one of the two, checked above
    blob = encrypt_with(found, plaintext, request.get("EncryptionContext"), specs.SYMMETRIC_DEFAULT)
    dry_run(request)
    record_use(ctx, found, operation)
    return {"CiphertextBlob": blob, "Plaintext": plaintext, "KeyId": found.arn,
            "KeyMaterialId": found.current_material}


@ops.operation(mutates=False)
def generate_data_key(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    return _data_key(ctx, request, "GenerateDataKey")


@ops.operation(mutates=False)
def generate_data_key_without_plaintext(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    out = _data_key(ctx, request, "GenerateDataKeyWithoutPlaintext")
    del out["Plaintext"]
    return out


def _data_key_pair(ctx: KmsContext, request: dict[str, Any], operation: str) -> dict[str, Any]:
    _no_recipient(request)
    pair_spec = request["KeyPairSpec"]
    found = _encrypting_key(ctx, request["KeyId"], request, operation)
    if pair_spec not in specs.DATA_KEY_PAIR_SPECS:
        raise errors.UnsupportedOperationException(
            f"KeyPairSpec {pair_spec} is not supported in this region." if pair_spec == "SM2" else
            f"KeyPairSpec {pair_spec} is not supported by hoarfrost: the cryptography package has no {pair_spec}.")
    dry_run(request)
    record_use(ctx, found, operation)
    private = crypto.generate(pair_spec)
    blob = encrypt_with(found, private, request.get("EncryptionContext"), specs.SYMMETRIC_DEFAULT)
    return {"PrivateKeyCiphertextBlob": blob, "PrivateKeyPlaintext": private,
            "PublicKey": crypto.public_key_der(private), "KeyId": found.arn, "KeyPairSpec": pair_spec,
            "KeyMaterialId": found.current_material}


@ops.operation(mutates=False)
def generate_data_key_pair(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    return _data_key_pair(ctx, request, "GenerateDataKeyPair")


@ops.operation(mutates=False)
def generate_data_key_pair_without_plaintext(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    out = _data_key_pair(ctx, request, "GenerateDataKeyPairWithoutPlaintext")
    del out["PrivateKeyPlaintext"]
    return out


@ops.operation(mutates=False)
def generate_random(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    _no_recipient(request)
    if request.get("CustomKeyStoreId"):
        raise errors.CustomKeyStoreNotFoundException(f"Custom key store {request['CustomKeyStoreId']} does not exist.")
    size = request.get("NumberOfBytes")
    if size is None:
        raise validation("NumberOfBytes is required.")
    return {"Plaintext": os.urandom(size)}
