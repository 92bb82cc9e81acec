"""StsStateView: snapshot / restore / merge / notifications, and the key index behind them."""

from __future__ import annotations

import datetime as dt
import json

import boto3
import pytest

import hoarfrost
from hoarfrost import Emulator, StateViewError
from hoarfrost.services.sts import StsStateView
from tests.sts.helpers import ROLE_ACCOUNT, ROLE_ARN

FUTURE = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)


def _session(key: str = "ASIAAAAAAAAAAAAAAAAA", **overrides: object) -> dict:
    session = {
        "access_key_id": key, "secret_access_key": "secret", "session_token": "token",
        "expiration": FUTURE.isoformat(), "account": ROLE_ACCOUNT,
        "arn": f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/deployer/restored",
        "user_id": "AROAAAAAAAAAAAAAAAAAA:restored", "role_arn": ROLE_ARN, "role_session_name": "restored",
    }
    session.update(overrides)
    return session


def _caller_identity(emulator: Emulator, key: str, secret: str, token: str) -> dict:
    with hoarfrost.mock_aws(emulator, keep_state=True):
        client = boto3.client("sts", region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret,
                              aws_session_token=token)
        return client.get_caller_identity()


def test_snapshot_holds_issued_sessions_and_role_ids(aws):
    assumed = aws.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="snap", ExternalId="xid",
                                            Tags=[{"Key": "k", "Value": "v"}])
    view = aws.emulator.service("sts").snapshot(aws.account, aws.region)
    assert isinstance(view, StsStateView)
    assert (view.account, view.region, view.schema_version) == (aws.account, aws.region, 1)
    [session] = view.sessions
    credentials = assumed["Credentials"]
    assert session.access_key_id == credentials["AccessKeyId"]
    assert session.secret_access_key == credentials["SecretAccessKey"]
    assert session.session_token == credentials["SessionToken"]
    assert session.expiration == credentials["Expiration"]
    assert session.arn == assumed["AssumedRoleUser"]["Arn"]
    assert session.user_id == assumed["AssumedRoleUser"]["AssumedRoleId"]
    assert (session.account, session.operation, session.external_id, session.tags) == (
        ROLE_ACCOUNT, "AssumeRole", "xid", {"k": "v"})
    assert view.role_ids == {ROLE_ARN: session.user_id.split(":")[0]}
    assert json.loads(view.model_dump_json())["sessions"][0]["access_key_id"] == credentials["AccessKeyId"]


def test_round_trip_onto_a_fresh_emulator_keeps_issued_keys_working(aws):
    assumed = aws.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="travel")
    text = aws.emulator.service("sts").snapshot_json(aws.account, aws.region)
    fresh = Emulator()
    fresh.service("sts").restore(aws.account, aws.region, text)
    credentials = assumed["Credentials"]
    identity = _caller_identity(fresh, credentials["AccessKeyId"], credentials["SecretAccessKey"],
                                credentials["SessionToken"])
    assert identity["Arn"] == assumed["AssumedRoleUser"]["Arn"]
    assert identity["Account"] == ROLE_ACCOUNT
    assert fresh.service("sts").snapshot(aws.account, aws.region).sessions == \
        aws.emulator.service("sts").snapshot(aws.account, aws.region).sessions


def test_restore_replaces_and_unindexes_old_keys(aws):
    old = aws.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="old")["Credentials"]["AccessKeyId"]
    service = aws.emulator.service("sts")
    service.restore(aws.account, aws.region, {"sessions": [_session()]})
    assert aws.emulator.accounts.account_for(old) == aws.account  # forgotten: back to the default rules
    assert aws.emulator.accounts.account_for("ASIAAAAAAAAAAAAAAAAA") == ROLE_ACCOUNT
    assert [s.access_key_id for s in service.snapshot(aws.account, aws.region).sessions] == ["ASIAAAAAAAAAAAAAAAAA"]


def test_merge_keeps_what_exists_and_adds_the_rest(aws):
    existing = aws.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="keep")["Credentials"]
    service = aws.emulator.service("sts")
    service.merge(aws.account, aws.region, {"sessions": [_session()],
                                            "role_ids": {f"arn:aws:iam::{ROLE_ACCOUNT}:role/x": "AROAXXXXXXXXXXXXXXXXX"}})
    view = service.snapshot(aws.account, aws.region)
    assert {s.access_key_id for s in view.sessions} == {existing["AccessKeyId"], "ASIAAAAAAAAAAAAAAAAA"}
    assert len(view.role_ids) == 2
    identity = _caller_identity(aws.emulator, "ASIAAAAAAAAAAAAAAAAA", "secret", "token")
    assert identity["Arn"] == f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/deployer/restored"
    assert aws.emulator.accounts.account_for(existing["AccessKeyId"]) == ROLE_ACCOUNT
    # Merging a session with an existing key replaces that session's attributes.
    service.merge(aws.account, aws.region, {"sessions": [_session(source_identity="changed")]})
    merged = {s.access_key_id: s for s in service.snapshot(aws.account, aws.region).sessions}
    assert merged["ASIAAAAAAAAAAAAAAAAA"].source_identity == "changed"
    assert len(merged) == 2


@pytest.mark.parametrize("bad", [
    {"sessions": [_session(arn="not-an-arn")]},
    {"sessions": [_session(role_arn="arn:aws:iam::111111111111:user/alice")]},
    {"sessions": [_session(expiration="yesterday")]},
    {"sessions": [_session(account="12345")]},
    {"sessions": [_session(), _session()]},
    {"sessions": [_session(unknown_field=1)]},
    {"sessions": "not a list"},
    {"role_ids": {"arn:aws:s3:::bucket": "AROAXXXXXXXXXXXXXXXXX"}},
])
def test_invalid_view_raises_and_changes_nothing(aws, bad):
    aws.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="before")
    service = aws.emulator.service("sts")
    before = service.snapshot(aws.account, aws.region)
    for apply in (service.restore, service.merge):
        with pytest.raises(StateViewError) as excinfo:
            apply(aws.account, aws.region, bad)
        assert excinfo.value.kind == "invalid"
        assert service.snapshot(aws.account, aws.region) == before


def test_a_key_belongs_to_one_scope(aws):
    key = aws.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="mine")["Credentials"]["AccessKeyId"]
    service = aws.emulator.service("sts")
    with pytest.raises(StateViewError) as excinfo:
        service.restore("999999999999", aws.region, {"sessions": [_session(key)]})
    assert excinfo.value.kind == "invalid"
    assert "already issued" in excinfo.value.message


def test_reset_forgets_issued_keys(aws):
    key = aws.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="gone")["Credentials"]["AccessKeyId"]
    aws.emulator.reset()
    assert aws.emulator.accounts.account_for(key) == aws.account
    assert aws.emulator.service("sts").snapshot(aws.account, aws.region).sessions == []


def test_subscriber_hears_issuing_operations_only(aws):
    changes = []
    with aws.emulator.service("sts").notifier.subscribe(changes.append):
        sts = aws.client("sts")
        sts.get_caller_identity()
        assert changes == []
        sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="heard")
        sts.get_access_key_info(AccessKeyId="AKIAIOSFODNN7EXAMPLE")
    assert [(c.service, c.account, c.region, c.operation) for c in changes] == [
        ("sts", aws.account, aws.region, "AssumeRole")]
    assert changes[0].view().sessions[0].role_session_name == "heard"


def test_json_schema_names_the_fields():
    schema = StsStateView.model_json_schema()
    assert {"sessions", "role_ids", "schema_version"} <= set(schema["properties"])
    session = schema["$defs"]["SessionView"]["properties"]
    assert {"access_key_id", "secret_access_key", "session_token", "expiration", "arn", "user_id", "account",
            "source_identity", "tags", "policy"} <= set(session)
