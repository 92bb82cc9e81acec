"""Cryptography through boto3: Encrypt / Decrypt / ReEncrypt with the encryption context bound
to the ciphertext, every form of key identifier, data keys and data key pairs, RSA-OAEP,
signatures that verify outside hoarfrost, MACs, ECDH, ML-KEM and GenerateRandom."""

from __future__ import annotations

import hashlib
import hmac as std_hmac
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, padding, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hoarfrost.core.errors import ServiceError
from tests.harness import Harness
from tests.kms.conftest import error_code, error_message, make_key

HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}


def test_encrypt_decrypt_binds_the_context(kms: Any) -> None:
    meta = make_key(kms)
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"secret", EncryptionContext={"a": "1", "b": "2"})
    assert blob["KeyId"] == meta["Arn"] and blob["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    out = kms.decrypt(CiphertextBlob=blob["CiphertextBlob"], EncryptionContext={"b": "2", "a": "1"})
    assert (out["Plaintext"], out["KeyId"], out["KeyMaterialId"]) == (b"secret", meta["Arn"],
                                                                      meta["CurrentKeyMaterialId"])
    for wrong in ({}, {"a": "1"}, {"a": "1", "b": "3"}, {"a": "1", "b": "2", "c": "3"}):
        with pytest.raises(ClientError) as exc:
            kms.decrypt(CiphertextBlob=blob["CiphertextBlob"], EncryptionContext=wrong)
        assert error_code(exc) == "InvalidCiphertextException"
    tampered = bytearray(blob["CiphertextBlob"])
    tampered[-1] ^= 1
    with pytest.raises(ClientError) as exc:
        kms.decrypt(CiphertextBlob=bytes(tampered), EncryptionContext={"a": "1", "b": "2"})
    assert error_code(exc) == "InvalidCiphertextException"
    with pytest.raises(ClientError) as exc:
        kms.decrypt(CiphertextBlob=b"not a kms ciphertext at all" * 4)
    assert error_code(exc) == "InvalidCiphertextException"


def test_every_form_of_key_identifier(aws: Harness, kms: Any) -> None:
    meta = make_key(kms)
    kms.create_alias(AliasName="alias/app", TargetKeyId=meta["KeyId"])
    alias_arn = f"arn:aws:kms:us-east-1:{aws.account}:alias/app"
    for form in (meta["KeyId"], meta["Arn"], "alias/app", alias_arn):
        blob = kms.encrypt(KeyId=form, Plaintext=b"p")["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob, KeyId=form)["Plaintext"] == b"p"
        assert kms.describe_key(KeyId=form)["KeyMetadata"]["KeyId"] == meta["KeyId"]
    with pytest.raises(ClientError) as exc:
        kms.enable_key(KeyId="alias/app")  # EnableKey takes a key id or key ARN only
    assert error_code(exc) == "NotFoundException"


def test_decrypt_with_the_wrong_key_is_incorrect_key(kms: Any) -> None:
    one, two = make_key(kms)["KeyId"], make_key(kms)["KeyId"]
    blob = kms.encrypt(KeyId=one, Plaintext=b"p")["CiphertextBlob"]
    with pytest.raises(ClientError) as exc:
        kms.decrypt(CiphertextBlob=blob, KeyId=two)
    assert error_code(exc) == "IncorrectKeyException"


def test_re_encrypt_moves_to_another_key_and_context(kms: Any) -> None:
    one, two = make_key(kms), make_key(kms)
    blob = kms.encrypt(KeyId=one["KeyId"], Plaintext=b"moving", EncryptionContext={"v": "1"})["CiphertextBlob"]
    moved = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"v": "1"},
                           DestinationKeyId=two["KeyId"], DestinationEncryptionContext={"v": "2"})
    assert (moved["SourceKeyId"], moved["KeyId"]) == (one["Arn"], two["Arn"])
    out = kms.decrypt(CiphertextBlob=moved["CiphertextBlob"], EncryptionContext={"v": "2"})
    assert (out["Plaintext"], out["KeyId"]) == (b"moving", two["Arn"])
    with pytest.raises(ClientError) as exc:
        kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=two["KeyId"])  # source context missing
    assert error_code(exc) == "InvalidCiphertextException"


def test_data_keys(kms: Any) -> None:
    key_id = make_key(kms)["KeyId"]
    data = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext={"k": "v"})
    assert len(data["Plaintext"]) == 32
    assert kms.decrypt(CiphertextBlob=data["CiphertextBlob"], EncryptionContext={"k": "v"})["Plaintext"] == \
        data["Plaintext"]
    assert len(kms.generate_data_key(KeyId=key_id, KeySpec="AES_128")["Plaintext"]) == 16
    assert len(kms.generate_data_key(KeyId=key_id, NumberOfBytes=7)["Plaintext"]) == 7
    bare = kms.generate_data_key_without_plaintext(KeyId=key_id, KeySpec="AES_256")
    assert "Plaintext" not in bare and len(kms.decrypt(CiphertextBlob=bare["CiphertextBlob"])["Plaintext"]) == 32
    for kwargs in ({}, {"KeySpec": "AES_256", "NumberOfBytes": 32}):
        with pytest.raises(ClientError) as exc:
            kms.generate_data_key(KeyId=key_id, **kwargs)
        assert error_code(exc) == "ValidationException"
    rsa_key = make_key(kms, KeySpec="RSA_2048")["KeyId"]
    with pytest.raises(ClientError) as exc:
        kms.generate_data_key(KeyId=rsa_key, KeySpec="AES_256")
    assert error_code(exc) == "InvalidKeyUsageException"


@pytest.mark.parametrize("pair_spec", ["ECC_NIST_P256", "RSA_2048", "ECC_NIST_EDWARDS25519", "ML_KEM_768"])
def test_data_key_pairs(kms: Any, pair_spec: str) -> None:
    key_id = make_key(kms)["KeyId"]
    pair = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec=pair_spec)
    private = serialization.load_der_private_key(pair["PrivateKeyPlaintext"], None)
    public_der = private.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    assert public_der == pair["PublicKey"] and pair["KeyPairSpec"] == pair_spec
    assert kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])["Plaintext"] == pair["PrivateKeyPlaintext"]
    bare = kms.generate_data_key_pair_without_plaintext(KeyId=key_id, KeyPairSpec=pair_spec)
    assert "PrivateKeyPlaintext" not in bare
    private = serialization.load_der_private_key(kms.decrypt(CiphertextBlob=bare["PrivateKeyCiphertextBlob"])
                                                 ["Plaintext"], None)
    assert private.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo) == bare["PublicKey"]


def test_data_key_pair_specs_without_material(kms: Any) -> None:
    key_id = make_key(kms)["KeyId"]
    with pytest.raises(ClientError) as exc:
        kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="SM2")
    assert error_code(exc) == "UnsupportedOperationException"


@pytest.mark.parametrize("algorithm", ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
def test_rsa_encryption_works_with_the_public_key_outside(kms: Any, algorithm: str) -> None:
    key_id = make_key(kms, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyId"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    digest = hashes.SHA1() if algorithm.endswith("SHA_1") else hashes.SHA256()
    outside = public.encrypt(b"to kms", padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None))
    out = kms.decrypt(KeyId=key_id, CiphertextBlob=outside, EncryptionAlgorithm=algorithm)
    assert (out["Plaintext"], out["EncryptionAlgorithm"]) == (b"to kms", algorithm)
    inside = kms.encrypt(KeyId=key_id, Plaintext=b"round", EncryptionAlgorithm=algorithm)["CiphertextBlob"]
    assert kms.decrypt(KeyId=key_id, CiphertextBlob=inside, EncryptionAlgorithm=algorithm)["Plaintext"] == b"round"
    with pytest.raises(ClientError) as exc:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")  # SYMMETRIC_DEFAULT is not an RSA algorithm
    assert error_code(exc) == "InvalidKeyUsageException"
    with pytest.raises(ClientError) as exc:
        kms.decrypt(CiphertextBlob=inside, EncryptionAlgorithm=algorithm)  # no KeyId: nothing names the key
    assert error_code(exc) == "InvalidCiphertextException"


SIGNING = [
    ("RSA_2048", "RSASSA_PSS_SHA_256"), ("RSA_2048", "RSASSA_PSS_SHA_384"), ("RSA_2048", "RSASSA_PSS_SHA_512"),
    ("RSA_3072", "RSASSA_PKCS1_V1_5_SHA_256"), ("RSA_3072", "RSASSA_PKCS1_V1_5_SHA_384"),
    ("RSA_3072", "RSASSA_PKCS1_V1_5_SHA_512"),
    ("ECC_NIST_P256", "ECDSA_SHA_256"), ("ECC_NIST_P384", "ECDSA_SHA_384"), ("ECC_NIST_P521", "ECDSA_SHA_512"),
    ("ECC_SECG_P256K1", "ECDSA_SHA_256"),
]


def _verify_outside(public: Any, algorithm: str, signature: bytes, message: bytes, digest: bool) -> None:
    chosen = HASHES[algorithm.rsplit("_", 1)[1]]()
    how = utils.Prehashed(chosen) if digest else chosen
    if algorithm.startswith("RSASSA_PSS"):
        public.verify(signature, message, padding.PSS(mgf=padding.MGF1(chosen), salt_length=chosen.digest_size), how)
    elif algorithm.startswith("RSASSA_PKCS1"):
        public.verify(signature, message, padding.PKCS1v15(), how)
    else:
        public.verify(signature, message, ec.ECDSA(how))


@pytest.mark.parametrize(("spec", "algorithm"), SIGNING)
def test_signatures_verify_with_the_public_key_outside(inprocess: Harness, spec: str, algorithm: str) -> None:
    kms = inprocess.client("kms")
    key_id = make_key(kms, KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyId"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    message = b"the message"
    raw = kms.sign(KeyId=key_id, Message=message, SigningAlgorithm=algorithm)
    assert raw["SigningAlgorithm"] == algorithm
    _verify_outside(public, algorithm, raw["Signature"], message, digest=False)
    digest = hashlib.new("sha" + algorithm.rsplit("_", 1)[1], message).digest()
    signed = kms.sign(KeyId=key_id, Message=digest, MessageType="DIGEST", SigningAlgorithm=algorithm)["Signature"]
    _verify_outside(public, algorithm, signed, digest, digest=True)
    assert kms.verify(KeyId=key_id, Message=message, Signature=raw["Signature"],
                      SigningAlgorithm=algorithm)["SignatureValid"] is True
    with pytest.raises(ClientError) as exc:
        kms.verify(KeyId=key_id, Message=b"another message", Signature=raw["Signature"], SigningAlgorithm=algorithm)
    assert error_code(exc) == "KMSInvalidSignatureException"
    with pytest.raises(ClientError) as exc:
        kms.sign(KeyId=key_id, Message=b"short", MessageType="DIGEST", SigningAlgorithm=algorithm)
    assert error_code(exc) == "ValidationException"
    assert error_message(exc) == f"Digest is invalid length for algorithm {algorithm}."


def test_signing_over_http(kms: Any) -> None:
    key_id = make_key(kms, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
    signature = kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    public.verify(signature, b"m", ec.ECDSA(hashes.SHA256()))
    with pytest.raises(ClientError) as exc:
        kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")
    assert error_code(exc) == "InvalidKeyUsageException"
    with pytest.raises(ClientError) as exc:
        kms.encrypt(KeyId=key_id, Plaintext=b"m")
    assert error_code(exc) == "InvalidKeyUsageException"
    assert error_message(exc).endswith("key usage is SIGN_VERIFY which is not valid for Encrypt.")


def test_ed25519_and_ml_dsa(kms: Any) -> None:
    ed = make_key(kms, KeySpec="ECC_NIST_EDWARDS25519", KeyUsage="SIGN_VERIFY")["KeyId"]
    signature = kms.sign(KeyId=ed, Message=b"m", SigningAlgorithm="ED25519_SHA_512")["Signature"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=ed)["PublicKey"])
    assert isinstance(public, ed25519.Ed25519PublicKey)
    public.verify(signature, b"m")
    # HashEdDSA: RAW (KMS takes the SHA-512 digest) and DIGEST sign the same thing.
    for message, message_type in ((b"m", "RAW"), (hashlib.sha512(b"m").digest(), "DIGEST")):
        signed = kms.sign(KeyId=ed, Message=message, MessageType=message_type,
                          SigningAlgorithm="ED25519_PH_SHA_512")["Signature"]
        assert kms.verify(KeyId=ed, Message=b"m", Signature=signed, SigningAlgorithm="ED25519_PH_SHA_512")
        with pytest.raises(ClientError) as exc:
            kms.verify(KeyId=ed, Message=b"n", Signature=signed, SigningAlgorithm="ED25519_PH_SHA_512")
        assert error_code(exc) == "KMSInvalidSignatureException"
    ml = make_key(kms, KeySpec="ML_DSA_44", KeyUsage="SIGN_VERIFY")["KeyId"]
    signature = kms.sign(KeyId=ml, Message=b"m", SigningAlgorithm="ML_DSA_SHAKE_256")["Signature"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=ml)["PublicKey"])
    assert isinstance(public, mldsa.MLDSA44PublicKey) and len(signature) == 2420
    public.verify(signature, b"m")
    with pytest.raises(ClientError) as exc:
        kms.sign(KeyId=ml, Message=hashlib.sha256(b"m").digest(), MessageType="DIGEST",
                 SigningAlgorithm="ML_DSA_SHAKE_256")
    assert error_message(exc) == "Message type DIGEST is incompatible with key spec ML_DSA_44."


def test_macs(kms: Any) -> None:
    key_id = make_key(kms, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
    mac = kms.generate_mac(KeyId=key_id, Message=b"msg", MacAlgorithm="HMAC_SHA_256")
    assert len(mac["Mac"]) == 32 and mac["MacAlgorithm"] == "HMAC_SHA_256"
    assert kms.verify_mac(KeyId=key_id, Message=b"msg", Mac=mac["Mac"], MacAlgorithm="HMAC_SHA_256")["MacValid"]
    with pytest.raises(ClientError) as exc:
        kms.verify_mac(KeyId=key_id, Message=b"other", Mac=mac["Mac"], MacAlgorithm="HMAC_SHA_256")
    assert error_code(exc) == "KMSInvalidMacException"
    with pytest.raises(ClientError) as exc:
        kms.generate_mac(KeyId=key_id, Message=b"msg", MacAlgorithm="HMAC_SHA_512")
    assert error_code(exc) == "InvalidKeyUsageException"
    assert std_hmac.compare_digest(mac["Mac"], mac["Mac"])


def test_derive_shared_secret_agrees_with_the_peer(kms: Any) -> None:
    key_id = make_key(kms, KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyId"]
    peer = ec.generate_private_key(ec.SECP256R1())
    peer_public = peer.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
    secret = kms.derive_shared_secret(KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=peer_public)
    kms_public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    assert secret["SharedSecret"] == peer.exchange(ec.ECDH(), kms_public)
    other_curve = ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(ClientError) as exc:
        kms.derive_shared_secret(KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=other_curve)
    assert error_code(exc) == "ValidationException"


def test_ml_kem_encapsulation(kms: Any) -> None:
    key_id = make_key(kms, KeySpec="ML_KEM_768", KeyUsage="ENCAPSULATE_DECAPSULATE")["KeyId"]
    sealed = kms.encapsulate(KeyId=key_id, EncapsulationAlgorithm="ML_KEM")
    opened = kms.decapsulate(KeyId=key_id, EncapsulationAlgorithm="ML_KEM",
                             SharedSecretCiphertextBlob=sealed["SharedSecretCiphertextBlob"])
    assert opened["SharedSecret"] == sealed["SharedSecret"] and len(sealed["SharedSecret"]) == 32
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    secret, ciphertext = public.encapsulate()
    assert kms.decapsulate(KeyId=key_id, EncapsulationAlgorithm="ML_KEM",
                           SharedSecretCiphertextBlob=ciphertext)["SharedSecret"] == secret


def test_generate_random(kms: Any) -> None:
    assert len(kms.generate_random(NumberOfBytes=64)["Plaintext"]) == 64
    with pytest.raises(ClientError) as exc:
        kms.generate_random(NumberOfBytes=16, CustomKeyStoreId="cks-1234567890abcdef0")
    assert error_code(exc) == "CustomKeyStoreNotFoundException"


def test_dry_run_answers_after_the_checks(kms: Any) -> None:
    key_id = make_key(kms)["KeyId"]
    with pytest.raises(ClientError) as exc:
        kms.encrypt(KeyId=key_id, Plaintext=b"x", DryRun=True)
    assert error_code(exc) == "DryRunOperationException"
    kms.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as exc:
        kms.encrypt(KeyId=key_id, Plaintext=b"x", DryRun=True)
    assert error_code(exc) == "DisabledException"


def test_managed_keys_appear_on_first_use(aws: Harness, kms: Any) -> None:
    assert kms.list_aliases()["Aliases"] == []
    blob = kms.encrypt(KeyId="alias/aws/secretsmanager", Plaintext=b"s")
    meta = kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]
    assert meta["KeyManager"] == "AWS" and blob["KeyId"] == meta["Arn"]
    assert kms.get_key_rotation_status(KeyId=meta["KeyId"])["KeyRotationEnabled"] is True
    assert [a["AliasName"] for a in kms.list_aliases()["Aliases"]] == ["alias/aws/secretsmanager"]
    assert kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]["KeyId"] == meta["KeyId"]
    with pytest.raises(ClientError) as exc:
        kms.schedule_key_deletion(KeyId=meta["KeyId"])
    assert error_code(exc) == "UnsupportedOperationException"
    with pytest.raises(ClientError) as exc:
        kms.create_alias(AliasName="alias/aws/mine", TargetKeyId=make_key(kms)["KeyId"])
    assert error_code(exc) == "InvalidAliasNameException"


def test_ciphertext_is_aes_gcm_under_the_key_material(aws: Harness, kms: Any) -> None:
    """The blob is real AES-256-GCM: the material from the state view decrypts it by hand."""
    key_id = make_key(kms)["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"by hand")["CiphertextBlob"]
    view = aws.emulator.service("kms").snapshot(aws.account, aws.region)
    material = view.keys[0].materials[0].material
    header, nonce, body = blob[:69], blob[69:81], blob[81:]
    assert AESGCM(material).decrypt(nonce, body, header + b"{}") == b"by hand"


def test_re_encrypt_into_another_region(aws: Harness, kms: Any) -> None:
    source = make_key(kms)["KeyId"]
    west = aws.client("kms", region_name="eu-west-1")
    destination = make_key(west)["Arn"]
    blob = kms.encrypt(KeyId=source, Plaintext=b"travel")["CiphertextBlob"]
    moved = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination)
    assert moved["KeyId"] == destination
    assert west.decrypt(CiphertextBlob=moved["CiphertextBlob"])["Plaintext"] == b"travel"


def test_other_services_encrypt_through_invoke(aws: Harness, kms: Any) -> None:
    """What Secrets Manager and SSM use: the same semantics as the API, without a wire."""
    service = aws.emulator.service("kms")
    sealed = service.invoke(aws.account, aws.region, "Encrypt", {
        "KeyId": "alias/aws/secretsmanager", "Plaintext": b"value", "EncryptionContext": {"SecretARN": "s"}})
    out = kms.decrypt(CiphertextBlob=sealed["CiphertextBlob"], EncryptionContext={"SecretARN": "s"})
    assert out["Plaintext"] == b"value" and out["KeyId"] == sealed["KeyId"]
    assert kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]["KeyManager"] == "AWS"
    key_id = make_key(kms)["KeyId"]
    blob = service.invoke(aws.account, aws.region, "Encrypt", {"KeyId": key_id, "Plaintext": b"v"})["CiphertextBlob"]
    kms.disable_key(KeyId=key_id)
    with pytest.raises(ServiceError) as exc:
        service.invoke(aws.account, aws.region, "Decrypt", {"CiphertextBlob": blob})
    assert exc.value.code == "DisabledException"


def test_decrypt_and_reencrypt_without_a_ciphertext_are_validation_errors(kms: Any) -> None:
    # botocore's model lets CiphertextBlob out; KMS requires it.
    key = make_key(kms)["KeyId"]
    for call in (lambda: kms.decrypt(KeyId=key), lambda: kms.re_encrypt(DestinationKeyId=key)):
        with pytest.raises(ClientError) as raised:
            call()
        assert error_code(raised) == "ValidationException"
        assert "Value null at 'ciphertextBlob' failed to satisfy constraint" in error_message(raised)
