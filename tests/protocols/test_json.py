"""The JSON family (json, rest-json, smithy-rpc-v2-cbor) on the points the oracle sweep does not
pin down: malformed bodies, wrong JSON types, error headers, and each HTTP binding of the rest
protocols with values chosen to be awkward. Requests are built by botocore's own serialisers
(or by hand for malformed ones); responses are read back by botocore's parsers or by boto3.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from typing import Any

import boto3
import cbor2
import pytest
from botocore.awsrequest import HeadersDict, create_request_object, prepare_request_dict
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from hoarfrost import mock_aws
from hoarfrost.core import catalog
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.http import BodyStream, HttpRequest, HttpResponse
from hoarfrost.mock import to_http_request
from hoarfrost.protocols.base import get_protocol
from hoarfrost.protocols.rest_bindings import (
    bindings_for,
    parse_bindings,
    split_header_list,
)

UTC = dt.timezone.utc


def botocore_request(service: str, operation: str, params: dict[str, Any], protocol: str | None = None,
                     host: str | None = None) -> HttpRequest:
    op = catalog.operation_model(service, operation)
    protocol = protocol or op.service_model.protocol
    serialized = create_serializer(protocol, include_validation=False).serialize_to_request(params, op)
    host = host or f"{serialized.get('host_prefix', '')}{service}.us-east-1.amazonaws.com"
    prepare_request_dict(serialized, f"https://{host}")
    return to_http_request(create_request_object(serialized).prepare())


def parse(service: str, operation: str, request: HttpRequest, protocol: str | None = None) -> dict[str, Any]:
    op = catalog.operation_model(service, operation)
    return get_protocol(protocol or op.service_model.protocol).parse_request(request, op, None)


def botocore_parse(protocol: str, response: HttpResponse, shape: Any = None) -> dict[str, Any]:
    return create_parser(protocol).parse(
        {"status_code": response.status, "headers": HeadersDict(response.headers), "body": response.body_bytes()},
        shape,
    )


def raw_json_request(target: str, body: bytes, version: str = "1.0") -> HttpRequest:
    return HttpRequest("POST", "/", "", {"x-amz-target": target, "content-type": f"application/x-amz-json-{version}"},
                       body)


def error_from(protocol: str, service: str, operation: str, request: HttpRequest) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        parse(service, operation, request, protocol)
    return caught.value


# -- json ---------------------------------------------------------------------------------------
class TestJsonRequests:
    def test_types_follow_the_shapes(self) -> None:
        when = dt.datetime(2024, 5, 6, 7, 8, 9, 250000, tzinfo=UTC)
        request = botocore_request("sqs", "SendMessage", {
            "QueueUrl": "https://q", "MessageBody": "héllo <&>", "DelaySeconds": 7,
            "MessageAttributes": {"bin": {"DataType": "Binary", "BinaryValue": b"\x00\xff\x10"}},
        })
        parsed = parse("sqs", "SendMessage", request)
        assert parsed == {"QueueUrl": "https://q", "MessageBody": "héllo <&>", "DelaySeconds": 7,
                          "MessageAttributes": {"bin": {"DataType": "Binary", "BinaryValue": b"\x00\xff\x10"}}}
        # Epoch seconds (with a fraction) become aware datetimes.
        logs = botocore_request("logs", "GetLogEvents", {"logGroupName": "g", "logStreamName": "s",
                                                         "startTime": 5, "startFromHead": True})
        assert parse("logs", "GetLogEvents", logs) == {"logGroupName": "g", "logStreamName": "s", "startTime": 5,
                                                       "startFromHead": True}
        cw = botocore_request("cloudwatch", "GetMetricData", {
            "MetricDataQueries": [{"Id": "q", "Expression": "SUM(x)"}], "StartTime": when, "EndTime": when,
        }, protocol="json")
        parsed = parse("cloudwatch", "GetMetricData", cw, "json")
        assert parsed["StartTime"] == when and parsed["StartTime"].tzinfo is not None

    def test_empty_body_and_unknown_members(self) -> None:
        assert parse("sqs", "ListQueues", raw_json_request("AmazonSQS.ListQueues", b"")) == {}
        request = raw_json_request("AmazonSQS.ListQueues", b'{"QueueNamePrefix": "a", "Surprise": 1}')
        assert parse("sqs", "ListQueues", request) == {"QueueNamePrefix": "a"}

    def test_invalid_json_is_a_serialization_exception(self) -> None:
        error = error_from("json", "sqs", "ListQueues", raw_json_request("AmazonSQS.ListQueues", b'{"QueueName'))
        assert (error.code, error.status) == ("SerializationException", 400)
        error = error_from("json", "sqs", "ListQueues", raw_json_request("AmazonSQS.ListQueues", b"[1, 2]"))
        assert error.code == "SerializationException"

    @pytest.mark.parametrize(("body", "kind"), [
        ({"QueueUrl": "u", "MaxNumberOfMessages": "5"}, "STRING_VALUE can not be converted to Integer"),
        ({"QueueUrl": 5}, "NUMBER_VALUE can not be converted to String"),
        ({"QueueUrl": "u", "MessageAttributeNames": "All"}, "STRING_VALUE can not be converted to a"),
        ({"QueueUrl": "u", "MaxNumberOfMessages": True}, "BOOLEAN_VALUE can not be converted to Integer"),
    ])
    def test_wrong_types_are_serialization_exceptions(self, body: dict[str, Any], kind: str) -> None:
        request = raw_json_request("AmazonSQS.ReceiveMessage", json.dumps(body).encode())
        error = error_from("json", "sqs", "ReceiveMessage", request)
        assert error.code == "SerializationException"
        assert error.message.startswith(kind)

    def test_invalid_base64_blob(self) -> None:
        body = {"QueueUrl": "u", "MessageBody": "b",
                "MessageAttributes": {"a": {"DataType": "Binary", "BinaryValue": "not base64!"}}}
        request = raw_json_request("AmazonSQS.SendMessage", json.dumps(body).encode())
        error = error_from("json", "sqs", "SendMessage", request)
        assert error.code == "SerializationException"


class TestJsonResponses:
    def test_content_type_follows_json_version(self) -> None:
        protocol = get_protocol("json")
        sqs = protocol.serialize_response({"QueueUrls": ["a"]}, catalog.operation_model("sqs", "ListQueues"), "r1")
        logs = protocol.serialize_response({}, catalog.operation_model("logs", "DescribeLogGroups"), "r2")
        assert sqs.headers["content-type"] == "application/x-amz-json-1.0"
        assert logs.headers["content-type"] == "application/x-amz-json-1.1"
        assert (sqs.headers["x-amzn-requestid"], json.loads(sqs.body)) == ("r1", {"QueueUrls": ["a"]})

    def test_timestamps_blobs_and_special_floats(self) -> None:
        op = catalog.operation_model("cloudwatch", "GetMetricData")
        when = dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
        output = {"MetricDataResults": [{"Id": "m", "Timestamps": [when, 1700000000], "Values": [1.5, math.inf]}]}
        response = get_protocol("json").serialize_response(output, op, "r")
        wire_result = json.loads(response.body)["MetricDataResults"][0]
        assert wire_result["Timestamps"] == [1704164645.678, 1700000000]
        assert wire_result["Values"] == [1.5, "Infinity"]
        parsed = botocore_parse("json", response, op.output_shape)["MetricDataResults"][0]
        assert parsed["Timestamps"][0] == when
        assert parsed["Values"][0] == 1.5  # botocore's json parser leaves "Infinity" a string

    def test_query_compatible_error_headers(self) -> None:
        class QueueDoesNotExist(ServiceError):
            query_code = "AWS.SimpleQueueService.NonExistentQueue"

        service = catalog.service_model("sqs")
        response = get_protocol("json").serialize_error(QueueDoesNotExist("gone"), service, None, "r")
        assert response.status == 400
        assert response.headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"
        # SQS's spec patch names its Smithy namespace: AWS sends the full shape id, clients strip it.
        assert response.headers["x-amzn-errortype"] == "com.amazonaws.sqs#QueueDoesNotExist"
        assert json.loads(response.body) == {"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "gone"}
        error = botocore_parse("json", response)["Error"]
        assert error == {"Code": "AWS.SimpleQueueService.NonExistentQueue", "QueryErrorCode": "QueueDoesNotExist",
                         "Message": "gone", "Type": "Sender"}

    def test_receiver_fault_and_plain_services(self) -> None:
        failure = ServiceError("boom", code="InternalFailure", status=500, sender_fault=False)
        sqs = get_protocol("json").serialize_error(failure, catalog.service_model("sqs"), None, "r")
        assert sqs.headers["x-amzn-query-error"] == "InternalFailure;Receiver"
        logs = get_protocol("json").serialize_error(failure, catalog.service_model("logs"), None, "r")
        assert "x-amzn-query-error" not in logs.headers and logs.status == 500

    def test_modeled_error_members(self) -> None:
        error = ServiceError("slow down", code="LimitExceededException")
        response = get_protocol("json").serialize_error(error, catalog.service_model("kinesis"), None, "r")
        assert botocore_parse("json", response)["Error"]["Code"] == "LimitExceededException"
        # DynamoDB's TransactionCanceledException carries a list of reasons beside the message.
        shape = catalog.error_shapes("dynamodb")["TransactionCanceledException"]
        reasons = [{"Code": "ConditionalCheckFailed", "Message": "no"}]
        error = ServiceError("cancelled", code="TransactionCanceledException", CancellationReasons=reasons)
        response = get_protocol("json").serialize_error(error, catalog.service_model("dynamodb"), None, "r")
        modeled = botocore_parse("json", response, shape)
        assert modeled["CancellationReasons"] == reasons and modeled["Message"] == "cancelled"


class TestJsonThroughBoto3:
    def test_sqs_round_trip_and_modeled_error(self) -> None:
        with mock_aws():
            sqs = boto3.client("sqs", region_name="us-east-1")
            url = sqs.create_queue(QueueName="json-proto")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="x",
                             MessageAttributes={"b": {"DataType": "Binary", "BinaryValue": b"\x01\x02"}})
            message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
            assert message["MessageAttributes"]["b"]["BinaryValue"] == b"\x01\x02"
            with pytest.raises(sqs.exceptions.QueueDoesNotExist) as caught:
                sqs.get_queue_url(QueueName="missing")
            assert caught.value.response["Error"]["QueryErrorCode"] == "QueueDoesNotExist"

    def test_not_implemented_is_an_error_in_each_protocol(self) -> None:
        with mock_aws():
            # (DescribeQueries is hand-written in services/logs; DescribeExportTasks and CloudWatch's
            # DescribeInsightRules are served by neither.)
            for service, operation in (("logs", "describe_export_tasks"), ("cloudwatch", "describe_insight_rules")):
                client = boto3.client(service, region_name="us-east-1")
                with pytest.raises(client.exceptions.ClientError) as caught:
                    getattr(client, operation)()
                assert caught.value.response["Error"]["Code"] == "NotImplemented"
                assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


# -- rest bindings --------------------------------------------------------------------------------
class TestRestBindings:
    def test_uri_labels_query_lists_and_typed_values(self) -> None:
        request = botocore_request("accessanalyzer", "UntagResource",
                                   {"resourceArn": "arn:aws:x:/a b?c", "tagKeys": ["k 1", "k&2", "k=3"]})
        assert parse("accessanalyzer", "UntagResource", request) == {
            "resourceArn": "arn:aws:x:/a b?c", "tagKeys": ["k 1", "k&2", "k=3"]}
        request = botocore_request("appconfig", "DeleteHostedConfigurationVersion",
                                   {"ApplicationId": "app", "ConfigurationProfileId": "p", "VersionNumber": 12})
        assert parse("appconfig", "DeleteHostedConfigurationVersion", request)["VersionNumber"] == 12

    def test_query_timestamps_and_booleans(self) -> None:
        when = dt.datetime(2023, 3, 4, 5, 6, 7, tzinfo=UTC)
        request = botocore_request("groundstation", "ListGroundStationReservations", {
            "groundStationId": "g", "startTime": when, "endTime": when})
        parsed = parse("groundstation", "ListGroundStationReservations", request)
        assert parsed["startTime"] == when
        request = botocore_request("accessanalyzer", "GetGeneratedPolicy", {
            "jobId": "j", "includeResourcePlaceholders": True, "includeServiceLevelTemplate": False})
        parsed = parse("accessanalyzer", "GetGeneratedPolicy", request)
        assert parsed["includeResourcePlaceholders"] is True and parsed["includeServiceLevelTemplate"] is False

    def test_query_maps_take_the_unclaimed_keys(self) -> None:
        params = {"filters": {"status": ["ACTIVE", "CREATING"], "alias": ["a"]}, "maxResults": 5}
        assert parse("amp", "ListScrapers", botocore_request("amp", "ListScrapers", params)) == params
        params = {"restApiId": "r", "stageName": "s", "exportType": "oas30", "parameters": {"extensions": "x"}}
        request = botocore_request("apigateway", "GetExport", params)
        parsed = parse("apigateway", "GetExport", request)
        assert parsed["parameters"] == {"extensions": "x"}

    def test_bad_number_in_query_is_a_serialization_exception(self) -> None:
        request = botocore_request("accessanalyzer", "ListAnalyzers", {"maxResults": 5})
        request.query = request.query.replace("maxResults=5", "maxResults=five")
        request._query_params = None
        assert error_from("rest-json", "accessanalyzer", "ListAnalyzers", request).code == "SerializationException"

    def test_header_lists_with_quotes_and_commas(self) -> None:
        ids = ["plain", "with,comma", 'with"quote', " spaced "]
        request = botocore_request("entityresolution", "BatchDeleteUniqueId",
                                   {"workflowName": "w", "uniqueIds": ids})
        assert parse("entityresolution", "BatchDeleteUniqueId", request)["uniqueIds"] == ["plain", "with,comma",
                                                                                          'with"quote', "spaced"]
        assert split_header_list('a, "b,c" ,d') == ["a", "b,c", "d"]

    def test_jsonvalue_and_prefix_headers(self) -> None:
        properties = {"nested": {"list": [1, "two"]}, "flag": True}
        request = botocore_request("iot-data", "Publish", {"topic": "t/1", "userProperties": properties,
                                                           "payload": b"raw"})
        parsed = parse("iot-data", "Publish", request)
        assert parsed["userProperties"] == properties and parsed["payload"] == b"raw"
        request = botocore_request("dataexchange", "SendApiAsset", {
            "AssetId": "a", "DataSetId": "d", "RevisionId": "r", "Body": "text body",
            "RequestHeaders": {"one": "1", "two": "2"}})
        parsed = parse("dataexchange", "SendApiAsset", request)
        assert parsed["RequestHeaders"] == {"one": "1", "two": "2"} and parsed["Body"] == "text body"

    def test_header_timestamps(self) -> None:
        when = dt.datetime(2022, 2, 3, 4, 5, 6, tzinfo=UTC)
        request = botocore_request("connect", "CreateTestCase", {
            "InstanceId": "i", "Name": "n", "Content": "c", "LastModifiedTime": when})
        assert request.headers["x-amz-last-modified-time"].endswith("GMT")
        assert parse("connect", "CreateTestCase", request)["LastModifiedTime"] == when

    def test_uri_params_from_the_router_win(self) -> None:
        request = botocore_request("lambda", "GetFunction", {"FunctionName": "f"})
        op = catalog.operation_model("lambda", "GetFunction")
        parsed = parse_bindings(request, op, {"FunctionName": "from-router"})
        assert parsed.params["FunctionName"] == "from-router"

    def test_host_labels_fill_missing_members(self) -> None:
        op = catalog.operation_model("servicediscovery", "DiscoverInstances")
        assert bindings_for(op.input_shape).host_labels == ()
        # A hostPrefix label reads back from the host when the member travels nowhere else.
        request = HttpRequest("GET", "/", "", {"host": "123456789012.s3-control.us-east-1.amazonaws.com"})
        s3control = catalog.operation_model("s3control", "ListJobs")
        params = parse_bindings(request, s3control, {}).params
        assert params["AccountId"] == "123456789012"
        local = HttpRequest("GET", "/", "", {"host": "127.0.0.1:4566"})
        assert "AccountId" not in parse_bindings(local, s3control, {}).params


class TestRestJsonResponses:
    def test_headers_status_and_body(self) -> None:
        op = catalog.operation_model("bedrock-agentcore", "GetAgentCard")
        response = get_protocol("rest-json").serialize_response(
            {"runtimeSessionId": "s", "agentCard": {"name": "a"}, "statusCode": 206}, op, "r")
        assert response.status == 206
        parsed = botocore_parse("rest-json", response, op.output_shape)
        assert parsed["agentCard"] == {"name": "a"} and parsed["statusCode"] == 206

    def test_raw_payload_passes_through_untouched(self) -> None:
        op = catalog.operation_model("lambda", "Invoke")
        stream = BodyStream([b"chunk-1", b"chunk-2"], 14)
        response = get_protocol("rest-json").serialize_response(
            {"StatusCode": 200, "Payload": stream, "FunctionError": "Unhandled", "ExecutedVersion": "$LATEST"}, op, "r")
        assert response.body is stream
        assert response.headers["x-amz-function-error"] == "Unhandled"
        assert response.headers["content-type"] == "application/octet-stream"

    def test_jsonvalue_response_header_and_lists(self) -> None:
        op = catalog.operation_model("lex-runtime", "PostContent")
        output = {"nluIntentConfidence": {"score": 0.5}, "contentType": "text/plain", "audioStream": b"x"}
        response = get_protocol("rest-json").serialize_response(output, op, "r")
        decoded = json.loads(base64.b64decode(response.headers["x-amz-lex-nlu-intent-confidence"]))
        assert decoded == {"score": 0.5}
        assert response.headers["content-type"] == "text/plain"

    def test_errors_carry_code_in_header_and_body(self) -> None:
        service = catalog.service_model("lambda")
        error = ServiceError("Function not found: f", code="ResourceNotFoundException", Type="User")
        response = get_protocol("rest-json").serialize_error(error, service, None, "r")
        assert response.status == 404  # from the model
        assert response.headers["x-amzn-errortype"] == "ResourceNotFoundException"
        assert json.loads(response.body) == {"__type": "ResourceNotFoundException", "Type": "User",
                                             "Message": "Function not found: f"}
        parsed = botocore_parse("rest-json", response)
        assert parsed["Error"]["Code"] == "ResourceNotFoundException"
        assert parsed["Error"]["Message"] == "Function not found: f"

    def test_error_members_bound_to_headers(self) -> None:
        service = catalog.service_model("lambda")
        shape = catalog.error_shapes("lambda")["TooManyRequestsException"]
        error = ServiceError("slow", code="TooManyRequestsException", retryAfterSeconds="3")
        response = get_protocol("rest-json").serialize_error(error, service, None, "r")
        assert response.headers["retry-after"] == "3"
        assert botocore_parse("rest-json", response, shape)["retryAfterSeconds"] == "3"


# -- rpc v2 cbor ---------------------------------------------------------------------------------
class TestRpcV2Cbor:
    def test_request_types(self) -> None:
        when = dt.datetime(2024, 2, 3, 4, 5, 6, 500000, tzinfo=UTC)
        params = {"Namespace": "ns", "MetricData": [{"MetricName": "m", "Timestamp": when, "Value": 1.25,
                                                     "Dimensions": [{"Name": "d", "Value": "v"}]}]}
        request = botocore_request("cloudwatch", "PutMetricData", params, protocol="smithy-rpc-v2-cbor")
        assert request.path == "/service/GraniteServiceVersion20100801/operation/PutMetricData"
        assert parse("cloudwatch", "PutMetricData", request, "smithy-rpc-v2-cbor") == params

    def test_malformed_and_mistyped_bodies(self) -> None:
        def request(body: bytes) -> HttpRequest:
            return HttpRequest("POST", "/service/GraniteServiceVersion20100801/operation/ListMetrics", "",
                               {"smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor"}, body)

        assert error_from("smithy-rpc-v2-cbor", "cloudwatch", "ListMetrics", request(b"\xff\x00")).code == \
            "SerializationException"
        mistyped = request(cbor2.dumps({"Namespace": 5}))
        assert error_from("smithy-rpc-v2-cbor", "cloudwatch", "ListMetrics", mistyped).code == "SerializationException"
        assert parse("cloudwatch", "ListMetrics", request(b""), "smithy-rpc-v2-cbor") == {}

    def test_response_and_error(self) -> None:
        op = catalog.operation_model("cloudwatch", "GetMetricData")
        when = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
        protocol = get_protocol("smithy-rpc-v2-cbor")
        response = protocol.serialize_response(
            {"MetricDataResults": [{"Id": "m", "Timestamps": [when], "Values": [2.5]}]}, op, "r")
        assert response.headers["smithy-protocol"] == "rpc-v2-cbor"
        assert response.headers["content-type"] == "application/cbor"
        raw = cbor2.loads(response.body)
        assert raw["MetricDataResults"][0]["Timestamps"] == [when]  # tag 1 on the wire
        parsed = botocore_parse("smithy-rpc-v2-cbor", response, op.output_shape)
        assert parsed["MetricDataResults"][0]["Timestamps"] == [when]
        error = protocol.serialize_error(ServiceError("no dashboard", code="DashboardNotFoundError"),
                                         catalog.service_model("cloudwatch"), op, "r")
        assert cbor2.loads(error.body) == {"__type": "DashboardNotFoundError", "message": "no dashboard"}
        assert error.headers["x-amzn-query-error"] == "ResourceNotFound;Sender"
        assert botocore_parse("smithy-rpc-v2-cbor", error)["Error"]["Code"] == "ResourceNotFound"
