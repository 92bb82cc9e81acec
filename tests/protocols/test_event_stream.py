"""Event-stream bodies as botocore's parsers read them, for each protocol that answers one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from botocore import parsers
from botocore.awsrequest import HeadersDict
from botocore.exceptions import EventStreamError

from hoarfrost.core import catalog
from hoarfrost.core.errors import ServiceError
from hoarfrost.protocols.base import get_protocol


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        for start in range(0, len(self.body), 7):  # odd-sized chunks: messages span reads
            yield self.body[start:start + 7]


def _round_trip(service: str, operation: str, output: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    model = catalog.service_model(service)
    operation_model = model.operation_model(operation)
    protocol_name = model.metadata["protocol"]
    response = get_protocol(protocol_name).serialize_response(output, operation_model, "req-1")
    assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
    parsed = parsers.create_parser(protocol_name).parse(
        {"status_code": response.status, "headers": HeadersDict(response.headers), "body": _Raw(response.body_bytes()),
         "context": {"operation_name": operation}},
        operation_model.output_shape)
    return parsed, response.headers


def test_s3_select_events_in_rest_xml() -> None:
    parsed, _ = _round_trip("s3", "SelectObjectContent", {"Payload": [
        {"Records": {"Payload": b"a,b\n"}},
        {"Stats": {"Details": {"BytesScanned": 10, "BytesProcessed": 10, "BytesReturned": 4}}},
        {"End": {}},
    ]})
    events = list(parsed["Payload"])
    assert events == [
        {"Records": {"Payload": b"a,b\n"}},
        {"Stats": {"Details": {"BytesScanned": 10, "BytesProcessed": 10, "BytesReturned": 4}}},
        {"End": {}},
    ]


def test_lambda_response_stream_in_rest_json() -> None:
    parsed, headers = _round_trip("lambda", "InvokeWithResponseStream", {
        "StatusCode": 200, "ExecutedVersion": "$LATEST",
        "EventStream": [{"PayloadChunk": {"Payload": b"hello "}}, {"PayloadChunk": {"Payload": b"world"}},
                        {"InvokeComplete": {"LogResult": "bG9n"}}]})
    assert parsed["StatusCode"] == 200 and parsed["ExecutedVersion"] == "$LATEST"
    assert list(parsed["EventStream"]) == [
        {"PayloadChunk": {"Payload": b"hello "}}, {"PayloadChunk": {"Payload": b"world"}},
        {"InvokeComplete": {"LogResult": "bG9n"}}]


def test_kinesis_subscription_in_json_starts_with_the_initial_response() -> None:
    arrival = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.timezone.utc)
    parsed, _ = _round_trip("kinesis", "SubscribeToShard", {"EventStream": [
        {"SubscribeToShardEvent": {"Records": [{"SequenceNumber": "1", "Data": b"\x00\x01",
                                                "PartitionKey": "k", "ApproximateArrivalTimestamp": arrival}],
                                   "ContinuationSequenceNumber": "1", "MillisBehindLatest": 0}}]})
    (event,) = list(parsed["EventStream"])
    record = event["SubscribeToShardEvent"]["Records"][0]
    assert record["Data"] == b"\x00\x01" and record["ApproximateArrivalTimestamp"] == arrival
    assert event["SubscribeToShardEvent"]["MillisBehindLatest"] == 0


def test_a_modeled_exception_ends_the_stream_as_that_error() -> None:
    parsed, _ = _round_trip("kinesis", "SubscribeToShard", {"EventStream": [
        ServiceError("Shard was closed", code="ResourceInUseException")]})
    with pytest.raises(EventStreamError) as caught:
        list(parsed["EventStream"])
    assert caught.value.response["Error"]["Code"] == "ResourceInUseException"


def test_an_unmodeled_error_ends_the_stream_with_its_code_and_message() -> None:
    parsed, _ = _round_trip("s3", "SelectObjectContent", {"Payload": [
        {"Records": {"Payload": b"1\n"}}, ServiceError("Attempt to convert from one data type to another failed",
                                                       code="CastFailed")]})
    events = iter(parsed["Payload"])
    assert next(events) == {"Records": {"Payload": b"1\n"}}
    with pytest.raises(EventStreamError) as caught:
        next(events)
    assert caught.value.response["Error"] == {"Code": "CastFailed",
                                              "Message": "Attempt to convert from one data type to another failed"}
