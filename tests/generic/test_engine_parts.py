"""The engine's part of a partly hand-written service: SSM's parameters are hand-written, its
documents are the engine's; each answers its own operations, and the engine's part has its
own state view, ``ssm.engine``."""

from __future__ import annotations

import pytest
import requests
from botocore.exceptions import ClientError

from hoarfrost.core.emulator import Emulator
from tests.harness import Harness, ServerHarness

CONTENT = '{"schemaVersion": "2.2", "mainSteps": []}'


def test_engine_serves_what_the_handlers_leave(aws: Harness) -> None:
    ssm = aws.client("ssm")
    ssm.put_parameter(Name="/app/db", Value="x", Type="String")  # hand-written
    created = ssm.create_document(Name="deploy", Content=CONTENT, DocumentType="Command")  # the engine's
    assert created["DocumentDescription"]["Name"] == "deploy"
    assert ssm.describe_document(Name="deploy")["Document"]["Name"] == "deploy"
    assert [doc["Name"] for doc in ssm.list_documents()["DocumentIdentifiers"]] == ["deploy"]
    with pytest.raises(ClientError) as raised:
        ssm.create_document(Name="deploy", Content=CONTENT, DocumentType="Command")
    assert raised.value.response["Error"]["Code"] == "DocumentAlreadyExists"
    ssm.delete_document(Name="deploy")
    with pytest.raises(ClientError) as raised:
        ssm.describe_document(Name="deploy")
    assert raised.value.response["Error"]["Code"] == "InvalidDocument"
    assert ssm.get_parameter(Name="/app/db")["Parameter"]["Value"] == "x"


def test_part_has_its_own_state_view() -> None:
    emulator = Emulator()
    part = emulator.engine_part("ssm")
    assert part is not None and part.state_key == "ssm.engine"
    assert "PutParameter" not in part.served_operations()  # hand-written wins
    assert "CreateDocument" in part.served_operations()
    assert emulator.engine_part("s3") is None  # bucket sub-resources need the hand-written bucket

    from tests.harness import InProcessHarness

    with InProcessHarness() as harness:
        harness.client("ssm").create_document(Name="doc", Content=CONTENT, DocumentType="Command")
        view = harness.emulator.service("ssm.engine").snapshot("123456789012", "us-east-1")
    fresh = Emulator()
    fresh.service("ssm.engine").restore("123456789012", "us-east-1", view)
    again = fresh.service("ssm.engine").snapshot("123456789012", "us-east-1")
    assert [r.identifiers for r in again.resources] == [{"Name": "doc"}]


def test_part_over_the_admin_api(server: ServerHarness) -> None:
    server.client("ssm").create_document(Name="admin-doc", Content=CONTENT, DocumentType="Command")
    state = requests.get(server.http_url("/_hoarfrost/state/ssm.engine")).json()
    assert [resource["identifiers"] for resource in state["resources"]] == [{"Name": "admin-doc"}]
    exported = requests.get(server.http_url("/_hoarfrost/state")).json()
    assert any(entry["service"] == "ssm.engine" for entry in exported["views"])
    health = requests.get(server.http_url("/_hoarfrost/health")).json()
    assert health["services"]["ssm"]["engine_operations"] > 10


def test_engine_services_appear_in_health_once_used(server: ServerHarness) -> None:
    server.client("glue").create_database(DatabaseInput={"Name": "health"})
    health = requests.get(server.http_url("/_hoarfrost/health")).json()
    glue = health["services"]["glue"]
    assert glue["implemented_operations"] == 0 and glue["engine_operations"] > 20
