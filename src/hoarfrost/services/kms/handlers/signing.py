"""Asymmetric and HMAC keys: Sign / Verify, GetPublicKey, GenerateMac / VerifyMac,
DeriveSharedSecret (ECDH) and ML-KEM's Encapsulate / Decapsulate.

Signatures are real: a signature from Sign verifies with GetPublicKey's public key in any
library (RSA-PSS with a salt as long as the digest, as AWS signs)."""

from __future__ import annotations

import hmac
from typing import Any

from hoarfrost.services.kms import crypto, specs
from hoarfrost.services.kms.errors import errors, validation
from hoarfrost.services.kms.handlers import ops
from hoarfrost.services.kms.handlers.common import (
    KmsContext,
    dry_run,
    grant_tokens,
    key,
    record_use,
    usable,
)
from hoarfrost.services.kms.state import Key


def _material(found: Key) -> bytes:
    material = found.material()
    if material is None:
        raise errors.KMSInvalidStateException(f"{found.arn} is pending import.")
    return material.material


def _checked_algorithm(found: Key, value: str, member: str) -> str:
    if value not in specs.SPECS[found.key_spec].usages.get(found.key_usage, ()):
        raise errors.InvalidKeyUsageException(f"Algorithm {value} is incompatible with key spec {found.key_spec}.")
    return value


def _crypto_error(exc: crypto.CryptoError) -> Exception:
    if exc.kind == "unsupported":
        return errors.UnsupportedOperationException(exc.message)
    return validation(exc.message)


def _signing_key(ctx: KmsContext, request: dict[str, Any], operation: str) -> tuple[Key, str, str]:
    found = key(ctx, request["KeyId"], aliases=True)
    grant_tokens(ctx, request)
    usable(ctx, found, operation, specs.SIGN_VERIFY)
    chosen = _checked_algorithm(found, request["SigningAlgorithm"], "SigningAlgorithm")
    return found, chosen, request.get("MessageType") or "RAW"


@ops.operation(mutates=False)
def sign(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found, chosen, message_type = _signing_key(ctx, request, "Sign")
    try:
        signature = crypto.sign(found.key_spec, _material(found), chosen, request["Message"], message_type)
    except crypto.CryptoError as exc:
        raise _crypto_error(exc) from None
    dry_run(request)
    record_use(ctx, found, "Sign")
    return {"KeyId": found.arn, "Signature": signature, "SigningAlgorithm": chosen}


@ops.operation(mutates=False)
def verify(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found, chosen, message_type = _signing_key(ctx, request, "Verify")
    try:
        valid = crypto.verify(found.key_spec, _material(found), chosen, request["Message"], message_type,
                              request["Signature"])
    except crypto.CryptoError as exc:
        raise _crypto_error(exc) from None
    dry_run(request)
    if not valid:
        raise errors.KMSInvalidSignatureException()
    record_use(ctx, found, "Verify")
    return {"KeyId": found.arn, "SignatureValid": True, "SigningAlgorithm": chosen}


@ops.operation
def get_public_key(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = key(ctx, request["KeyId"], aliases=True)
    grant_tokens(ctx, request)
    usable(ctx, found, "GetPublicKey")
    if not specs.SPECS[found.key_spec].asymmetric:
        raise errors.UnsupportedOperationException(f"{found.arn} key spec is {found.key_spec}: only asymmetric "
                                                   f"KMS keys have a public key.")
    out: dict[str, Any] = {"KeyId": found.arn, "PublicKey": crypto.public_key_der(_material(found)),
                           "KeySpec": found.key_spec, "KeyUsage": found.key_usage}
    if found.key_spec in specs.CUSTOMER_MASTER_KEY_SPECS:
        out["CustomerMasterKeySpec"] = found.key_spec
    out[specs.ALGORITHM_MEMBERS[found.key_usage]] = list(specs.SPECS[found.key_spec].usages[found.key_usage])
    return out


# -- MACs ------------------------------------------------------------------------------------
def _mac_key(ctx: KmsContext, request: dict[str, Any], operation: str) -> tuple[Key, str]:
    found = key(ctx, request["KeyId"], aliases=True)
    grant_tokens(ctx, request)
    usable(ctx, found, operation, specs.GENERATE_VERIFY_MAC)
    return found, _checked_algorithm(found, request["MacAlgorithm"], "MacAlgorithm")


@ops.operation(mutates=False)
def generate_mac(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found, chosen = _mac_key(ctx, request, "GenerateMac")
    dry_run(request)
    record_use(ctx, found, "GenerateMac")
    return {"Mac": crypto.mac(_material(found), chosen, request["Message"]), "MacAlgorithm": chosen,
            "KeyId": found.arn}


@ops.operation(mutates=False)
def verify_mac(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found, chosen = _mac_key(ctx, request, "VerifyMac")
    dry_run(request)
    if not hmac.compare_digest(crypto.mac(_material(found), chosen, request["Message"]), request["Mac"]):
        raise errors.KMSInvalidMacException()
    record_use(ctx, found, "VerifyMac")
    return {"KeyId": found.arn, "MacValid": True, "MacAlgorithm": chosen}


# -- key agreement and encapsulation ---------------------------------------------------------
@ops.operation(mutates=False)
def derive_shared_secret(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    if request.get("Recipient"):
        raise validation("hoarfrost cannot verify a Nitro Enclaves attestation document: Recipient is not supported.")
    found = key(ctx, request["KeyId"], aliases=True)
    grant_tokens(ctx, request)
    usable(ctx, found, "DeriveSharedSecret", specs.KEY_AGREEMENT)
    chosen = _checked_algorithm(found, request["KeyAgreementAlgorithm"], "KeyAgreementAlgorithm")
    try:
        secret = crypto.derive_shared_secret(_material(found), request["PublicKey"])
    except crypto.CryptoError as exc:
        raise _crypto_error(exc) from None
    dry_run(request)
    record_use(ctx, found, "DeriveSharedSecret")
    return {"KeyId": found.arn, "SharedSecret": secret, "KeyAgreementAlgorithm": chosen, "KeyOrigin": found.origin}


def _kem_key(ctx: KmsContext, request: dict[str, Any], operation: str) -> tuple[Key, str]:
    found = key(ctx, request["KeyId"], aliases=True)
    grant_tokens(ctx, request)
    usable(ctx, found, operation, specs.ENCAPSULATE_DECAPSULATE)
    return found, _checked_algorithm(found, request["EncapsulationAlgorithm"], "EncapsulationAlgorithm")


@ops.operation(mutates=False)
def encapsulate(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found, chosen = _kem_key(ctx, request, "Encapsulate")
    dry_run(request)
    secret, ciphertext = crypto.encapsulate(_material(found))
    record_use(ctx, found, "Encapsulate")
    return {"KeyId": found.arn, "SharedSecret": secret, "SharedSecretCiphertextBlob": ciphertext,
            "EncapsulationAlgorithm": chosen}


@ops.operation(mutates=False)
def decapsulate(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found, chosen = _kem_key(ctx, request, "Decapsulate")
    dry_run(request)
    try:
        secret = crypto.decapsulate(_material(found), request["SharedSecretCiphertextBlob"])
    except crypto.CryptoError:
        raise errors.InvalidCiphertextException() from None
    record_use(ctx, found, "Decapsulate")
    return {"KeyId": found.arn, "SharedSecret": secret, "EncapsulationAlgorithm": chosen}
