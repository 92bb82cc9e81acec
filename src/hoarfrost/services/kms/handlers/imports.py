"""Importing key material: GetParametersForImport hands out a real RSA wrapping key and an
import token, ImportKeyMaterial unwraps the material with it (RSAES_OAEP_SHA_1/256,
RSAES_PKCS1_V1_5, RSA_AES_KEY_WRAP_SHA_1/256), and DeleteImportedKeyMaterial (or the
material's ValidTo on the emulator's clock) puts the key back in PendingImport."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from hoarfrost.services.kms import crypto
from hoarfrost.services.kms.errors import errors, invalid_state, unsupported_origin, validation
from hoarfrost.services.kms.handlers import ops
from hoarfrost.services.kms.handlers.common import KmsContext, key
from hoarfrost.services.kms.state import (
    DAY,
    DISABLED,
    ENABLED,
    PENDING_DELETIONS,
    PENDING_IMPORT,
    ImportParameters,
    Key,
    KeyMaterial,
    expire_imported,
)

TOKEN_PREFIX = b"hoarfrost-import:"
TOKEN_ID_BYTES = 16


def _external(ctx: KmsContext, key_id: str) -> Key:
    found = key(ctx, key_id)
    if found.origin != "EXTERNAL":
        raise unsupported_origin(found.arn, found.origin)
    if found.key_state in PENDING_DELETIONS:
        raise invalid_state(found.arn, found.key_state)
    return found


@ops.operation
def get_parameters_for_import(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = _external(ctx, request["KeyId"])
    spec, algorithm = request["WrappingKeySpec"], request["WrappingAlgorithm"]
    if spec == "SM2" or algorithm == "SM2PKE":
        raise errors.UnsupportedOperationException("SM2 wrapping keys are only supported in China Regions.")
    now = ctx.clock.time()
    for token_id in [t for t, p in found.imports.items() if p.valid_to <= now]:
        del found.imports[token_id]
    parameters = ImportParameters(token_id=os.urandom(TOKEN_ID_BYTES).hex(), wrapping_algorithm=algorithm,
                                  wrapping_key_spec=spec, wrapping_material=crypto.generate(spec),
                                  valid_to=now + DAY)
    found.imports[parameters.token_id] = parameters
    token = TOKEN_PREFIX + found.key_id.encode("ascii") + bytes.fromhex(parameters.token_id)
    return {"KeyId": found.arn, "ImportToken": token,
            "PublicKey": crypto.public_key_der(parameters.wrapping_material), "ParametersValidTo": parameters.valid_to}


def _parameters(ctx: KmsContext, found: Key, token: bytes) -> ImportParameters:
    body = token[len(TOKEN_PREFIX):] if token.startswith(TOKEN_PREFIX) else b""
    key_id, token_id = body[:-TOKEN_ID_BYTES].decode("ascii", "replace"), body[-TOKEN_ID_BYTES:].hex()
    parameters = found.imports.get(token_id) if key_id == found.key_id else None
    if parameters is None:
        raise errors.InvalidImportTokenException("Import token is not valid for this KMS key.")
    if parameters.valid_to <= ctx.clock.time():
        raise errors.ExpiredImportTokenException("Import token has expired.")
    return parameters


def _expiry(ctx: KmsContext, request: dict[str, Any]) -> tuple[str, float | None]:
    model, valid_to = request.get("ExpirationModel"), request.get("ValidTo")
    if model == "KEY_MATERIAL_DOES_NOT_EXPIRE" and valid_to is not None:
        raise validation("ValidTo must not be specified when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.")
    if model == "KEY_MATERIAL_EXPIRES" and valid_to is None:
        raise validation("ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.")
    if valid_to is None:
        return "KEY_MATERIAL_DOES_NOT_EXPIRE", None
    when = valid_to.timestamp() if isinstance(valid_to, dt.datetime) else float(valid_to)
    if when <= ctx.clock.time():
        raise validation("ValidTo must be in the future.")
    return "KEY_MATERIAL_EXPIRES", when


@ops.operation
def import_key_material(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = _external(ctx, request["KeyId"])
    parameters = _parameters(ctx, found, request["ImportToken"])
    model, valid_to = _expiry(ctx, request)
    try:
        material = crypto.unwrap(parameters.wrapping_material, parameters.wrapping_algorithm,
                                 request["EncryptedKeyMaterial"])
    except crypto.CryptoError:
        raise errors.InvalidCiphertextException(
            "The encrypted key material could not be decrypted with the import token's wrapping key.") from None
    try:
        material = crypto.check_imported(found.key_spec, material)
    except crypto.CryptoError as exc:
        raise errors.IncorrectKeyMaterialException(exc.message) from None
    fingerprint = crypto.fingerprint(material)
    if found.imported_fingerprint is not None and fingerprint != found.imported_fingerprint:
        raise errors.IncorrectKeyMaterialException(
            "The key material must be the same key material that was previously imported into this KMS key.")
    found.imported_fingerprint = fingerprint
    material_id = fingerprint  # 64 hex digits, the same for the same material
    found.add_material(KeyMaterial(material_id=material_id, material=material, created=ctx.clock.time(),
                                   imported=True, valid_to=valid_to, description=request.get("KeyMaterialDescription")))
    found.expiration_model = model
    if found.key_state == PENDING_IMPORT:
        found.key_state = ENABLED
    ctx.state.schedule(found)
    return {"KeyId": found.arn, "KeyMaterialId": material_id}


@ops.operation
def delete_imported_key_material(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = _external(ctx, request["KeyId"])
    material_id = found.current_material or ""
    if found.key_state in (ENABLED, DISABLED) or found.materials:
        expire_imported(found)
    return {"KeyId": found.arn, "KeyMaterialId": material_id}
