"""Access keys in IAM's state view: secrets leave only as their SHA-256 unless the snapshot is
asked for with secrets (``secrets=True``, ``?secrets=1`` on the admin API). hoarfrost verifies no
request signature, so the key id is what identifies the caller: a key restored from either kind
of view goes on signing as its user, and a hash-only view merged back keeps the secrets the
emulator knew."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
import requests

from hoarfrost.core.emulator import Emulator
from hoarfrost.core.views import StateViewError
from tests.harness import Harness, ServerHarness
from tests.iam.conftest import ACCOUNT

REGION = "us-east-1"


def _alice(aws: Harness) -> dict[str, Any]:
    iam = aws.client("iam")
    iam.create_user(UserName="alice")
    return iam.create_access_key(UserName="alice")["AccessKey"]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _caller(emulator: Emulator, key: dict[str, Any]) -> str:
    """GetCallerIdentity through boto3 against ``emulator``, signed with ``key``."""
    import hoarfrost

    with hoarfrost.mock_aws(emulator, keep_state=True):
        import boto3

        sts = boto3.client("sts", region_name=REGION, aws_access_key_id=key["AccessKeyId"],
                           aws_secret_access_key=key["SecretAccessKey"])
        return str(sts.get_caller_identity()["Arn"])


def test_a_snapshot_holds_the_secret_only_as_its_hash(aws: Harness) -> None:
    key = _alice(aws)
    data = json.loads(aws.emulator.service("iam").snapshot_json(ACCOUNT, REGION))
    stored = data["users"][0]["access_keys"][0]
    assert stored["secret_access_key"] is None
    assert stored["secret_access_key_sha256"] == _sha(key["SecretAccessKey"])
    assert key["SecretAccessKey"] not in json.dumps(data)
    with_secrets = aws.emulator.service("iam").snapshot(ACCOUNT, REGION, secrets=True)
    assert with_secrets.users[0].access_keys[0].secret_access_key == key["SecretAccessKey"]


@pytest.mark.parametrize("secrets", [True, False])
def test_restored_keys_still_identify_their_user(aws: Harness, secrets: bool) -> None:
    key = _alice(aws)
    text = aws.emulator.service("iam").snapshot_json(ACCOUNT, REGION, secrets=secrets)
    fresh = Emulator()
    fresh.service("iam").restore(ACCOUNT, REGION, text)
    assert _caller(fresh, key) == f"arn:aws:iam::{ACCOUNT}:user/alice"
    restored = fresh.service("iam").snapshot(ACCOUNT, REGION, secrets=True).users[0].access_keys[0]
    assert restored.secret_access_key == (key["SecretAccessKey"] if secrets else None)
    assert restored.secret_access_key_sha256 == _sha(key["SecretAccessKey"])


def test_a_restored_hash_only_key_is_still_refused_once_inactive(aws: Harness) -> None:
    key = _alice(aws)
    text = aws.emulator.service("iam").snapshot_json(ACCOUNT, REGION)
    fresh = Emulator()
    fresh.service("iam").restore(ACCOUNT, REGION, text)
    import boto3
    from botocore.exceptions import ClientError

    import hoarfrost

    with hoarfrost.mock_aws(fresh, keep_state=True):
        boto3.client("iam", region_name=REGION).update_access_key(
            UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Inactive")
        sts = boto3.client("sts", region_name=REGION, aws_access_key_id=key["AccessKeyId"],
                           aws_secret_access_key=key["SecretAccessKey"])
        with pytest.raises(ClientError) as excinfo:
            sts.get_caller_identity()
    assert excinfo.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_merging_a_view_without_secrets_keeps_the_known_secret(aws: Harness) -> None:
    key = _alice(aws)
    service = aws.emulator.service("iam")
    service.merge(ACCOUNT, REGION, service.snapshot_json(ACCOUNT, REGION))
    assert service.snapshot(ACCOUNT, REGION, secrets=True).users[0].access_keys[0].secret_access_key == \
        key["SecretAccessKey"]
    assert aws.client("sts", aws_access_key_id=key["AccessKeyId"],
                      aws_secret_access_key=key["SecretAccessKey"]).get_caller_identity()["Arn"].endswith("user/alice")


def test_an_older_view_with_a_secret_and_no_hash_restores(aws: Harness) -> None:
    key = _alice(aws)
    data = json.loads(aws.emulator.service("iam").snapshot_json(ACCOUNT, REGION, secrets=True))
    del data["users"][0]["access_keys"][0]["secret_access_key_sha256"]
    fresh = Emulator()
    fresh.service("iam").restore(ACCOUNT, REGION, data)
    assert fresh.service("iam").snapshot(ACCOUNT, REGION).users[0].access_keys[0].secret_access_key_sha256 == \
        _sha(key["SecretAccessKey"])


@pytest.mark.parametrize("change", [
    {"secret_access_key": None, "secret_access_key_sha256": ""},  # nothing to know the key by
    {"secret_access_key": "x" * 40},  # a secret its hash disagrees with
])
def test_a_key_without_a_consistent_secret_or_hash_is_invalid(aws: Harness, change: dict[str, Any]) -> None:
    _alice(aws)
    service = aws.emulator.service("iam")
    data = json.loads(service.snapshot_json(ACCOUNT, REGION, secrets=True))
    data["users"][0]["access_keys"][0].update(change)
    fresh = Emulator()
    with pytest.raises(StateViewError) as excinfo:
        fresh.service("iam").restore(ACCOUNT, REGION, data)
    assert excinfo.value.kind == "invalid" and "access key" in excinfo.value.message
    assert fresh.service("iam").snapshot(ACCOUNT, REGION).users == []


def test_admin_api_exports_secrets_only_when_asked(server: ServerHarness) -> None:
    key = _alice(server)
    hashed = requests.get(server.http_url("/_hoarfrost/state/iam")).json()
    assert hashed["users"][0]["access_keys"][0]["secret_access_key"] is None
    full = requests.get(server.http_url("/_hoarfrost/state/iam?secrets=1")).json()
    assert full["users"][0]["access_keys"][0]["secret_access_key"] == key["SecretAccessKey"]
    everything = requests.get(server.http_url("/_hoarfrost/state")).json()
    assert key["SecretAccessKey"] not in json.dumps(everything)
    everything = requests.get(server.http_url("/_hoarfrost/state?secrets=1")).json()
    assert key["SecretAccessKey"] in json.dumps(everything)
    # Either export restores a key that signs as alice.
    requests.delete(server.http_url("/_hoarfrost/state")).raise_for_status()
    requests.put(server.http_url("/_hoarfrost/state/iam"), json=hashed).raise_for_status()
    alice = server.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert alice.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"


def test_state_export_takes_secrets_only_with_the_flag(server: ServerHarness, tmp_path: Any) -> None:
    from hoarfrost import cli

    key = _alice(server)
    url = server.endpoint_url
    assert url is not None
    for args, with_secret in ((["--service", "iam"], False), (["--service", "iam", "--secrets"], True),
                              ([], False), (["--secrets"], True), (["--blobs", "--secrets"], True)):
        target = tmp_path / "out.json"
        assert cli.main(["state", "export", "--url", url, *args, "-o", str(target)]) == 0
        text = target.read_text()
        assert (key["SecretAccessKey"] in text) is with_secret, args
        assert _sha(key["SecretAccessKey"]) in text
