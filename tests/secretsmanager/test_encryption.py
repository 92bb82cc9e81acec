"""Secret values encrypted through hoarfrost's KMS: the named key (id, ARN, alias) or the AWS
managed aws/secretsmanager key made on first use, the SecretARN / SecretVersionId encryption
context, and KMS key states breaking writes (EncryptionFailure) and reads (DecryptionFailure)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

import hoarfrost
from tests.harness import Harness
from tests.secretsmanager.conftest import code, message

ACCOUNT, REGION = "123456789012", "us-east-1"
ENCRYPTION_FAILURE = ("Secrets Manager can't encrypt the protected secret text using the provided KMS key. Check "
                      "that the KMS key is available, enabled, and not in an invalid state. For more information, "
                      "see Key state: Effect on your KMS key.")
DECRYPTION_FAILURE = "Secrets Manager can't decrypt the protected secret text using the provided KMS key."


@pytest.fixture
def kms(aws: Harness) -> Any:
    return aws.client("kms")


def _stored(aws: Harness, name: str, version_id: str) -> Any:
    """The version as Secrets Manager keeps it (what its state view shows)."""
    view = aws.emulator.service("secretsmanager").snapshot(aws.account, aws.region)
    secret = next(s for s in view.secrets if s.name == name)
    return next(v for v in secret.versions if v.version_id == version_id)


def test_the_default_key_is_made_on_first_use_and_binds_the_context(sm: Any, kms: Any, aws: Harness) -> None:
    assert "alias/aws/secretsmanager" not in [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
    created = sm.create_secret(Name="db", SecretString="hunter2")
    aliases = {a["AliasName"]: a for a in kms.list_aliases()["Aliases"]}
    managed = kms.describe_key(KeyId=aliases["alias/aws/secretsmanager"]["TargetKeyId"])["KeyMetadata"]
    assert managed["KeyManager"] == "AWS"
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "hunter2"
    stored = _stored(aws, "db", created["VersionId"])
    assert stored.secret_string is None and stored.key_arn == managed["Arn"]
    # The data key is a KMS ciphertext bound to AWS's encryption context for the version.
    context = {"SecretARN": created["ARN"], "SecretVersionId": created["VersionId"]}
    data_key = kms.decrypt(CiphertextBlob=stored.data_key, EncryptionContext=context)
    assert data_key["KeyId"] == managed["Arn"] and len(data_key["Plaintext"]) == 32
    with pytest.raises(ClientError) as raised:
        kms.decrypt(CiphertextBlob=stored.data_key, EncryptionContext={**context, "SecretVersionId": "other"})
    assert code(raised) == "InvalidCiphertextException"
    sm.create_secret(Name="second", SecretBinary=b"\x00\x01")  # the same managed key, not a new one
    assert [a["AliasName"] for a in kms.list_aliases()["Aliases"]].count("alias/aws/secretsmanager") == 1
    assert sm.get_secret_value(SecretId="second")["SecretBinary"] == b"\x00\x01"


@pytest.mark.parametrize("form", ["KeyId", "Arn", "alias", "alias arn"])
def test_a_customer_key_by_any_name(sm: Any, kms: Any, aws: Harness, form: str) -> None:
    metadata = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/secrets", TargetKeyId=metadata["KeyId"])
    named = {"KeyId": metadata["KeyId"], "Arn": metadata["Arn"], "alias": "alias/secrets",
             "alias arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/secrets"}[form]
    created = sm.create_secret(Name="s", SecretString="v1", KmsKeyId=named)
    assert sm.describe_secret(SecretId="s")["KmsKeyId"] == named
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "v1"
    assert _stored(aws, "s", created["VersionId"]).key_arn == metadata["Arn"]
    assert "alias/aws/secretsmanager" not in [a["AliasName"] for a in kms.list_aliases()["Aliases"]]


def test_a_missing_or_unusable_key_fails_the_write_and_changes_nothing(sm: Any, kms: Any) -> None:
    missing = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    for kwargs in ({"SecretString": "v"}, {}):  # with a value, and without one (the key is still checked)
        with pytest.raises(ClientError) as raised:
            sm.create_secret(Name="s", KmsKeyId=missing, **kwargs)
        assert code(raised) == "EncryptionFailure" and message(raised) == ENCRYPTION_FAILURE
    with pytest.raises(ClientError) as raised:
        sm.describe_secret(SecretId="s")
    assert code(raised) == "ResourceNotFoundException"
    asymmetric = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as raised:
        sm.create_secret(Name="s", SecretString="v", KmsKeyId=asymmetric)
    assert code(raised) == "EncryptionFailure"
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    sm.create_secret(Name="s", SecretString="v1", KmsKeyId=key)
    kms.disable_key(KeyId=key)
    with pytest.raises(ClientError) as raised:
        sm.put_secret_value(SecretId="s", SecretString="v2")
    assert code(raised) == "EncryptionFailure"
    with pytest.raises(ClientError) as raised:
        sm.update_secret(SecretId="s", SecretString="v2", Description="changed")
    assert code(raised) == "EncryptionFailure"
    kms.enable_key(KeyId=key)
    described = sm.describe_secret(SecretId="s")
    assert len(described["VersionIdsToStages"]) == 1 and "Description" not in described
    with pytest.raises(ClientError) as raised:
        sm.update_secret(SecretId="s", KmsKeyId=missing)
    assert code(raised) == "EncryptionFailure"
    assert sm.describe_secret(SecretId="s")["KmsKeyId"] == key


def test_disabling_the_key_breaks_get_secret_value(sm: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    arn = sm.create_secret(Name="s", SecretString="v", KmsKeyId=key)["ARN"]
    kms.disable_key(KeyId=key)
    with pytest.raises(ClientError) as raised:
        sm.get_secret_value(SecretId="s")
    assert code(raised) == "DecryptionFailure" and message(raised) == DECRYPTION_FAILURE
    batch = sm.batch_get_secret_value(SecretIdList=[arn])
    assert batch["SecretValues"] == [] and batch["Errors"][0]["ErrorCode"] == "DecryptionFailure"
    assert sm.describe_secret(SecretId="s")["Name"] == "s"  # metadata needs no key
    kms.enable_key(KeyId=key)
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "v"
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    with pytest.raises(ClientError) as raised:
        sm.get_secret_value(SecretId="s")
    assert code(raised) == "DecryptionFailure"


def test_a_key_policy_that_denies_decrypt_breaks_reads_already_made(sm: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    sm.create_secret(Name="s", SecretString="v", KmsKeyId=key["KeyId"])
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "v"
    account = key["Arn"].split(":")[4]
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*",
             "Resource": "*"},
            {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}]}))
    with pytest.raises(ClientError) as raised:
        sm.get_secret_value(SecretId="s")
    assert code(raised) == "AccessDeniedException" and message(raised) == "Access to KMS is not allowed"


def test_a_new_key_reencrypts_the_labelled_versions(sm: Any, kms: Any, aws: Harness) -> None:
    old = kms.create_key()["KeyMetadata"]["KeyId"]
    new = kms.create_key()["KeyMetadata"]
    first = sm.create_secret(Name="s", SecretString="one", KmsKeyId=old)["VersionId"]
    second = sm.put_secret_value(SecretId="s", SecretString="two")["VersionId"]
    sm.update_secret(SecretId="s", KmsKeyId=new["Arn"])
    kms.disable_key(KeyId=old)
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "two"
    assert sm.get_secret_value(SecretId="s", VersionStage="AWSPREVIOUS")["SecretString"] == "one"
    assert _stored(aws, "s", first).key_arn == _stored(aws, "s", second).key_arn == new["Arn"]
    third = sm.put_secret_value(SecretId="s", SecretString="three")["VersionId"]
    assert _stored(aws, "s", third).key_arn == new["Arn"]
    # A retried request (same token, same value) is recognised through decryption.
    again = sm.put_secret_value(SecretId="s", SecretString="three", ClientRequestToken=third)
    assert again["VersionId"] == third


def test_a_view_without_the_kms_state_fails_clearly_and_with_it_works(sm: Any, aws: Harness) -> None:
    sm.create_secret(Name="db", SecretString="s3cret")
    secrets = aws.emulator.service("secretsmanager").snapshot_json(aws.account, aws.region)
    keys = aws.emulator.service("kms").snapshot_json(aws.account, aws.region)
    assert "s3cret" not in secrets
    with hoarfrost.mock_aws() as fresh:
        fresh.service("secretsmanager").restore(ACCOUNT, REGION, secrets)
        sm2 = boto3.client("secretsmanager", region_name=REGION)
        with pytest.raises(ClientError) as raised:
            sm2.get_secret_value(SecretId="db")
        assert code(raised) == "DecryptionFailure"
        fresh.service("kms").restore(ACCOUNT, REGION, keys)
        assert sm2.get_secret_value(SecretId="db")["SecretString"] == "s3cret"
    with hoarfrost.mock_aws() as elsewhere:  # into another account and region, with KMS's view
        elsewhere.service("secretsmanager").restore("210987654321", "eu-west-1", secrets)
        elsewhere.service("kms").restore("210987654321", "eu-west-1", keys)
        sm3 = boto3.client("secretsmanager", region_name="eu-west-1", aws_access_key_id="210987654321",
                           aws_secret_access_key="x")
        assert sm3.get_secret_value(SecretId="db")["SecretString"] == "s3cret"


def test_a_plain_text_view_seeds_readable_secrets(aws: Harness, sm: Any) -> None:
    aws.emulator.service("secretsmanager").restore(aws.account, aws.region, {"secrets": [{
        "name": "seeded", "suffix": "AbC123", "created_date": "2024-01-01T00:00:00Z",
        "last_changed_date": "2024-01-01T00:00:00Z",
        "versions": [{"version_id": "v1", "created_date": "2024-01-01T00:00:00Z", "secret_string": "given",
                      "stages": ["AWSCURRENT"]}]}]})
    assert sm.get_secret_value(SecretId="seeded")["SecretString"] == "given"
    sm.put_secret_value(SecretId="seeded", SecretString="next")
    assert sm.get_secret_value(SecretId="seeded")["SecretString"] == "next"
    assert sm.get_secret_value(SecretId="seeded", VersionStage="AWSPREVIOUS")["SecretString"] == "given"


def test_replicas_are_encrypted_with_a_key_of_their_region(sm: Any, kms: Any, aws: Harness) -> None:
    primary_key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms_eu = aws.client("kms", region_name="eu-west-1")
    eu_key = kms_eu.create_key()["KeyMetadata"]
    created = sm.create_secret(Name="r", SecretString="everywhere", KmsKeyId=primary_key,
                               AddReplicaRegions=[{"Region": "eu-west-1", "KmsKeyId": eu_key["KeyId"]},
                                                  {"Region": "us-west-2"},
                                                  {"Region": "ap-south-1", "KmsKeyId": "alias/missing"}])
    statuses = {s["Region"]: s for s in created["ReplicationStatus"]}
    assert statuses["eu-west-1"]["Status"] == statuses["us-west-2"]["Status"] == "InSync"
    assert statuses["ap-south-1"]["Status"] == "Failed"
    assert statuses["ap-south-1"]["StatusMessage"].startswith("Replication failed: ")
    eu = aws.client("secretsmanager", region_name="eu-west-1")
    west = aws.client("secretsmanager", region_name="us-west-2")
    kms.disable_key(KeyId=primary_key)  # the replicas do not depend on the primary's key
    assert eu.get_secret_value(SecretId="r")["SecretString"] == "everywhere"
    assert west.get_secret_value(SecretId="r")["SecretString"] == "everywhere"
    west_aliases = [a["AliasName"] for a in aws.client("kms", region_name="us-west-2").list_aliases()["Aliases"]]
    assert "alias/aws/secretsmanager" in west_aliases  # that region's managed key
    kms_eu.disable_key(KeyId=eu_key["KeyId"])
    with pytest.raises(ClientError) as raised:
        eu.get_secret_value(SecretId="r")
    assert code(raised) == "DecryptionFailure"
    with pytest.raises(ClientError) as raised:
        sm.get_secret_value(SecretId=created["ARN"])
    assert code(raised) == "DecryptionFailure"


def test_a_key_policy_that_does_not_admit_the_reader(sm: Any, kms: Any, aws: Harness) -> None:
    """The secret's policy lets another account read it, but the key's (default) policy does
    not let that account decrypt: Secrets Manager answers that KMS refused."""
    key = kms.create_key()["KeyMetadata"]["Arn"]
    arn = sm.create_secret(Name="s", SecretString="v", KmsKeyId=key)["ARN"]
    sm.put_resource_policy(SecretId="s", ResourcePolicy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}))
    other = aws.client("secretsmanager", aws_access_key_id="111122223333", aws_secret_access_key="x")
    with pytest.raises(ClientError) as raised:
        other.get_secret_value(SecretId=arn)
    assert code(raised) == "AccessDeniedException" and message(raised) == "Access to KMS is not allowed"
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "v"
