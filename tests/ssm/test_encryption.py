"""SecureString parameters encrypted through hoarfrost's KMS: the named key or the AWS managed
aws/ssm key made on first use, the PARAMETER_ARN encryption context, the real KMS ciphertext
answered without decryption, and InvalidKeyId when KMS refuses the key."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

import hoarfrost
from tests.harness import Harness
from tests.ssm.conftest import code, message

ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture
def kms(aws: Harness) -> Any:
    return aws.client("kms")


def _arn(name: str) -> str:
    return f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{name}"


def test_the_ciphertext_is_a_kms_ciphertext_under_the_default_key(ssm: Any, kms: Any) -> None:
    assert "alias/aws/ssm" not in [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
    ssm.put_parameter(Name="/db/password", Value="hunter2", Type="SecureString")
    managed = kms.describe_key(KeyId="alias/aws/ssm")["KeyMetadata"]
    assert managed["KeyManager"] == "AWS"
    value = ssm.get_parameter(Name="/db/password")["Parameter"]["Value"]
    blob = base64.b64decode(value)
    decrypted = kms.decrypt(CiphertextBlob=blob, EncryptionContext={"PARAMETER_ARN": _arn("/db/password")})
    assert decrypted["Plaintext"] == b"hunter2" and decrypted["KeyId"] == managed["Arn"]
    with pytest.raises(ClientError) as raised:
        kms.decrypt(CiphertextBlob=blob)  # the context is bound to the ciphertext
    assert code(raised) == "InvalidCiphertextException"
    assert ssm.get_parameter(Name="/db/password", WithDecryption=True)["Parameter"]["Value"] == "hunter2"
    # The same ciphertext is answered until the value changes.
    assert ssm.get_parameters(Names=["/db/password"])["Parameters"][0]["Value"] == value
    assert ssm.describe_parameters()["Parameters"][0]["KeyId"] == "alias/aws/ssm"


@pytest.mark.parametrize("form", ["KeyId", "Arn", "alias"])
def test_a_customer_key_by_any_name(ssm: Any, kms: Any, form: str) -> None:
    metadata = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/params", TargetKeyId=metadata["KeyId"])
    named = {"KeyId": metadata["KeyId"], "Arn": metadata["Arn"], "alias": "alias/params"}[form]
    ssm.put_parameter(Name="p", Value="v", Type="SecureString", KeyId=named)
    blob = base64.b64decode(ssm.get_parameter(Name="p")["Parameter"]["Value"])
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"PARAMETER_ARN": _arn("/p")})["KeyId"] == \
        metadata["Arn"]
    ssm.put_parameter(Name="p", Value="w", Overwrite=True)  # an overwrite keeps the key
    blob = base64.b64decode(ssm.get_parameter(Name="p")["Parameter"]["Value"])
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"PARAMETER_ARN": _arn("/p")})["Plaintext"] == b"w"
    assert ssm.get_parameter_history(Name="p", WithDecryption=True)["Parameters"][0]["Value"] == "v"


def test_put_parameter_with_a_missing_key_is_invalid_key_id(ssm: Any) -> None:
    missing = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="p", Value="v", Type="SecureString", KeyId=missing)
    assert code(raised) == "InvalidKeyId"
    assert message(raised).startswith(f"Key '{missing}' does not exist (Service: AWSKMS; Status Code: 400; "
                                      "Error Code: NotFoundException; Request ID: ")
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="p", Value="v", Type="SecureString", KeyId="alias/nothing")
    assert code(raised) == "InvalidKeyId"
    with pytest.raises(ClientError) as raised:
        ssm.get_parameter(Name="p")
    assert code(raised) == "ParameterNotFound"


def test_a_disabled_key_fails_decrypting_reads_and_writes(ssm: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    ssm.put_parameter(Name="/app/secret", Value="v1", Type="SecureString", KeyId=key["KeyId"])
    kms.disable_key(KeyId=key["KeyId"])
    reads = [
        lambda: ssm.get_parameter(Name="/app/secret", WithDecryption=True),
        lambda: ssm.get_parameters(Names=["/app/secret"], WithDecryption=True),
        lambda: ssm.get_parameters_by_path(Path="/app", WithDecryption=True),
        lambda: ssm.get_parameter_history(Name="/app/secret", WithDecryption=True),
    ]
    for read in reads:
        with pytest.raises(ClientError) as raised:
            read()
        assert code(raised) == "InvalidKeyId"
        assert message(raised).startswith(f"{key['Arn']} is disabled. (Service: AWSKMS; Status Code: 400; "
                                          "Error Code: DisabledException;")
    assert ssm.get_parameter(Name="/app/secret")["Parameter"]["Value"]  # the ciphertext needs no key
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="/app/secret", Value="v2", Overwrite=True)
    assert code(raised) == "InvalidKeyId"
    assert ssm.get_parameter(Name="/app/secret")["Parameter"]["Version"] == 1
    kms.enable_key(KeyId=key["KeyId"])
    assert ssm.get_parameter(Name="/app/secret", WithDecryption=True)["Parameter"]["Value"] == "v1"


def test_a_view_without_the_kms_state_cannot_decrypt(ssm: Any, aws: Harness) -> None:
    ssm.put_parameter(Name="/s", Value="s3cret", Type="SecureString")
    parameters = aws.emulator.service("ssm").snapshot_json(aws.account, aws.region)
    keys = aws.emulator.service("kms").snapshot_json(aws.account, aws.region)
    assert "s3cret" not in parameters
    with hoarfrost.mock_aws() as fresh:
        fresh.service("ssm").restore(ACCOUNT, REGION, parameters)
        ssm2 = boto3.client("ssm", region_name=REGION)
        with pytest.raises(ClientError) as raised:
            ssm2.get_parameter(Name="/s", WithDecryption=True)
        assert code(raised) == "InvalidKeyId"
        fresh.service("kms").restore(ACCOUNT, REGION, keys)
        assert ssm2.get_parameter(Name="/s", WithDecryption=True)["Parameter"]["Value"] == "s3cret"


def test_a_plain_text_secure_string_from_a_view(ssm: Any, kms: Any, aws: Harness) -> None:
    aws.emulator.service("ssm").restore(aws.account, aws.region, {"parameters": [{"name": "/seeded", "versions": [
        {"version": 1, "value": "given", "type": "SecureString", "last_modified_date": "2024-01-01T00:00:00Z"}]}]})
    assert ssm.get_parameter(Name="/seeded", WithDecryption=True)["Parameter"]["Value"] == "given"
    hidden = ssm.get_parameter(Name="/seeded")["Parameter"]["Value"]
    blob = base64.b64decode(hidden)
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"PARAMETER_ARN": _arn("/seeded")})["Plaintext"] == \
        b"given"


def test_another_accounts_key_by_arn(ssm: Any, aws: Harness) -> None:
    """A key of account 210987654321 whose policy lets this account use it."""
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}]})
    other_kms = aws.client("kms", aws_access_key_id="210987654321", aws_secret_access_key="x")
    key = other_kms.create_key(Policy=policy)["KeyMetadata"]["Arn"]
    ssm.put_parameter(Name="shared", Value="across", Type="SecureString", KeyId=key)
    assert ssm.get_parameter(Name="shared", WithDecryption=True)["Parameter"]["Value"] == "across"
    other_kms.disable_key(KeyId=key)
    with pytest.raises(ClientError) as raised:
        ssm.get_parameter(Name="shared", WithDecryption=True)
    assert code(raised) == "InvalidKeyId"
