"""KMS key specs: which key usages each allows and which algorithms each usage offers.

One table, read by CreateKey (is this usage valid for this spec?), by DescribeKey (the
algorithm lists of KeyMetadata) and by every cryptographic operation (is this algorithm valid
for this key?). The spec names are the model's ``KeySpec`` enum; the table says what AWS
documents for each ("Key spec reference" in the KMS developer guide).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"
SIGN_VERIFY = "SIGN_VERIFY"
GENERATE_VERIFY_MAC = "GENERATE_VERIFY_MAC"
KEY_AGREEMENT = "KEY_AGREEMENT"
ENCAPSULATE_DECAPSULATE = "ENCAPSULATE_DECAPSULATE"

SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"

_RSA_SIGNING = ("RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
                "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512")
_RSA_ENCRYPTION = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")


@dataclass(frozen=True, slots=True)
class KeySpec:
    """One key spec: the usages it may have and, per usage, the algorithms KeyMetadata lists.

    ``supported`` False marks a spec the model lists that hoarfrost's ``cryptography`` cannot
    back with real material (SM2, ML_KEM_512): CreateKey answers UnsupportedOperationException."""

    name: str
    usages: dict[str, tuple[str, ...]] = field(default_factory=dict)
    supported: bool = True

    @property
    def symmetric(self) -> bool:
        return self.name == SYMMETRIC_DEFAULT

    @property
    def hmac(self) -> bool:
        return self.name.startswith("HMAC_")

    @property
    def asymmetric(self) -> bool:
        return not (self.symmetric or self.hmac)


def _specs() -> dict[str, KeySpec]:
    specs = [
        KeySpec(SYMMETRIC_DEFAULT, {ENCRYPT_DECRYPT: (SYMMETRIC_DEFAULT,)}),
        *(KeySpec(f"RSA_{bits}", {ENCRYPT_DECRYPT: _RSA_ENCRYPTION, SIGN_VERIFY: _RSA_SIGNING})
          for bits in (2048, 3072, 4096)),
        KeySpec("ECC_NIST_P256", {SIGN_VERIFY: ("ECDSA_SHA_256",), KEY_AGREEMENT: ("ECDH",)}),
        KeySpec("ECC_NIST_P384", {SIGN_VERIFY: ("ECDSA_SHA_384",), KEY_AGREEMENT: ("ECDH",)}),
        KeySpec("ECC_NIST_P521", {SIGN_VERIFY: ("ECDSA_SHA_512",), KEY_AGREEMENT: ("ECDH",)}),
        KeySpec("ECC_SECG_P256K1", {SIGN_VERIFY: ("ECDSA_SHA_256",)}),
        KeySpec("ECC_NIST_EDWARDS25519", {SIGN_VERIFY: ("ED25519_SHA_512", "ED25519_PH_SHA_512")}),
        *(KeySpec(f"HMAC_{bits}", {GENERATE_VERIFY_MAC: (f"HMAC_SHA_{bits}",)}) for bits in (224, 256, 384, 512)),
        *(KeySpec(f"ML_DSA_{level}", {SIGN_VERIFY: ("ML_DSA_SHAKE_256",)}) for level in (44, 65, 87)),
        KeySpec("ML_KEM_512", {ENCAPSULATE_DECAPSULATE: ("ML_KEM",)}, supported=False),
        *(KeySpec(f"ML_KEM_{level}", {ENCAPSULATE_DECAPSULATE: ("ML_KEM",)}) for level in (768, 1024)),
        KeySpec("SM2", {ENCRYPT_DECRYPT: ("SM2PKE",), SIGN_VERIFY: ("SM2DSA",), KEY_AGREEMENT: ("ECDH",)},
                supported=False),
    ]
    return {spec.name: spec for spec in specs}


SPECS: dict[str, KeySpec] = _specs()

# KeyMetadata's algorithm list member for each usage.
ALGORITHM_MEMBERS = {
    ENCRYPT_DECRYPT: "EncryptionAlgorithms",
    SIGN_VERIFY: "SigningAlgorithms",
    GENERATE_VERIFY_MAC: "MacAlgorithms",
    KEY_AGREEMENT: "KeyAgreementAlgorithms",
    ENCAPSULATE_DECAPSULATE: "EncapsulationAlgorithms",
}

# GenerateDataKeyPair's KeyPairSpec values hoarfrost can generate (SM2 and ML_KEM_512 it cannot).
DATA_KEY_PAIR_SPECS = frozenset(name for name, spec in SPECS.items()
                                if spec.asymmetric and spec.supported and not name.startswith("ML_DSA"))

# The one spec of the deprecated CustomerMasterKeySpec member that differs from KeySpec: none;
# KeyMetadata answers both with the same value where CustomerMasterKeySpec has it.
CUSTOMER_MASTER_KEY_SPECS = frozenset((
    "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
    SYMMETRIC_DEFAULT, "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2",
))


# The grant operations that make sense for each key usage (CreateGrant refuses the others).
_GRANT_COMMON = ("CreateGrant", "RetireGrant", "DescribeKey")
GRANT_OPERATIONS: dict[tuple[str, bool], frozenset[str]] = {
    (ENCRYPT_DECRYPT, True): frozenset((*_GRANT_COMMON, "Decrypt", "Encrypt", "GenerateDataKey",
                                        "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
                                        "GenerateDataKeyPairWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo")),
    (ENCRYPT_DECRYPT, False): frozenset((*_GRANT_COMMON, "Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo",
                                         "GetPublicKey")),
    (SIGN_VERIFY, False): frozenset((*_GRANT_COMMON, "Sign", "Verify", "GetPublicKey")),
    (GENERATE_VERIFY_MAC, False): frozenset((*_GRANT_COMMON, "GenerateMac", "VerifyMac")),
    (KEY_AGREEMENT, False): frozenset((*_GRANT_COMMON, "DeriveSharedSecret", "GetPublicKey")),
    (ENCAPSULATE_DECAPSULATE, False): frozenset((*_GRANT_COMMON, "Encapsulate", "Decapsulate", "GetPublicKey")),
}


def grant_operations(key_spec: str, key_usage: str) -> frozenset[str]:
    """The grant operations valid for a key of ``key_spec`` and ``key_usage``."""
    return GRANT_OPERATIONS[(key_usage, key_spec == SYMMETRIC_DEFAULT and key_usage == ENCRYPT_DECRYPT)]
