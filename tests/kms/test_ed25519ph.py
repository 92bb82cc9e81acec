"""Ed25519ph (HashEdDSA), which hoarfrost computes itself: RFC 8032's test vector (section
7.3) and a signature over a key made by ``cryptography``."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric import ed25519

from hoarfrost.services.kms import ed25519ph

SEED = bytes.fromhex("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42")
PUBLIC = bytes.fromhex("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf")
SIGNATURE = bytes.fromhex(
    "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41"
    "31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406")


def test_rfc_8032_vector() -> None:
    digest = hashlib.sha512(b"abc").digest()
    assert ed25519ph.sign(SEED, digest) == SIGNATURE
    assert ed25519ph.verify(PUBLIC, digest, SIGNATURE)
    assert not ed25519ph.verify(PUBLIC, hashlib.sha512(b"abd").digest(), SIGNATURE)
    assert not ed25519ph.verify(PUBLIC, digest, SIGNATURE[:63] + bytes([SIGNATURE[63] ^ 1]))


def test_keys_from_cryptography() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    digest = hashlib.sha512(b"message").digest()
    signature = ed25519ph.sign(key.private_bytes_raw(), digest)
    assert ed25519ph.verify(key.public_key().public_bytes_raw(), digest, signature)
    # Not a PureEdDSA signature of the digest: the dom2 prefix separates the two.
    assert signature != key.sign(digest)
