"""Dashboards: stored bodies, listing by prefix, deletes, validation and tags."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.cloudwatch.conftest import code, message
from tests.harness import Harness

BODY = json.dumps({"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 6, "height": 6, "properties": {
    "metrics": [["App", "Latency"]], "region": "us-east-1"}}]})


def test_put_get_list_delete(cw: Any, aws: Harness) -> None:
    assert cw.put_dashboard(DashboardName="ops-main", DashboardBody=BODY)["DashboardValidationMessages"] == []
    cw.put_dashboard(DashboardName="ops-db", DashboardBody="{}")
    cw.put_dashboard(DashboardName="sales", DashboardBody=BODY)
    got = cw.get_dashboard(DashboardName="ops-main")
    assert got["DashboardBody"] == BODY
    assert got["DashboardArn"] == f"arn:aws:cloudwatch::{aws.account}:dashboard/ops-main"
    entries = cw.list_dashboards(DashboardNamePrefix="ops-")["DashboardEntries"]
    assert [(entry["DashboardName"], entry["Size"]) for entry in entries] == [("ops-db", 2), ("ops-main", len(BODY))]
    with pytest.raises(ClientError) as missing:
        cw.delete_dashboards(DashboardNames=["sales", "ghost"])
    assert code(missing) == "ResourceNotFound"
    assert message(missing) == "Dashboard ghost does not exist"
    assert len(cw.list_dashboards()["DashboardEntries"]) == 3  # nothing deleted
    cw.delete_dashboards(DashboardNames=["sales", "ops-db"])
    assert [entry["DashboardName"] for entry in cw.list_dashboards()["DashboardEntries"]] == ["ops-main"]
    with pytest.raises(ClientError) as gone:
        cw.get_dashboard(DashboardName="sales")
    assert code(gone) == "ResourceNotFound"


@pytest.mark.parametrize(("name", "body", "fragment"), [
    ("bad name!", "{}", "DashboardName contains invalid characters"),
    ("d", "{not json", "The field DashboardBody must be a valid JSON object"),
    ("d", "[]", "The field DashboardBody must be a valid JSON object"),
    ("d", json.dumps({"widgets": {}}), "/widgets"),
    ("d", json.dumps({"widgets": [{"x": 0}]}), "required property 'type'"),
    ("d", json.dumps({"widgets": [{"type": "text", "width": "wide"}]}), "/widgets/0/width"),
])
def test_invalid_dashboards_are_refused(cw: Any, name: str, body: str, fragment: str) -> None:
    with pytest.raises(ClientError) as refused:
        cw.put_dashboard(DashboardName=name, DashboardBody=body)
    assert code(refused) == "InvalidParameterInput"
    assert fragment in message(refused)
    assert cw.list_dashboards()["DashboardEntries"] == []


def test_dashboard_tags(cw: Any) -> None:
    cw.put_dashboard(DashboardName="tagged", DashboardBody="{}", Tags=[{"Key": "env", "Value": "prod"}])
    arn = cw.get_dashboard(DashboardName="tagged")["DashboardArn"]
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "env", "Value": "prod"}]
    cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "team", "Value": "a"}])
    cw.put_dashboard(DashboardName="tagged", DashboardBody=BODY)  # an update keeps the tags
    assert len(cw.list_tags_for_resource(ResourceARN=arn)["Tags"]) == 2
