"""IAM over the admin API (server only): a user's key survives an HTTP export, reset and
import of everything, and the region a state URL names does not matter (IAM is global)."""

from __future__ import annotations

import requests

from tests.harness import ServerHarness


def test_keys_survive_export_reset_import(server: ServerHarness) -> None:
    iam = server.client("iam")
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    alice = server.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    arn = alice.get_caller_identity()["Arn"]
    exported = requests.get(server.http_url("/_hoarfrost/state")).json()
    assert any(v["service"] == "iam" and v["region"] == "us-east-1" for v in exported["views"])
    requests.delete(server.http_url("/_hoarfrost/state")).raise_for_status()
    assert alice.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"  # forgotten
    requests.put(server.http_url("/_hoarfrost/state"), json=exported).raise_for_status()
    assert alice.get_caller_identity()["Arn"] == arn
    # The state URL of any region is the account's one IAM.
    view = requests.get(server.http_url("/_hoarfrost/state/iam?region=eu-west-1")).json()
    assert [u["user_name"] for u in view["users"]] == ["alice"]
