"""StsStateView's published format: a view written by an earlier release restores unchanged, and
the JSON Schema keeps its fields.

``data/state_view_v1.json`` is a snapshot taken by the release whose ``SessionView`` was written
by hand (AssumeRole with tags, policies and a source identity, GetSessionToken,
GetFederationToken); it must restore, and snapshot back, byte for byte the same document.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hoarfrost import Emulator, StateViewError
from hoarfrost.services.sts import StsStateView

V1 = (Path(__file__).parent / "data" / "state_view_v1.json").read_text()
ACCOUNT, REGION = "123456789012", "us-east-1"


def _document() -> dict[str, Any]:
    return json.loads(V1)


def test_a_view_written_by_the_previous_release_restores_unchanged() -> None:
    emulator = Emulator()
    service = emulator.service("sts")
    service.restore(ACCOUNT, REGION, V1)
    assert json.loads(service.snapshot_json(ACCOUNT, REGION)) == _document()
    for session in _document()["sessions"]:
        assert emulator.accounts.account_for(session["access_key_id"]) == session["account"]


def test_round_trip_on_a_fresh_emulator_is_exact() -> None:
    first = Emulator().service("sts")
    first.restore(ACCOUNT, REGION, V1)
    view = first.snapshot(ACCOUNT, REGION)
    second = Emulator().service("sts")
    second.restore(ACCOUNT, REGION, view.model_dump_json())
    assert second.snapshot(ACCOUNT, REGION) == view
    third = Emulator().service("sts")
    third.restore(ACCOUNT, REGION, view)  # the view object itself, not its JSON
    assert third.snapshot(ACCOUNT, REGION) == view


def test_merge_overlays_by_access_key_and_keeps_the_rest() -> None:
    service = Emulator().service("sts")
    service.restore(ACCOUNT, REGION, V1)
    first, *others = _document()["sessions"]
    changed = {**first, "source_identity": "bob", "tags": {"only": "this"}}
    added = {**others[0], "access_key_id": "ASIAZZZZZZZZZZZZZZZZ"}
    service.merge(ACCOUNT, REGION, {"sessions": [changed, added]})
    sessions = {s["access_key_id"]: s for s in json.loads(service.snapshot_json(ACCOUNT, REGION))["sessions"]}
    assert sessions[first["access_key_id"]] == changed  # every attribute is the view's, none mixed in
    assert sessions["ASIAZZZZZZZZZZZZZZZZ"] == added
    assert all(sessions[s["access_key_id"]] == s for s in others)
    assert list(sessions)[:3] == [s["access_key_id"] for s in _document()["sessions"]]  # order kept


def test_a_rejected_merge_changes_nothing() -> None:
    emulator = Emulator()
    service = emulator.service("sts")
    service.restore(ACCOUNT, REGION, V1)
    good = {**_document()["sessions"][0], "access_key_id": "ASIAYYYYYYYYYYYYYYYY"}
    bad = {**_document()["sessions"][1], "access_key_id": "ASIAXXXXXXXXXXXXXXXX", "account": "222222222222"}
    with pytest.raises(StateViewError) as excinfo:
        service.merge(ACCOUNT, REGION, {"sessions": [good, bad]})
    assert excinfo.value.kind == "invalid"
    assert json.loads(service.snapshot_json(ACCOUNT, REGION)) == _document()
    assert emulator.accounts.account_for("ASIAYYYYYYYYYYYYYYYY") != good["account"]


def test_json_schema_keeps_the_published_fields() -> None:
    schema = StsStateView.model_json_schema()
    assert set(schema["properties"]) == {"schema_version", "account", "region", "sessions", "role_ids"}
    session = schema["$defs"]["SessionView"]
    assert set(session["properties"]) == {
        "access_key_id", "secret_access_key", "session_token", "expiration", "issued_at", "operation", "account",
        "arn", "user_id", "role_arn", "role_session_name", "source_identity", "tags", "transitive_tag_keys",
        "policy", "policy_arns", "external_id", "subject", "provider", "audience", "scoped_policies",
    }
    assert set(session["required"]) == {"access_key_id", "secret_access_key", "session_token", "expiration",
                                        "account", "arn", "user_id"}
    assert session["properties"]["expiration"]["format"] == "date-time"
