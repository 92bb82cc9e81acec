"""Rotation: automatic rotation by the emulator's clock with RotationPeriodInDays,
RotateKeyOnDemand, ListKeyRotations, and older material still decrypting."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.kms.conftest import error_code, make_key

DAY = 86400


def test_automatic_rotation_follows_the_clock(aws: Harness, kms: Any) -> None:
    key_id = make_key(kms)["KeyId"]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False
    old_blob = kms.encrypt(KeyId=key_id, Plaintext=b"before")["CiphertextBlob"]
    first = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 90
    aws.emulator.clock.advance(89 * DAY)
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == []
    aws.emulator.clock.advance(2 * DAY)
    rotations = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    assert [(r["RotationType"], r["KeyMaterialState"]) for r in rotations] == [("AUTOMATIC", "CURRENT")]
    second = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    assert second != first and rotations[0]["KeyMaterialId"] == second
    new_blob = kms.encrypt(KeyId=key_id, Plaintext=b"after")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=old_blob)["KeyMaterialId"] == first
    assert kms.decrypt(CiphertextBlob=old_blob)["Plaintext"] == b"before"
    assert kms.decrypt(CiphertextBlob=new_blob)["KeyMaterialId"] == second
    # Three more periods at once rotate three times.
    aws.emulator.clock.advance(3 * 90 * DAY)
    assert len(kms.list_key_rotations(KeyId=key_id)["Rotations"]) == 4
    everything = kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert len(everything) == 5 and "RotationType" not in everything[0]
    assert kms.decrypt(CiphertextBlob=old_blob)["Plaintext"] == b"before"
    kms.disable_key_rotation(KeyId=key_id)
    assert "NextRotationDate" not in kms.get_key_rotation_status(KeyId=key_id)


def test_on_demand_rotation(kms: Any) -> None:
    key_id = make_key(kms)["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"p", EncryptionContext={"c": "1"})["CiphertextBlob"]
    assert kms.rotate_key_on_demand(KeyId=key_id)["KeyId"] == key_id
    rotations = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    assert [r["RotationType"] for r in rotations] == ["ON_DEMAND"]
    assert "OnDemandRotationStartDate" in kms.get_key_rotation_status(KeyId=key_id)
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"c": "1"})["Plaintext"] == b"p"
    reencrypted = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"c": "1"}, DestinationKeyId=key_id)
    assert reencrypted["SourceKeyMaterialId"] != reencrypted["DestinationKeyMaterialId"]
    page = kms.list_key_rotations(KeyId=key_id, Limit=1, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    assert page["Truncated"] and len(page["Rotations"]) == 1


def test_only_symmetric_aws_kms_keys_rotate(kms: Any) -> None:
    rsa = make_key(kms, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyId"]
    for call in (kms.enable_key_rotation, kms.rotate_key_on_demand, kms.get_key_rotation_status):
        with pytest.raises(ClientError) as exc:
            call(KeyId=rsa)
        assert error_code(exc) == "UnsupportedOperationException"
    disabled = make_key(kms)["KeyId"]
    kms.disable_key(KeyId=disabled)
    with pytest.raises(ClientError) as exc:
        kms.rotate_key_on_demand(KeyId=disabled)
    assert error_code(exc) == "DisabledException"
    with pytest.raises(ClientError) as exc:
        kms.enable_key_rotation(KeyId=disabled, RotationPeriodInDays=180)
    assert error_code(exc) == "DisabledException"
