"""KMS's state view: a ciphertext decrypted after restore into a fresh emulator, merge that
keeps what exists, invalid views that change nothing, the schema marking key material
sensitive, and notifications."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest

import hoarfrost
from hoarfrost.core.views import StateChange, StateViewError
from hoarfrost.services.kms.views import KmsStateView
from tests.harness import Harness
from tests.kms.conftest import make_key

ACCOUNT, REGION = "123456789012", "us-east-1"


def _populate(kms: Any) -> dict[str, Any]:
    symmetric = make_key(kms, Description="main", Tags=[{"TagKey": "t", "TagValue": "v"}])["KeyId"]
    kms.create_alias(AliasName="alias/main", TargetKeyId=symmetric)
    blob = kms.encrypt(KeyId="alias/main", Plaintext=b"keep me", EncryptionContext={"app": "x"})["CiphertextBlob"]
    kms.rotate_key_on_demand(KeyId=symmetric)
    signer = make_key(kms, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
    signature = kms.sign(KeyId=signer, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    grant = kms.create_grant(KeyId=symmetric, GranteePrincipal="arn:aws:iam::123456789012:role/r",
                             Operations=["Decrypt"])
    kms.enable_key_rotation(KeyId=symmetric, RotationPeriodInDays=100)
    return {"symmetric": symmetric, "blob": blob, "signer": signer, "signature": signature, "grant": grant}


def test_restored_emulator_decrypts_what_the_old_one_encrypted(aws: Harness, kms: Any) -> None:
    made = _populate(kms)
    view = aws.emulator.service("kms").snapshot(aws.account, aws.region)
    assert isinstance(view, KmsStateView)
    text = view.model_dump_json()
    data = json.loads(text)
    keys = {key["key_id"]: key for key in data["keys"]}
    assert len(keys[made["symmetric"]]["materials"]) == 2
    assert len(base64.urlsafe_b64decode(keys[made["symmetric"]]["materials"][0]["material"])) == 32
    assert data["aliases"][0]["name"] == "alias/main"

    with hoarfrost.mock_aws() as fresh:
        fresh.service("kms").restore(ACCOUNT, REGION, text)
        again = fresh.service("kms").snapshot(ACCOUNT, REGION)
        assert json.loads(again.model_dump_json())["keys"] == data["keys"]
        kms2 = boto3.client("kms", region_name=REGION)
        out = kms2.decrypt(CiphertextBlob=made["blob"], EncryptionContext={"app": "x"})
        assert out["Plaintext"] == b"keep me"
        assert kms2.verify(KeyId=made["signer"], Message=b"m", Signature=made["signature"],
                           SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"]
        assert kms2.describe_key(KeyId="alias/main")["KeyMetadata"]["Description"] == "main"
        assert kms2.list_resource_tags(KeyId=made["symmetric"])["Tags"] == [{"TagKey": "t", "TagValue": "v"}]
        assert kms2.get_key_rotation_status(KeyId=made["symmetric"])["RotationPeriodInDays"] == 100
        # The grant token is a grant token in the restored emulator too.
        kms2.decrypt(CiphertextBlob=made["blob"], EncryptionContext={"app": "x"},
                     GrantTokens=[made["grant"]["GrantToken"]])


def test_restore_into_another_scope_moves_the_arns(aws: Harness, kms: Any) -> None:
    made = _populate(kms)
    text = aws.emulator.service("kms").snapshot_json(aws.account, aws.region)
    with hoarfrost.mock_aws() as fresh:
        fresh.service("kms").restore("210987654321", "eu-west-1", text)
        kms2 = boto3.client("kms", region_name="eu-west-1", aws_access_key_id="210987654321",
                            aws_secret_access_key="x")
        assert kms2.describe_key(KeyId=made["symmetric"])["KeyMetadata"]["Arn"] == \
            f"arn:aws:kms:eu-west-1:210987654321:key/{made['symmetric']}"
        assert kms2.decrypt(CiphertextBlob=made["blob"], EncryptionContext={"app": "x"})["Plaintext"] == b"keep me"


def test_merge_adds_and_keeps_existing(aws: Harness, kms: Any) -> None:
    made = _populate(kms)
    service = aws.emulator.service("kms")
    view = service.snapshot(aws.account, aws.region)
    with hoarfrost.mock_aws() as fresh:
        kms2 = boto3.client("kms", region_name=REGION)
        own = make_key(kms2, Description="own")["KeyId"]
        own_blob = kms2.encrypt(KeyId=own, Plaintext=b"own")["CiphertextBlob"]
        fresh.service("kms").merge(ACCOUNT, REGION, view)
        assert kms2.decrypt(CiphertextBlob=own_blob)["Plaintext"] == b"own"
        assert kms2.decrypt(CiphertextBlob=made["blob"], EncryptionContext={"app": "x"})["Plaintext"] == b"keep me"
        assert len(kms2.list_keys()["Keys"]) == 3
        # A partial view changes one key's description; its material stays.
        fresh.service("kms").merge(ACCOUNT, REGION, {"keys": [
            {**json.loads(view.keys[0].model_dump_json()), "description": "merged", "materials": []}]})
        assert kms2.describe_key(KeyId=made["symmetric"])["KeyMetadata"]["Description"] == "merged"
        assert kms2.decrypt(CiphertextBlob=made["blob"], EncryptionContext={"app": "x"})["Plaintext"] == b"keep me"


@pytest.mark.parametrize("broken", [
    {"key_spec": "NOPE"},
    {"key_usage": "SIGN_VERIFY"},
    {"key_state": "Sleeping"},
    {"current_material": "f" * 64},
    {"policy": "{not json"},
])
def test_an_invalid_view_changes_nothing(aws: Harness, kms: Any, broken: dict[str, Any]) -> None:
    made = _populate(kms)
    service = aws.emulator.service("kms")
    before = service.snapshot_json(aws.account, aws.region)
    document = json.loads(before)
    key = next(k for k in document["keys"] if k["key_id"] == made["symmetric"])
    key.update(broken)
    for apply in (service.restore, service.merge):
        with pytest.raises(StateViewError) as exc:
            apply(aws.account, aws.region, json.dumps(document))
        assert exc.value.kind == "invalid"
    assert service.snapshot_json(aws.account, aws.region) == before


def test_bad_material_is_refused(aws: Harness, kms: Any) -> None:
    make_key(kms)
    service = aws.emulator.service("kms")
    document = json.loads(service.snapshot_json(aws.account, aws.region))
    document["keys"][0]["materials"][0]["material"] = base64.urlsafe_b64encode(b"short").decode()
    with pytest.raises(StateViewError):
        service.restore(aws.account, aws.region, json.dumps(document))


def test_schema_marks_key_material_sensitive() -> None:
    schema = json.dumps(KmsStateView.model_json_schema())
    definitions = KmsStateView.model_json_schema()["$defs"]
    assert definitions["KeyMaterialView"]["properties"]["material"]["sensitive"] is True
    assert definitions["ImportParametersView"]["properties"]["wrapping_material"]["sensitive"] is True
    assert "sensitive" in schema


def test_notifications_follow_changes_only(aws: Harness, kms: Any) -> None:
    seen: list[StateChange] = []
    service = aws.emulator.service("kms")
    with service.notifier.subscribe(seen.append):
        key_id = make_key(kms)["KeyId"]
        kms.describe_key(KeyId=key_id)
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
        assert [change.operation for change in seen] == ["CreateKey"]
        kms.describe_key(KeyId="alias/aws/ebs")  # creates the managed key: a change
        assert [change.operation for change in seen] == ["CreateKey", "DescribeKey"]
        assert len(seen[-1].view().keys) == 2
