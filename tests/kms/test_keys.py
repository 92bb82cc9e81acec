"""Keys: CreateKey for every key spec and usage the model lists, DescribeKey, ListKeys paging,
enable / disable, deletion with a waiting period on the emulator's clock, descriptions, tags
and key policies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.kms.conftest import error_code, error_message, make_key

VALID = [
    ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "EncryptionAlgorithms", ["SYMMETRIC_DEFAULT"]),
    ("RSA_2048", "ENCRYPT_DECRYPT", "EncryptionAlgorithms", ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]),
    ("RSA_3072", "SIGN_VERIFY", "SigningAlgorithms", None),
    ("RSA_4096", "SIGN_VERIFY", "SigningAlgorithms", None),
    ("ECC_NIST_P256", "SIGN_VERIFY", "SigningAlgorithms", ["ECDSA_SHA_256"]),
    ("ECC_NIST_P384", "KEY_AGREEMENT", "KeyAgreementAlgorithms", ["ECDH"]),
    ("ECC_NIST_P521", "SIGN_VERIFY", "SigningAlgorithms", ["ECDSA_SHA_512"]),
    ("ECC_SECG_P256K1", "SIGN_VERIFY", "SigningAlgorithms", ["ECDSA_SHA_256"]),
    ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY", "SigningAlgorithms", ["ED25519_SHA_512", "ED25519_PH_SHA_512"]),
    ("HMAC_224", "GENERATE_VERIFY_MAC", "MacAlgorithms", ["HMAC_SHA_224"]),
    ("HMAC_512", "GENERATE_VERIFY_MAC", "MacAlgorithms", ["HMAC_SHA_512"]),
    ("ML_DSA_44", "SIGN_VERIFY", "SigningAlgorithms", ["ML_DSA_SHAKE_256"]),
    ("ML_DSA_87", "SIGN_VERIFY", "SigningAlgorithms", ["ML_DSA_SHAKE_256"]),
    ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE", "EncapsulationAlgorithms", ["ML_KEM"]),
]


@pytest.mark.parametrize(("spec", "usage", "member", "algorithms"), VALID)
def test_create_key_of_every_spec(inprocess: Harness, spec: str, usage: str, member: str,
                                  algorithms: list[str] | None) -> None:
    kms = inprocess.client("kms")
    meta = make_key(kms, KeySpec=spec, KeyUsage=usage, Description="mine")
    assert (meta["KeySpec"], meta["KeyUsage"], meta["KeyState"], meta["Enabled"]) == (spec, usage, "Enabled", True)
    if algorithms is not None:
        assert meta[member] == algorithms
    else:
        assert len(meta[member]) == 6
    assert meta["Arn"] == f"arn:aws:kms:us-east-1:{inprocess.account}:key/{meta['KeyId']}"
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["Description"] == "mine"


def test_symmetric_is_the_default(kms: Any) -> None:
    meta = make_key(kms)
    assert (meta["KeySpec"], meta["CustomerMasterKeySpec"], meta["KeyUsage"]) == \
        ("SYMMETRIC_DEFAULT", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
    assert (meta["Origin"], meta["KeyManager"], meta["MultiRegion"]) == ("AWS_KMS", "CUSTOMER", False)
    assert len(meta["CurrentKeyMaterialId"]) == 64


@pytest.mark.parametrize(("spec", "usage"), [
    ("ECC_NIST_P256", None),  # ENCRYPT_DECRYPT by default, which ECC keys cannot do
    ("HMAC_256", "ENCRYPT_DECRYPT"),
    ("SYMMETRIC_DEFAULT", "SIGN_VERIFY"),
    ("RSA_2048", "GENERATE_VERIFY_MAC"),
    ("ECC_SECG_P256K1", "KEY_AGREEMENT"),
    ("ML_DSA_65", "ENCRYPT_DECRYPT"),
])
def test_a_usage_the_spec_does_not_offer_is_refused(kms: Any, spec: str, usage: str | None) -> None:
    kwargs = {"KeySpec": spec, **({"KeyUsage": usage} if usage else {})}
    with pytest.raises(ClientError) as exc:
        kms.create_key(**kwargs)
    assert error_code(exc) == "ValidationException"
    assert spec in error_message(exc)
    assert kms.list_keys()["Keys"] == []


def test_specs_without_real_material_answer_unsupported(kms: Any) -> None:
    for spec, usage in (("SM2", "SIGN_VERIFY"), ("ML_KEM_512", "ENCAPSULATE_DECAPSULATE")):
        with pytest.raises(ClientError) as exc:
            kms.create_key(KeySpec=spec, KeyUsage=usage)
        assert error_code(exc) == "UnsupportedOperationException"


def test_key_spec_and_legacy_member_together_are_refused(kms: Any) -> None:
    with pytest.raises(ClientError) as exc:
        kms.create_key(KeySpec="RSA_2048", CustomerMasterKeySpec="RSA_2048")
    assert error_code(exc) == "ValidationException"


def test_describe_unknown_key_names_its_arn(aws: Harness, kms: Any) -> None:
    missing = "11111111-2222-3333-4444-555555555555"
    with pytest.raises(ClientError) as exc:
        kms.describe_key(KeyId=missing)
    assert error_code(exc) == "NotFoundException"
    assert error_message(exc) == f"Key 'arn:aws:kms:us-east-1:{aws.account}:key/{missing}' does not exist"
    with pytest.raises(ClientError) as exc:
        kms.describe_key(KeyId="alias/nothing")
    assert error_message(exc) == f"Alias 'arn:aws:kms:us-east-1:{aws.account}:alias/nothing' is not found."


def test_list_keys_pages(kms: Any) -> None:
    ids = sorted(make_key(kms)["KeyId"] for _ in range(5))
    first = kms.list_keys(Limit=2)
    assert first["Truncated"] is True and len(first["Keys"]) == 2
    seen = [k["KeyId"] for k in first["Keys"]]
    marker = first["NextMarker"]
    while marker:
        page = kms.list_keys(Limit=2, Marker=marker)
        seen += [k["KeyId"] for k in page["Keys"]]
        marker = page.get("NextMarker")
        assert page["Truncated"] is bool(marker)
    assert seen == ids
    assert all(k["KeyArn"].endswith(k["KeyId"]) for k in kms.list_keys()["Keys"])
    with pytest.raises(ClientError) as exc:
        kms.list_keys(Marker="not-a-marker")
    assert error_code(exc) == "InvalidMarkerException"


def test_disable_and_enable(kms: Any) -> None:
    key_id = make_key(kms)["KeyId"]
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    kms.disable_key(KeyId=key_id)
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (meta["KeyState"], meta["Enabled"]) == ("Disabled", False)
    with pytest.raises(ClientError) as exc:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
    assert (error_code(exc), error_message(exc)) == ("DisabledException", f"{arn} is disabled.")
    kms.enable_key(KeyId=arn)
    assert kms.encrypt(KeyId=key_id, Plaintext=b"x")["KeyId"] == arn


def test_deletion_waits_for_its_window_on_the_clock(aws: Harness, kms: Any) -> None:
    key_id = make_key(kms)["KeyId"]
    kms.create_alias(AliasName="alias/doomed", TargetKeyId=key_id)
    for days in (6, 31):
        with pytest.raises(ClientError) as exc:
            kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=days)
        assert error_code(exc) == "ValidationException"
        assert "pendingWindowInDays" in error_message(exc)
    answer = kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    arn = answer["KeyId"]
    assert (answer["KeyState"], answer["PendingWindowInDays"]) == ("PendingDeletion", 7)
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "PendingDeletion" and meta["DeletionDate"] == answer["DeletionDate"]
    assert meta["PendingDeletionWindowInDays"] == 7
    with pytest.raises(ClientError) as exc:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
    assert (error_code(exc), error_message(exc)) == ("KMSInvalidStateException", f"{arn} is pending deletion.")
    with pytest.raises(ClientError) as exc:
        kms.enable_key(KeyId=key_id)
    assert error_code(exc) == "KMSInvalidStateException"
    aws.emulator.clock.advance(6 * 86400)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    aws.emulator.clock.advance(86400 + 1)
    with pytest.raises(ClientError) as exc:
        kms.describe_key(KeyId=key_id)
    assert error_code(exc) == "NotFoundException"
    assert kms.list_keys()["Keys"] == []
    assert kms.list_aliases()["Aliases"] == []


def test_cancel_deletion_leaves_the_key_disabled(kms: Any) -> None:
    key_id = make_key(kms)["KeyId"]
    with pytest.raises(ClientError) as exc:
        kms.cancel_key_deletion(KeyId=key_id)
    assert error_code(exc) == "KMSInvalidStateException"
    kms.schedule_key_deletion(KeyId=key_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["PendingDeletionWindowInDays"] == 30
    kms.cancel_key_deletion(KeyId=key_id)
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "Disabled" and "DeletionDate" not in meta


def test_description_and_tags(kms: Any) -> None:
    key_id = make_key(kms, Tags=[{"TagKey": "team", "TagValue": "a"}])["KeyId"]
    kms.update_key_description(KeyId=key_id, Description="new words")
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "new words"
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "env", "TagValue": "prod"}, {"TagKey": "team", "TagValue": "b"}])
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "env", "TagValue": "prod"},
                                                            {"TagKey": "team", "TagValue": "b"}]
    page = kms.list_resource_tags(KeyId=key_id, Limit=1)
    assert page["Truncated"] and kms.list_resource_tags(KeyId=key_id, Marker=page["NextMarker"])["Tags"] == \
        [{"TagKey": "team", "TagValue": "b"}]
    kms.untag_resource(KeyId=key_id, TagKeys=["team"])
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "env", "TagValue": "prod"}]
    with pytest.raises(ClientError) as exc:
        kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "aws:x", "TagValue": "y"}])
    assert error_code(exc) == "TagException"


def test_default_key_policy_and_put(aws: Harness, kms: Any) -> None:
    key_id = make_key(kms)["KeyId"]
    assert kms.list_key_policies(KeyId=key_id)["PolicyNames"] == ["default"]
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert policy["Id"] == "key-default-1"
    assert policy["Statement"] == [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                                    "Principal": {"AWS": f"arn:aws:iam::{aws.account}:root"},
                                    "Action": "kms:*", "Resource": "*"}]
    new = dict(policy, Id="mine")
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(new))
    assert json.loads(kms.get_key_policy(KeyId=key_id)["Policy"])["Id"] == "mine"

    with pytest.raises(ClientError) as exc:
        kms.put_key_policy(KeyId=key_id, Policy="{not json")
    assert error_code(exc) == "MalformedPolicyDocumentException"
    locked_out = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*",
        "Resource": "*"}]}
    with pytest.raises(ClientError) as exc:
        kms.put_key_policy(KeyId=key_id, Policy=json.dumps(locked_out))
    assert error_code(exc) == "MalformedPolicyDocumentException"
    assert error_message(exc) == "The new key policy will not allow you to update the key policy in the future."
    kms.put_key_policy(KeyId=key_id, Policy=json.dumps(locked_out), BypassPolicyLockoutSafetyCheck=True)
    assert "111122223333" in kms.get_key_policy(KeyId=key_id)["Policy"]
    with pytest.raises(ClientError) as exc:
        make_key(kms, Policy=json.dumps(locked_out))
    assert error_code(exc) == "MalformedPolicyDocumentException"


def test_a_deny_in_the_key_policy_refuses_the_owner(kms: Any) -> None:
    key_id = make_key(kms)["KeyId"]
    policy = json.loads(kms.get_key_policy(KeyId=key_id)["Policy"])
    policy["Statement"].append({"Sid": "NoEncrypt", "Effect": "Deny", "Principal": {"AWS": "*"},
                                "Action": "kms:Encrypt", "Resource": "*"})
    kms.put_key_policy(KeyId=key_id, Policy=json.dumps(policy))
    with pytest.raises(ClientError) as exc:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
    assert error_code(exc) == "AccessDeniedException"
    assert "explicit deny" in error_message(exc)
    kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")  # only Encrypt is denied


def test_another_account_needs_the_key_policy_or_a_grant(aws: Harness, kms: Any) -> None:
    arn = make_key(kms)["Arn"]
    other_account = "111122223333"  # a 12-digit access key is that account's
    other = aws.client("kms", aws_access_key_id=other_account, aws_secret_access_key="x")
    with pytest.raises(ClientError) as exc:
        other.encrypt(KeyId=arn, Plaintext=b"x")
    assert error_code(exc) == "AccessDeniedException"
    kms.create_grant(KeyId=arn, GranteePrincipal=f"arn:aws:iam::{other_account}:root",
                     Operations=["Encrypt", "Decrypt"])
    blob = other.encrypt(KeyId=arn, Plaintext=b"shared")["CiphertextBlob"]
    assert other.decrypt(KeyId=arn, CiphertextBlob=blob)["Plaintext"] == b"shared"
    with pytest.raises(ClientError) as exc:
        other.generate_data_key(KeyId=arn, KeySpec="AES_256")
    assert error_code(exc) == "AccessDeniedException"


def test_cross_account_rules(aws: Harness, kms: Any) -> None:
    arn = make_key(kms)["Arn"]
    other = aws.client("kms", aws_access_key_id="111122223333", aws_secret_access_key="x")
    with pytest.raises(ClientError) as exc:
        other.describe_key(KeyId=arn)
    assert error_code(exc) == "AccessDeniedException"
    with pytest.raises(ClientError) as exc:
        other.disable_key(KeyId=arn)  # never across accounts
    assert error_code(exc) == "NotFoundException"
    policy = json.loads(kms.get_key_policy(KeyId=arn)["Policy"])
    policy["Statement"].append({"Sid": "Partner", "Effect": "Allow",
                                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                                "Action": ["kms:DescribeKey", "kms:Encrypt"], "Resource": "*"})
    kms.put_key_policy(KeyId=arn, Policy=json.dumps(policy))
    assert other.describe_key(KeyId=arn)["KeyMetadata"]["Arn"] == arn
    assert other.encrypt(KeyId=arn, Plaintext=b"x")["KeyId"] == arn
    with pytest.raises(ClientError) as exc:
        other.generate_data_key(KeyId=arn, KeySpec="AES_256")
    assert error_code(exc) == "AccessDeniedException"


def test_grant_constraints_limit_the_encryption_context(aws: Harness, kms: Any) -> None:
    arn = make_key(kms)["Arn"]
    other = aws.client("kms", aws_access_key_id="111122223333", aws_secret_access_key="x")
    kms.create_grant(KeyId=arn, GranteePrincipal="arn:aws:iam::111122223333:root", Operations=["Encrypt"],
                     Constraints={"EncryptionContextSubset": {"tenant": "a"}})
    other.encrypt(KeyId=arn, Plaintext=b"x", EncryptionContext={"tenant": "a", "extra": "1"})
    for context in ({}, {"tenant": "b"}):
        with pytest.raises(ClientError) as exc:
            other.encrypt(KeyId=arn, Plaintext=b"x", EncryptionContext=context)
        assert error_code(exc) == "AccessDeniedException"


def test_key_last_usage(kms: Any) -> None:
    meta = make_key(kms)
    fresh = kms.get_key_last_usage(KeyId=meta["KeyId"])
    assert "KeyLastUsage" not in fresh and fresh["KeyCreationDate"] == meta["CreationDate"]
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    assert kms.get_key_last_usage(KeyId=meta["KeyId"])["KeyLastUsage"]["Operation"] == "Encrypt"
    answer = kms.decrypt(CiphertextBlob=blob)
    usage = kms.get_key_last_usage(KeyId=meta["KeyId"])["KeyLastUsage"]
    assert (usage["Operation"], usage["KmsRequestId"]) == ("Decrypt", answer["ResponseMetadata"]["RequestId"])
    with pytest.raises(ClientError):
        kms.decrypt(CiphertextBlob=blob, EncryptionContext={"wrong": "context"})
    assert kms.get_key_last_usage(KeyId=meta["KeyId"])["KeyLastUsage"]["Operation"] == "Decrypt"


def test_key_policy_conditions_on_the_encryption_context(kms: Any) -> None:
    key_id = make_key(kms)["KeyId"]
    policy = json.loads(kms.get_key_policy(KeyId=key_id)["Policy"])
    policy["Statement"].append({"Sid": "OnlyTenantA", "Effect": "Deny", "Principal": {"AWS": "*"},
                                "Action": "kms:Encrypt", "Resource": "*",
                                "Condition": {"StringNotEquals": {"kms:EncryptionContext:tenant": "a"}}})
    kms.put_key_policy(KeyId=key_id, Policy=json.dumps(policy))
    kms.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"tenant": "a"})
    with pytest.raises(ClientError) as exc:
        kms.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"tenant": "b"})
    assert error_code(exc) == "AccessDeniedException"
