"""Imported key material (a real RSA wrapping key from GetParametersForImport), multi-Region
keys and their replicas, aliases, and custom key stores answering the model's errors."""

from __future__ import annotations

import datetime as dt
import hmac
import os
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

from tests.harness import Harness
from tests.kms.conftest import error_code, error_message, make_key

OAEP_256 = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def _wrap(kms: Any, key_id: str, material: bytes, algorithm: str = "RSAES_OAEP_SHA_256") -> bytes:
    """Import parameters for ``key_id`` and ``material`` wrapped with their public key; the token."""
    params = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec="RSA_2048")
    public = serialization.load_der_public_key(params["PublicKey"])
    if algorithm == "RSA_AES_KEY_WRAP_SHA_256":
        aes = os.urandom(32)
        wrapped = public.encrypt(aes, OAEP_256) + aes_key_wrap_with_padding(aes, material)
    else:
        wrapped = public.encrypt(material, OAEP_256)
    return params["ImportToken"], wrapped


def test_imported_material_encrypts_and_expires(aws: Harness, kms: Any) -> None:
    meta = make_key(kms, Origin="EXTERNAL")
    key_id, arn = meta["KeyId"], meta["Arn"]
    assert (meta["KeyState"], meta["Enabled"], meta["Origin"]) == ("PendingImport", False, "EXTERNAL")
    with pytest.raises(ClientError) as exc:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
    assert (error_code(exc), error_message(exc)) == ("KMSInvalidStateException", f"{arn} is pending import.")
    material = os.urandom(32)
    token, wrapped = _wrap(kms, key_id, material)
    valid_to = dt.datetime.fromtimestamp(aws.emulator.clock.time() + 86400, dt.timezone.utc)
    answer = kms.import_key_material(KeyId=key_id, ImportToken=token, EncryptedKeyMaterial=wrapped, ValidTo=valid_to,
                                     ExpirationModel="KEY_MATERIAL_EXPIRES")
    assert len(answer["KeyMaterialId"]) == 64
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (meta["KeyState"], meta["ExpirationModel"]) == ("Enabled", "KEY_MATERIAL_EXPIRES")
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"imported")["CiphertextBlob"]
    # The blob is AES-GCM under exactly the material the caller imported.
    assert AESGCM(material).decrypt(blob[69:81], blob[81:], blob[:69] + b"{}") == b"imported"

    aws.emulator.clock.advance(86400 + 1)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
    with pytest.raises(ClientError) as exc:
        kms.decrypt(CiphertextBlob=blob)
    assert error_code(exc) == "KMSInvalidStateException"

    token, wrapped = _wrap(kms, key_id, os.urandom(32))
    with pytest.raises(ClientError) as exc:
        kms.import_key_material(KeyId=key_id, ImportToken=token, EncryptedKeyMaterial=wrapped)
    assert error_code(exc) == "IncorrectKeyMaterialException"
    token, wrapped = _wrap(kms, key_id, material)
    kms.import_key_material(KeyId=key_id, ImportToken=token, EncryptedKeyMaterial=wrapped)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"imported"

    assert kms.delete_imported_key_material(KeyId=key_id)["KeyId"] == arn
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"


def test_import_tokens_belong_to_their_key_and_expire(aws: Harness, kms: Any) -> None:
    one, two = make_key(kms, Origin="EXTERNAL")["KeyId"], make_key(kms, Origin="EXTERNAL")["KeyId"]
    token, wrapped = _wrap(kms, one, os.urandom(32))
    with pytest.raises(ClientError) as exc:
        kms.import_key_material(KeyId=two, ImportToken=token, EncryptedKeyMaterial=wrapped)
    assert error_code(exc) == "InvalidImportTokenException"
    with pytest.raises(ClientError) as exc:
        kms.import_key_material(KeyId=one, ImportToken=token, EncryptedKeyMaterial=b"\x00" * 256)
    assert error_code(exc) == "InvalidCiphertextException"
    aws.emulator.clock.advance(86400 + 1)
    with pytest.raises(ClientError) as exc:
        kms.import_key_material(KeyId=one, ImportToken=token, EncryptedKeyMaterial=wrapped)
    assert error_code(exc) == "ExpiredImportTokenException"
    native = make_key(kms)["KeyId"]
    with pytest.raises(ClientError) as exc:
        kms.get_parameters_for_import(KeyId=native, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048")
    assert error_code(exc) == "UnsupportedOperationException"


def test_hmac_material_imported_with_aes_key_wrap(kms: Any) -> None:
    key_id = make_key(kms, Origin="EXTERNAL", KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
    material = os.urandom(32)
    token, wrapped = _wrap(kms, key_id, material, "RSA_AES_KEY_WRAP_SHA_256")
    kms.import_key_material(KeyId=key_id, ImportToken=token, EncryptedKeyMaterial=wrapped)
    mac = kms.generate_mac(KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert mac == hmac.new(material, b"m", "sha256").digest()


def test_multi_region_replica_shares_material(aws: Harness) -> None:
    east, west = aws.client("kms"), aws.client("kms", region_name="eu-west-1")
    meta = make_key(east, MultiRegion=True, Description="global")
    key_id = meta["KeyId"]
    assert key_id.startswith("mrk-") and meta["MultiRegion"] is True
    assert meta["MultiRegionConfiguration"]["MultiRegionKeyType"] == "PRIMARY"
    replica = east.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1", Tags=[{"TagKey": "r", "TagValue": "1"}])
    replica_meta = replica["ReplicaKeyMetadata"]
    assert replica_meta["Arn"] == f"arn:aws:kms:eu-west-1:{aws.account}:key/{key_id}"
    assert replica_meta["MultiRegionConfiguration"]["MultiRegionKeyType"] == "REPLICA"
    assert replica_meta["Description"] == "global" and replica["ReplicaTags"] == [{"TagKey": "r", "TagValue": "1"}]
    primary_config = east.describe_key(KeyId=key_id)["KeyMetadata"]["MultiRegionConfiguration"]
    assert primary_config["ReplicaKeys"] == [{"Arn": replica_meta["Arn"], "Region": "eu-west-1"}]

    blob = east.encrypt(KeyId=key_id, Plaintext=b"anywhere", EncryptionContext={"c": "1"})["CiphertextBlob"]
    assert west.decrypt(CiphertextBlob=blob, EncryptionContext={"c": "1"})["Plaintext"] == b"anywhere"
    back = west.encrypt(KeyId=key_id, Plaintext=b"back")["CiphertextBlob"]
    assert east.decrypt(CiphertextBlob=back)["Plaintext"] == b"back"

    east.rotate_key_on_demand(KeyId=key_id)
    rotated = east.encrypt(KeyId=key_id, Plaintext=b"new material")["CiphertextBlob"]
    assert west.decrypt(CiphertextBlob=rotated)["Plaintext"] == b"new material"
    with pytest.raises(ClientError) as exc:
        west.rotate_key_on_demand(KeyId=key_id)
    assert error_code(exc) == "UnsupportedOperationException"

    with pytest.raises(ClientError) as exc:
        east.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
    assert error_code(exc) == "AlreadyExistsException"
    single = make_key(east)["KeyId"]
    with pytest.raises(ClientError) as exc:
        east.replicate_key(KeyId=single, ReplicaRegion="eu-west-1")
    assert error_code(exc) == "UnsupportedOperationException"

    east.update_primary_region(KeyId=key_id, PrimaryRegion="eu-west-1")
    assert west.describe_key(KeyId=key_id)["KeyMetadata"]["MultiRegionConfiguration"]["MultiRegionKeyType"] == \
        "PRIMARY"
    east_config = east.describe_key(KeyId=key_id)["KeyMetadata"]["MultiRegionConfiguration"]
    assert east_config["MultiRegionKeyType"] == "REPLICA" and east_config["PrimaryKey"]["Region"] == "eu-west-1"


def test_aliases(aws: Harness, kms: Any) -> None:
    one, two = make_key(kms)["KeyId"], make_key(kms)["KeyId"]
    kms.create_alias(AliasName="alias/b", TargetKeyId=one)
    kms.create_alias(AliasName="alias/a", TargetKeyId=two)
    with pytest.raises(ClientError) as exc:
        kms.create_alias(AliasName="alias/a", TargetKeyId=one)
    assert error_code(exc) == "AlreadyExistsException"
    assert error_message(exc) == f"An alias with the name arn:aws:kms:us-east-1:{aws.account}:alias/a already exists"
    with pytest.raises(ClientError) as exc:
        kms.create_alias(AliasName="nope", TargetKeyId=one)
    assert error_code(exc) == "InvalidAliasNameException"
    aliases = kms.list_aliases()["Aliases"]
    assert [(a["AliasName"], a["TargetKeyId"]) for a in aliases] == [("alias/a", two), ("alias/b", one)]
    assert aliases[0]["AliasArn"] == f"arn:aws:kms:us-east-1:{aws.account}:alias/a"
    assert [a["AliasName"] for a in kms.list_aliases(KeyId=one)["Aliases"]] == ["alias/b"]
    page = kms.list_aliases(Limit=1)
    assert page["Truncated"] and kms.list_aliases(Marker=page["NextMarker"])["Aliases"][0]["AliasName"] == "alias/b"
    kms.update_alias(AliasName="alias/a", TargetKeyId=one)
    assert kms.describe_key(KeyId="alias/a")["KeyMetadata"]["KeyId"] == one
    signing = make_key(kms, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
    with pytest.raises(ClientError) as exc:
        kms.update_alias(AliasName="alias/a", TargetKeyId=signing)
    assert error_code(exc) == "ValidationException"
    kms.delete_alias(AliasName="alias/a")
    with pytest.raises(ClientError) as exc:
        kms.delete_alias(AliasName="alias/a")
    assert error_code(exc) == "NotFoundException"


def test_custom_key_stores_answer_the_models_errors(kms: Any) -> None:
    with pytest.raises(ClientError) as exc:
        kms.create_custom_key_store(CustomKeyStoreName="s", CloudHsmClusterId="cluster-234567abcdef",
                                    TrustAnchorCertificate="cert", KeyStorePassword="password1")
    assert error_code(exc) == "CloudHsmClusterNotFoundException"
    with pytest.raises(ClientError) as exc:
        kms.create_custom_key_store(CustomKeyStoreName="x", CustomKeyStoreType="EXTERNAL_KEY_STORE",
                                    XksProxyUriEndpoint="https://proxy.example.com", XksProxyUriPath="/kms/xks/v1",
                                    XksProxyConnectivity="PUBLIC_ENDPOINT",
                                    XksProxyAuthenticationCredential={"AccessKeyId": "A" * 20,
                                                                      "RawSecretAccessKey": "s" * 43})
    assert error_code(exc) == "XksProxyUriUnreachableException"
    assert kms.describe_custom_key_stores()["CustomKeyStores"] == []
    for call in (kms.connect_custom_key_store, kms.disconnect_custom_key_store, kms.delete_custom_key_store):
        with pytest.raises(ClientError) as exc:
            call(CustomKeyStoreId="cks-1234567890abcdef0")
        assert error_code(exc) == "CustomKeyStoreNotFoundException"
    with pytest.raises(ClientError) as exc:
        kms.create_key(CustomKeyStoreId="cks-1234567890abcdef0", Origin="AWS_CLOUDHSM")
    assert error_code(exc) == "CustomKeyStoreNotFoundException"


def test_a_primary_waits_for_its_replicas_to_be_deleted(aws: Harness) -> None:
    east, west = aws.client("kms"), aws.client("kms", region_name="eu-west-1")
    key_id = make_key(east, MultiRegion=True)["KeyId"]
    east.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
    answer = east.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert answer["KeyState"] == "PendingReplicaDeletion" and "DeletionDate" not in answer
    with pytest.raises(ClientError) as exc:
        east.encrypt(KeyId=key_id, Plaintext=b"x")
    assert error_message(exc).endswith("is pending replica deletion.")
    west.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    aws.emulator.clock.advance(7 * 86400 + 1)
    # The replica is gone; the primary forgot it and started its own waiting period.
    meta = east.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "PendingDeletion" and meta["MultiRegionConfiguration"]["ReplicaKeys"] == []
    with pytest.raises(ClientError) as exc:
        west.describe_key(KeyId=key_id)
    assert error_code(exc) == "NotFoundException"
    aws.emulator.clock.advance(7 * 86400 + 1)
    assert east.list_keys()["Keys"] == []


def test_automatic_rotation_of_a_primary_reaches_its_replica(aws: Harness) -> None:
    east, west = aws.client("kms"), aws.client("kms", region_name="eu-west-1")
    key_id = make_key(east, MultiRegion=True)["KeyId"]
    east.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
    east.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    aws.emulator.clock.advance(91 * 86400)
    rotated = west.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    assert rotated == east.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    blob = east.encrypt(KeyId=key_id, Plaintext=b"new")["CiphertextBlob"]
    assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"new"


def test_imported_rsa_signing_key(kms: Any) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    key_id = make_key(kms, Origin="EXTERNAL", KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyId"]
    token, wrapped = _wrap(kms, key_id, der, "RSA_AES_KEY_WRAP_SHA_256")
    kms.import_key_material(KeyId=key_id, ImportToken=token, EncryptedKeyMaterial=wrapped)
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    assert public.public_numbers() == private.public_key().public_numbers()
    signature = kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")["Signature"]
    private.public_key().verify(signature, b"m", padding.PKCS1v15(), hashes.SHA256())
    ec_der = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    other = make_key(kms, Origin="EXTERNAL", KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyId"]
    token, wrapped = _wrap(kms, other, ec_der, "RSA_AES_KEY_WRAP_SHA_256")
    with pytest.raises(ClientError) as exc:
        kms.import_key_material(KeyId=other, ImportToken=token, EncryptedKeyMaterial=wrapped)
    assert error_code(exc) == "IncorrectKeyMaterialException"
