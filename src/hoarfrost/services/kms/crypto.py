"""KMS's cryptography, with the ``cryptography`` package (and ``ed25519ph`` for the one
signature it lacks): key material, symmetric ciphertext blobs, RSA encryption, signatures,
MACs, key agreement, ML-KEM and key-import unwrapping.

Pure functions over key material (bytes): they know nothing of keys' states or of requests,
so handlers decide *whether* to use a key and this module only *how*. Material is kept as AWS
would export it: 32 random bytes for a symmetric key, the HMAC key for an HMAC spec, and a
PKCS #8 DER private key for an asymmetric spec (loaded once and cached, since parsing an RSA
key costs far more than using it).

A symmetric ciphertext blob carries what Decrypt needs to find its key, as AWS's do::

    0x01 | key id (36 ASCII bytes) | key material id (32 bytes) | nonce (12) | AES-256-GCM(plaintext) + tag

The header and the canonical encryption context are the GCM associated data, so another
context (or an edited header) fails authentication: InvalidCiphertextException.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, mlkem, padding, rsa, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap_with_padding

from hoarfrost.services.kms import ed25519ph

VERSION = b"\x01"
KEY_ID_SIZE = 36  # a UUID, or 'mrk-' and 32 hex digits: both 36 characters
MATERIAL_ID_SIZE = 32  # KeyMaterialId is 64 hex digits
NONCE_SIZE = 12
HEADER_SIZE = 1 + KEY_ID_SIZE + MATERIAL_ID_SIZE
MIN_BLOB = HEADER_SIZE + NONCE_SIZE + 16


class CryptoError(ValueError):
    """Input the cryptography refuses; ``kind`` says how KMS answers it."""

    def __init__(self, kind: str, message: str = "") -> None:
        super().__init__(message or kind)
        self.kind = kind  # "ciphertext", "validation", "unsupported", "signature", "mac", "key_material"
        self.message = message


# -- material --------------------------------------------------------------------------------
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA_1": hashes.SHA1, "SHA_224": hashes.SHA224, "SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384,
    "SHA_512": hashes.SHA512,
}
_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "ECC_NIST_P256": ec.SECP256R1, "ECC_NIST_P384": ec.SECP384R1, "ECC_NIST_P521": ec.SECP521R1,
    "ECC_SECG_P256K1": ec.SECP256K1,
}
_ML_DSA: dict[str, Any] = {
    "ML_DSA_44": mldsa.MLDSA44PrivateKey, "ML_DSA_65": mldsa.MLDSA65PrivateKey, "ML_DSA_87": mldsa.MLDSA87PrivateKey,
}
_ML_KEM: dict[str, Any] = {"ML_KEM_768": mlkem.MLKEM768PrivateKey, "ML_KEM_1024": mlkem.MLKEM1024PrivateKey}


def _pkcs8(private: Any) -> bytes:
    return bytes(private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def generate(spec: str) -> bytes:
    """New key material for ``spec`` (a KeySpec or a DataKeyPairSpec hoarfrost supports)."""
    if spec == "SYMMETRIC_DEFAULT":
        return os.urandom(32)
    if spec.startswith("HMAC_"):
        return os.urandom(int(spec[5:]) // 8)
    if spec.startswith("RSA_"):
        return _pkcs8(rsa.generate_private_key(public_exponent=65537, key_size=int(spec[4:])))
    if spec in _CURVES:
        return _pkcs8(ec.generate_private_key(_CURVES[spec]()))
    if spec == "ECC_NIST_EDWARDS25519":
        return _pkcs8(ed25519.Ed25519PrivateKey.generate())
    if spec in _ML_DSA:
        return _pkcs8(_ML_DSA[spec].generate())
    if spec in _ML_KEM:
        return _pkcs8(_ML_KEM[spec].generate())
    raise CryptoError("unsupported", f"hoarfrost cannot generate {spec} key material")


@functools.lru_cache(maxsize=512)
def private_key(material: bytes) -> Any:
    """The private key object of asymmetric material (cached: material never changes)."""
    return serialization.load_der_private_key(material, password=None)


def public_key_der(material: bytes) -> bytes:
    """The DER SubjectPublicKeyInfo GetPublicKey answers."""
    return bytes(private_key(material).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


def check_imported(spec: str, material: bytes) -> bytes:
    """Imported material valid for ``spec``, normalised to how hoarfrost stores it."""
    if spec == "SYMMETRIC_DEFAULT":
        if len(material) != 32:
            raise CryptoError("key_material", "The key material must be 256 bits for a SYMMETRIC_DEFAULT key.")
        return material
    if spec.startswith("HMAC_"):
        bits = int(spec[5:])
        if not bits // 8 <= len(material) <= 64:
            raise CryptoError("key_material", f"The key material length is not valid for {spec}.")
        return material
    try:
        key = serialization.load_der_private_key(material, password=None)
    except (ValueError, TypeError):
        raise CryptoError("key_material", "The key material is not a valid PKCS #8 private key.") from None
    if _spec_of(key) != spec:
        raise CryptoError("key_material", f"The key material does not match the key spec {spec}.")
    return _pkcs8(key)


def _spec_of(key: Any) -> str | None:
    if isinstance(key, rsa.RSAPrivateKey):
        return f"RSA_{key.key_size}"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return next((name for name, curve in _CURVES.items() if isinstance(key.curve, curve)), None)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ECC_NIST_EDWARDS25519"
    for table in (_ML_DSA, _ML_KEM):
        for name, cls in table.items():
            if isinstance(key, cls):
                return name
    return None


def new_material_id() -> str:
    """A KeyMaterialId (64 hex digits) for new material: random, as AWS's are."""
    return os.urandom(32).hex()


def fingerprint(material: bytes) -> str:
    """What re-imported material is compared with (AWS accepts only the same material again)."""
    return hashlib.sha256(material).hexdigest()


# -- symmetric blobs -------------------------------------------------------------------------
def canonical_context(context: Mapping[str, str] | None) -> bytes:
    """The encryption context as bytes that do not depend on the order its pairs came in."""
    return json.dumps(dict(sorted((context or {}).items())), separators=(",", ":"), ensure_ascii=False).encode()


def blob_header(key_id: str, material_hex: str) -> bytes:
    return VERSION + key_id.encode("ascii") + bytes.fromhex(material_hex)


def encrypt_symmetric(key_id: str, material_hex: str, key: bytes, plaintext: bytes,
                      context: Mapping[str, str] | None) -> bytes:
    header = blob_header(key_id, material_hex)
    nonce = os.urandom(NONCE_SIZE)
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + canonical_context(context))


def read_header(blob: bytes) -> tuple[str, str] | None:
    """(key id, key material id) of a symmetric blob hoarfrost wrote; None for anything else."""
    if len(blob) < MIN_BLOB or blob[:1] != VERSION:
        return None
    try:
        key_id = blob[1:1 + KEY_ID_SIZE].decode("ascii")
    except UnicodeDecodeError:
        return None
    return key_id, blob[1 + KEY_ID_SIZE:HEADER_SIZE].hex()


def decrypt_symmetric(blob: bytes, key: bytes, context: Mapping[str, str] | None) -> bytes:
    body_start = HEADER_SIZE + NONCE_SIZE
    header, nonce, body = blob[:HEADER_SIZE], blob[HEADER_SIZE:body_start], blob[body_start:]
    try:
        return AESGCM(key).decrypt(nonce, body, header + canonical_context(context))
    except InvalidTag:
        raise CryptoError("ciphertext") from None


# -- RSA encryption --------------------------------------------------------------------------
def _oaep(algorithm: str) -> padding.OAEP:
    digest = _HASHES[algorithm.removeprefix("RSAES_OAEP_")]()
    return padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)


def rsa_encrypt(material: bytes, algorithm: str, plaintext: bytes) -> bytes:
    try:
        return bytes(private_key(material).public_key().encrypt(plaintext, _oaep(algorithm)))
    except ValueError:
        raise CryptoError("validation", f"Plaintext is too long for {algorithm} with this key.") from None


def rsa_decrypt(material: bytes, algorithm: str, ciphertext: bytes) -> bytes:
    try:
        return bytes(private_key(material).decrypt(ciphertext, _oaep(algorithm)))
    except ValueError:
        raise CryptoError("ciphertext") from None


# -- signatures ------------------------------------------------------------------------------
def _digest_of(algorithm: str) -> hashes.HashAlgorithm:
    return _HASHES["SHA_" + algorithm.rsplit("_", 1)[1]]()


def _prepared(spec: str, algorithm: str, message: bytes, message_type: str) -> tuple[bytes, Any]:
    """(data, hash argument) for an RSA or ECDSA signature over ``message``."""
    digest = _digest_of(algorithm)
    if message_type == "DIGEST":
        if len(message) != digest.digest_size:
            raise CryptoError("validation", f"Digest is invalid length for algorithm {algorithm}.")
        return message, utils.Prehashed(digest)
    return message, digest


def _check_message_type(spec: str, algorithm: str, message_type: str) -> None:
    if message_type == "EXTERNAL_MU" and not spec.startswith("ML_DSA"):
        raise CryptoError("validation", f"Message type EXTERNAL_MU is incompatible with key spec {spec}.")
    if message_type == "DIGEST" and (spec.startswith("ML_DSA") or algorithm == "ED25519_SHA_512"):
        raise CryptoError("validation", f"Message type DIGEST is incompatible with key spec {spec}.")


def _ed25519_prehash(message: bytes, message_type: str) -> bytes:
    """What Ed25519ph signs: the SHA-512 digest of the message (given, or computed here)."""
    if message_type == "DIGEST":
        if len(message) != 64:
            raise CryptoError("validation", "Digest is invalid length for algorithm ED25519_PH_SHA_512.")
        return message
    return hashlib.sha512(message).digest()


def sign(spec: str, material: bytes, algorithm: str, message: bytes, message_type: str) -> bytes:
    _check_message_type(spec, algorithm, message_type)
    key = private_key(material)
    if algorithm == "ED25519_PH_SHA_512":
        return ed25519ph.sign(key.private_bytes_raw(), _ed25519_prehash(message, message_type))
    if spec.startswith("ML_DSA"):
        if message_type == "EXTERNAL_MU":
            if len(message) != 64:
                raise CryptoError("validation", "External mu must be 64 bytes long.")
            return bytes(key.sign_mu(message))
        return bytes(key.sign(message))
    if spec == "ECC_NIST_EDWARDS25519":
        return bytes(key.sign(message))
    data, chosen = _prepared(spec, algorithm, message, message_type)
    if spec.startswith("RSA_"):
        return bytes(key.sign(data, _rsa_padding(algorithm), chosen))
    return bytes(key.sign(data, ec.ECDSA(chosen)))


def _rsa_padding(algorithm: str) -> padding.AsymmetricPadding:
    if algorithm.startswith("RSASSA_PSS_"):
        # AWS signs PSS with a salt as long as the digest.
        return padding.PSS(mgf=padding.MGF1(_digest_of(algorithm)), salt_length=padding.PSS.DIGEST_LENGTH)
    return padding.PKCS1v15()


def verify(spec: str, material: bytes, algorithm: str, message: bytes, message_type: str, signature: bytes) -> bool:
    _check_message_type(spec, algorithm, message_type)
    public = private_key(material).public_key()
    if algorithm == "ED25519_PH_SHA_512":
        return ed25519ph.verify(public.public_bytes_raw(), _ed25519_prehash(message, message_type), signature)
    try:
        if spec.startswith("ML_DSA"):
            if message_type == "EXTERNAL_MU":
                public.verify_mu(signature, message)
            else:
                public.verify(signature, message)
        elif spec == "ECC_NIST_EDWARDS25519":
            public.verify(signature, message)
        else:
            data, chosen = _prepared(spec, algorithm, message, message_type)
            if spec.startswith("RSA_"):
                public.verify(signature, data, _rsa_padding(algorithm), chosen)
            else:
                public.verify(signature, data, ec.ECDSA(chosen))
    except (InvalidSignature, ValueError):
        return False
    return True


# -- MACs, key agreement, ML-KEM -------------------------------------------------------------
def mac(material: bytes, algorithm: str, message: bytes) -> bytes:
    return hmac.new(material, message, algorithm.removeprefix("HMAC_").replace("_", "").lower()).digest()


def derive_shared_secret(material: bytes, peer_public_der: bytes) -> bytes:
    """ECDH with a peer's DER public key on the same curve (the raw shared x coordinate)."""
    key = private_key(material)
    try:
        peer = serialization.load_der_public_key(peer_public_der)
    except (ValueError, TypeError):
        raise CryptoError("validation", "PublicKey is not a valid DER-encoded X.509 public key.") from None
    if not isinstance(peer, ec.EllipticCurvePublicKey) or peer.curve.name != key.curve.name:
        raise CryptoError("validation", "The public key's key spec does not match the KMS key's key spec.")
    return bytes(key.exchange(ec.ECDH(), peer))


def encapsulate(material: bytes) -> tuple[bytes, bytes]:
    """(shared secret, ciphertext) for the ML-KEM key's public half."""
    secret, ciphertext = private_key(material).public_key().encapsulate()
    return bytes(secret), bytes(ciphertext)


def decapsulate(material: bytes, ciphertext: bytes) -> bytes:
    try:
        return bytes(private_key(material).decapsulate(ciphertext))
    except ValueError:
        raise CryptoError("ciphertext") from None


# -- key import ------------------------------------------------------------------------------
def unwrap(wrapping_material: bytes, algorithm: str, wrapped: bytes) -> bytes:
    """The key material ImportKeyMaterial received, unwrapped with the import's private key."""
    key = private_key(wrapping_material)
    try:
        if algorithm == "RSAES_PKCS1_V1_5":
            return bytes(key.decrypt(wrapped, padding.PKCS1v15()))
        if algorithm in ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"):
            return bytes(key.decrypt(wrapped, _oaep(algorithm)))
        if algorithm in ("RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"):
            # An ephemeral AES key wrapped with RSA-OAEP, then the material wrapped with AES-KWP.
            size = key.key_size // 8
            aes_key = key.decrypt(wrapped[:size], _oaep("RSAES_OAEP_" + algorithm.removeprefix("RSA_AES_KEY_WRAP_")))
            return bytes(aes_key_unwrap_with_padding(aes_key, wrapped[size:]))
    except (ValueError, InvalidUnwrap):
        raise CryptoError("ciphertext") from None
    raise CryptoError("unsupported", f"hoarfrost cannot unwrap with {algorithm}")
