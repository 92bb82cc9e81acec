"""The admin API against a real service: STS credentials survive an HTTP export/reset/restore."""

from __future__ import annotations

import requests

from tests.harness import ServerHarness

ROLE = "arn:aws:iam::123456789012:role/deployer"
STATE = "/_hoarfrost/state/sts"


def test_assumed_role_survives_export_reset_restore(server: ServerHarness) -> None:
    credentials = server.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="ci")["Credentials"]
    as_role = server.client("sts", aws_access_key_id=credentials["AccessKeyId"],
                            aws_secret_access_key=credentials["SecretAccessKey"],
                            aws_session_token=credentials["SessionToken"])
    arn = as_role.get_caller_identity()["Arn"]
    assert arn == "arn:aws:sts::123456789012:assumed-role/deployer/ci"

    view = requests.get(server.http_url(STATE)).json()
    assert [s["access_key_id"] for s in view["sessions"]] == [credentials["AccessKeyId"]]

    requests.delete(server.http_url(STATE)).raise_for_status()
    # Forgotten: the key is now just some key of the default account.
    assert as_role.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"

    restored = requests.put(server.http_url(STATE), json=view)
    assert restored.status_code == 200, restored.text
    assert as_role.get_caller_identity()["Arn"] == arn


def test_invalid_sts_view_is_refused_and_state_kept(server: ServerHarness) -> None:
    server.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="keep")
    before = requests.get(server.http_url(STATE)).json()
    broken = {"sessions": [{**before["sessions"][0], "account": "not-an-account"}]}

    response = requests.put(server.http_url(STATE), json=broken)

    assert response.status_code == 400
    assert response.json()["kind"] == "invalid"
    assert "not-an-account" in response.json()["message"]
    assert requests.get(server.http_url(STATE)).json() == before
