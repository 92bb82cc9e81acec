"""Grants: create (idempotent by name), list with filters and paging, retirable grants,
retire by token or id, revoke, and grant tokens in GrantTokens."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.kms.conftest import error_code, make_key

ROLE = "arn:aws:iam::123456789012:role/worker"
RETIRER = "arn:aws:iam::123456789012:role/retirer"


def test_grant_life_cycle(aws: Harness, kms: Any) -> None:
    meta = make_key(kms)
    grant = kms.create_grant(KeyId=meta["KeyId"], GranteePrincipal=ROLE, RetiringPrincipal=RETIRER,
                             Operations=["Encrypt", "Decrypt"], Name="g1",
                             Constraints={"EncryptionContextSubset": {"app": "x"}})
    assert len(grant["GrantId"]) == 64 and grant["GrantToken"]
    again = kms.create_grant(KeyId=meta["KeyId"], GranteePrincipal=ROLE, RetiringPrincipal=RETIRER,
                             Operations=["Decrypt", "Encrypt"], Name="g1",
                             Constraints={"EncryptionContextSubset": {"app": "x"}})
    assert again["GrantId"] == grant["GrantId"]
    other = kms.create_grant(KeyId=meta["Arn"], GranteePrincipal=RETIRER, Operations=["DescribeKey"])
    listed = kms.list_grants(KeyId=meta["KeyId"])
    assert [g["GrantId"] for g in listed["Grants"]] == [grant["GrantId"], other["GrantId"]]
    first = listed["Grants"][0]
    assert first["KeyId"] == meta["Arn"] and first["Name"] == "g1" and first["GranteePrincipal"] == ROLE
    assert first["Operations"] == ["Encrypt", "Decrypt"]
    assert first["Constraints"] == {"EncryptionContextSubset": {"app": "x"}}
    assert first["IssuingAccount"] == f"arn:aws:iam::{aws.account}:root"
    assert [g["GrantId"] for g in kms.list_grants(KeyId=meta["KeyId"], GranteePrincipal=RETIRER)["Grants"]] == \
        [other["GrantId"]]
    page = kms.list_grants(KeyId=meta["KeyId"], Limit=1)
    assert page["Truncated"] and kms.list_grants(KeyId=meta["KeyId"], Marker=page["NextMarker"])["Grants"][0][
        "GrantId"] == other["GrantId"]
    assert [g["GrantId"] for g in kms.list_retirable_grants(RetiringPrincipal=RETIRER)["Grants"]] == \
        [grant["GrantId"]]

    # A grant token works at once.
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"p", GrantTokens=[grant["GrantToken"]])["CiphertextBlob"]
    with pytest.raises(ClientError) as exc:
        kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"p", GrantTokens=["made-up"])
    assert error_code(exc) == "InvalidGrantTokenException"

    kms.retire_grant(GrantToken=grant["GrantToken"])
    with pytest.raises(ClientError) as exc:
        kms.decrypt(CiphertextBlob=blob, GrantTokens=[grant["GrantToken"]])
    assert error_code(exc) == "InvalidGrantTokenException"
    kms.revoke_grant(KeyId=meta["KeyId"], GrantId=other["GrantId"])
    assert kms.list_grants(KeyId=meta["KeyId"])["Grants"] == []
    with pytest.raises(ClientError) as exc:
        kms.revoke_grant(KeyId=meta["KeyId"], GrantId=other["GrantId"])
    assert error_code(exc) == "NotFoundException"


def test_retire_by_key_and_grant_id(kms: Any) -> None:
    key_id = make_key(kms)["KeyId"]
    grant_id = kms.create_grant(KeyId=key_id, GranteePrincipal=ROLE, Operations=["Encrypt"])["GrantId"]
    kms.retire_grant(KeyId=key_id, GrantId=grant_id)
    assert kms.list_grants(KeyId=key_id)["Grants"] == []
    with pytest.raises(ClientError) as exc:
        kms.retire_grant(GrantToken="unknown-token")
    assert error_code(exc) == "InvalidGrantTokenException"


def test_grant_needs_a_grantee_and_a_usable_key(kms: Any) -> None:
    key_id = make_key(kms)["KeyId"]
    with pytest.raises(ClientError) as exc:
        kms.create_grant(KeyId=key_id, Operations=["Encrypt"])
    assert error_code(exc) == "ValidationException"
    with pytest.raises(ClientError) as exc:
        kms.create_grant(KeyId=key_id, GranteePrincipal="nobody", Operations=["Encrypt"])
    assert error_code(exc) == "InvalidArnException"
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    with pytest.raises(ClientError) as exc:
        kms.create_grant(KeyId=key_id, GranteePrincipal=ROLE, Operations=["Encrypt"])
    assert error_code(exc) == "KMSInvalidStateException"


def test_grant_operations_must_fit_the_key(kms: Any) -> None:
    signing = make_key(kms, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
    kms.create_grant(KeyId=signing, GranteePrincipal=ROLE, Operations=["Sign", "Verify", "GetPublicKey"])
    with pytest.raises(ClientError) as exc:
        kms.create_grant(KeyId=signing, GranteePrincipal=ROLE, Operations=["Sign", "Decrypt"])
    assert error_code(exc) == "ValidationException"
    assert "Decrypt" in exc.value.response["Error"]["Message"]
    symmetric = make_key(kms)["KeyId"]
    with pytest.raises(ClientError) as exc:
        kms.create_grant(KeyId=symmetric, GranteePrincipal=ROLE, Operations=["GenerateMac"])
    assert error_code(exc) == "ValidationException"
