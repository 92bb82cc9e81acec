"""Metric and subscription filters, and Logs' state view (round trip, merge, invalid views)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from hoarfrost.core.emulator import Emulator
from hoarfrost.core.views import StateViewError
from tests.harness import Harness
from tests.logs.conftest import code, now_ms

TRANSFORM = [{"metricName": "Errors", "metricNamespace": "App", "metricValue": "1", "defaultValue": 0.0}]


def test_metric_filters_are_stored_described_and_tested(logs: Any) -> None:
    logs.create_log_group(logGroupName="g")
    logs.put_metric_filter(logGroupName="g", filterName="errors", filterPattern="ERROR",
                           metricTransformations=TRANSFORM)
    logs.put_metric_filter(logGroupName="g", filterName="json", filterPattern="{ $.code = 500 }",
                           metricTransformations=[{**TRANSFORM[0], "metricName": "Json"}])
    with pytest.raises(ClientError) as exc:
        logs.put_metric_filter(logGroupName="g", filterName="bad", filterPattern="{ $.x = ",
                               metricTransformations=TRANSFORM)
    assert code(exc) == "InvalidParameterException"
    found = logs.describe_metric_filters(logGroupName="g")["metricFilters"]
    assert [f["filterName"] for f in found] == ["errors", "json"]
    assert found[0]["metricTransformations"][0] == TRANSFORM[0]
    assert [f["filterName"] for f in logs.describe_metric_filters(metricName="Json", metricNamespace="App")[
        "metricFilters"]] == ["json"]
    assert logs.describe_log_groups()["logGroups"][0]["metricFilterCount"] == 2
    matches = logs.test_metric_filter(filterPattern="ERROR", logEventMessages=["ok", "ERROR x", "ERROR y"])["matches"]
    assert [(m["eventNumber"], m["eventMessage"]) for m in matches] == [(2, "ERROR x"), (3, "ERROR y")]
    logs.delete_metric_filter(logGroupName="g", filterName="errors")
    with pytest.raises(ClientError) as exc:
        logs.delete_metric_filter(logGroupName="g", filterName="errors")
    assert code(exc) == "ResourceNotFoundException"


def test_subscription_filters_need_a_destination_that_exists(logs: Any) -> None:
    logs.create_log_group(logGroupName="g")
    with pytest.raises(ClientError) as exc:
        logs.put_subscription_filter(logGroupName="g", filterName="f", filterPattern="",
                                     destinationArn="arn:aws:kinesis:us-east-1:123456789012:stream/none")
    assert code(exc) == "InvalidParameterException"
    assert logs.describe_subscription_filters(logGroupName="g")["subscriptionFilters"] == []


def _populate(logs: Any, t: int) -> None:
    logs.create_log_group(logGroupName="g", tags={"team": "a"}, kmsKeyId="k")
    logs.put_retention_policy(logGroupName="g", retentionInDays=7)
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    logs.put_log_events(logGroupName="g", logStreamName="s",
                        logEvents=[{"timestamp": t, "message": "one"}, {"timestamp": t + 1, "message": "two"}])
    logs.put_metric_filter(logGroupName="g", filterName="m", filterPattern="one", metricTransformations=TRANSFORM)


def test_view_round_trips_onto_a_fresh_emulator(logs: Any, aws: Harness) -> None:
    t = now_ms(aws)
    _populate(logs, t)
    view = aws.emulator.service("logs").snapshot(aws.account, aws.region)
    data = json.loads(view.model_dump_json())
    group = data["log_groups"][0]
    assert group["name"] == "g" and group["retention_in_days"] == 7 and group["tags"] == {"team": "a"}
    assert [e["message"] for e in group["streams"][0]["events"]] == ["one", "two"]

    fresh = Emulator()
    service = fresh.service("logs")
    service.restore(aws.account, aws.region, json.dumps(data))
    again = json.loads(service.snapshot(aws.account, aws.region).model_dump_json())
    assert again["log_groups"] == data["log_groups"]
    # New events after a restore keep unique arrival numbers.
    backend = service.backends.get(aws.account, aws.region)
    event = backend.groups["g"].streams["s"].add(t + 2, "three", t)
    assert event.seq == 2


def test_merge_keeps_what_exists_and_invalid_views_change_nothing(logs: Any, aws: Harness) -> None:
    t = now_ms(aws)
    _populate(logs, t)
    service = aws.emulator.service("logs")
    before = service.snapshot(aws.account, aws.region).model_dump_json()
    service.merge(aws.account, aws.region, {"log_groups": [{"name": "new", "creation_time": t},
                                                           {"name": "g", "creation_time": t, "retention_in_days": 1}]})
    names = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    assert names == ["g", "new"]
    g = logs.describe_log_groups(logGroupNamePrefix="g")["logGroups"][0]
    assert g["retentionInDays"] == 1
    # The group's streams are not removed by a merge that does not list them.
    assert [s["logStreamName"] for s in logs.describe_log_streams(logGroupName="g")["logStreams"]] == ["s"]
    snapshot = service.snapshot(aws.account, aws.region).model_dump_json()
    for bad in ({"log_groups": [{"name": "x", "creation_time": t}, {"name": "x", "creation_time": t}]},
                {"log_groups": [{"name": "y"}]}, {"nope": 1}):
        with pytest.raises(StateViewError) as exc:
            service.restore(aws.account, aws.region, bad)
        assert exc.value.kind == "invalid"
    assert service.snapshot(aws.account, aws.region).model_dump_json() == snapshot
    assert before != snapshot


def test_listeners_hear_writes_including_the_sink(logs: Any, aws: Harness) -> None:
    from hoarfrost.core.ports import log_events_message

    heard: list[str] = []
    with aws.emulator.service("logs").notifier.subscribe(lambda change: heard.append(change.operation)):
        logs.create_log_group(logGroupName="g")
        logs.describe_log_groups()
        aws.emulator.deliver(f"arn:aws:logs:us-east-1:{aws.account}:log-group:g", log_events_message("s", [(now_ms(aws), "m")]))
    assert heard == ["CreateLogGroup", "PutLogEvents"]
