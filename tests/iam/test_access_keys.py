"""Access keys that work: the key is its user in every service, Inactive and deleted keys are
refused as AWS refuses them, last use is recorded."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.iam.conftest import ACCOUNT, error_of, status_of

OTHER = "210987654321"


def _as(aws, service, key, **kwargs):
    return aws.client(service, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                      **kwargs)


def test_a_users_key_is_that_user_everywhere(aws):
    # Make the user in another account (a 12-digit key id names that account's root).
    admin = aws.client("iam", aws_access_key_id=OTHER, aws_secret_access_key="x")
    user = admin.create_user(UserName="alice", Path="/dev/")["User"]
    key = admin.create_access_key(UserName="alice")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20 and len(key["SecretAccessKey"]) == 40
    identity = _as(aws, "sts", key).get_caller_identity()
    assert (identity["Account"], identity["Arn"], identity["UserId"]) == (
        OTHER, f"arn:aws:iam::{OTHER}:user/dev/alice", user["UserId"])
    url = _as(aws, "sqs", key).create_queue(QueueName="q")["QueueUrl"]
    assert OTHER in url  # SQS attributes the request to the user's account
    assert aws.emulator.accounts.account_for(key["AccessKeyId"]) == OTHER


def test_inactive_and_deleted_keys_are_refused(aws, iam):
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    sts, sqs, s3 = _as(aws, "sts", key), _as(aws, "sqs", key), _as(aws, "s3", key)
    sts.get_caller_identity()
    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    with pytest.raises(ClientError) as excinfo:
        sts.get_caller_identity()
    assert error_of(excinfo) == ("InvalidClientTokenId", "The security token included in the request is invalid.")
    assert status_of(excinfo) == 403
    with pytest.raises(ClientError) as excinfo:
        sqs.list_queues()
    assert error_of(excinfo)[0] in ("UnrecognizedClientException", "InvalidClientTokenId")
    with pytest.raises(ClientError) as excinfo:
        s3.list_buckets()
    assert error_of(excinfo) == ("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our "
                                                       "records.")
    assert iam.list_access_keys(UserName="alice")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Active")
    assert sts.get_caller_identity()["Arn"].endswith(":user/alice")
    iam.delete_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"])
    with pytest.raises(ClientError) as excinfo:
        sts.get_caller_identity()
    assert error_of(excinfo)[0] == "InvalidClientTokenId"  # not taken for the account's root
    with pytest.raises(ClientError) as excinfo:
        iam.delete_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"])
    assert error_of(excinfo) == ("NoSuchEntity", f"The Access Key with id {key['AccessKeyId']} cannot be found.")


def test_two_keys_per_user_and_listing(iam):
    iam.create_user(UserName="alice")
    first = iam.create_access_key(UserName="alice")["AccessKey"]
    second = iam.create_access_key(UserName="alice")["AccessKey"]
    with pytest.raises(ClientError) as excinfo:
        iam.create_access_key(UserName="alice")
    assert error_of(excinfo) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
    listed = iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    assert {k["AccessKeyId"] for k in listed} == {first["AccessKeyId"], second["AccessKeyId"]}
    assert all("SecretAccessKey" not in k and k["Status"] == "Active" for k in listed)


def test_last_used_records_real_use(aws, iam):
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    never = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert never["UserName"] == "alice"
    assert never["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}
    aws.emulator.clock.advance(3600)
    _as(aws, "sqs", key, region_name="eu-west-1").list_queues()
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("sqs", "eu-west-1")
    assert used["LastUsedDate"].timestamp() >= key["CreateDate"].timestamp() + 3600


def test_a_user_manages_its_own_keys_without_naming_itself(aws, iam):
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    own = _as(aws, "iam", key)
    second = own.create_access_key()["AccessKey"]
    assert second["UserName"] == "alice"
    assert len(own.list_access_keys()["AccessKeyMetadata"]) == 2
    with pytest.raises(ClientError) as excinfo:
        iam.create_access_key()  # the account root: hoarfrost issues keys for users only
    assert error_of(excinfo)[0] == "InvalidInput"


def test_keys_survive_a_restore_into_a_fresh_emulator(aws, iam):
    from hoarfrost.core.emulator import Emulator

    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    view = aws.emulator.service("iam").snapshot_json(ACCOUNT, "us-east-1", secrets=True)
    fresh = Emulator()
    fresh.service("iam").restore(ACCOUNT, "us-east-1", view)
    identity = fresh.accounts.identity_for(key["AccessKeyId"])
    assert identity.arn == f"arn:aws:iam::{ACCOUNT}:user/alice" and identity.active
    restored = fresh.service("iam").snapshot(ACCOUNT, "us-east-1", secrets=True).users[0].access_keys[0]
    assert restored.secret_access_key == key["SecretAccessKey"]
