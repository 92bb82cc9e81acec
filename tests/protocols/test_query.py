"""The query and ec2 protocols: wire details the oracle sweep does not pin down.

Requests are written the way other SDKs and hand-written clients send them (form bodies,
GET query strings, SQS's query-era names); answers are checked as XML and through botocore.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode
from xml.etree import ElementTree

import boto3
import pytest
from botocore.awsrequest import HeadersDict
from botocore.exceptions import ClientError
from botocore.parsers import create_parser

import hoarfrost
from hoarfrost.core import catalog
from hoarfrost.core.errors import InternalFailure, ServiceError
from hoarfrost.core.http import HttpRequest
from hoarfrost.protocols.base import get_protocol

QUERY = get_protocol("query")
EC2 = get_protocol("ec2")


def _form(params: dict[str, str] | list[tuple[str, str]], method: str = "POST") -> HttpRequest:
    encoded = urlencode(params)
    if method == "GET":
        return HttpRequest("GET", "/", encoded, {"host": "example.com"})
    return HttpRequest("POST", "/", "", {"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
                       encoded.encode())


def _xml(body: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(body)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# -- query requests -------------------------------------------------------------------------------
def test_query_members_lists_of_structures_and_integers_are_typed() -> None:
    operation = catalog.operation_model("sts", "AssumeRole")
    params = QUERY.parse_request(_form({
        "Action": "AssumeRole", "Version": "2011-06-15",
        "RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s",
        "DurationSeconds": "900",
        "PolicyArns.member.1.arn": "arn:aws:iam::aws:policy/A",
        "PolicyArns.member.2.arn": "arn:aws:iam::aws:policy/B",
        "Tags.member.1.Key": "team", "Tags.member.1.Value": "frost",
        "TransitiveTagKeys.member.1": "team",
    }), operation)
    assert params == {
        "RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s", "DurationSeconds": 900,
        "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/A"}, {"arn": "arn:aws:iam::aws:policy/B"}],
        "Tags": [{"Key": "team", "Value": "frost"}], "TransitiveTagKeys": ["team"],
    }


def test_query_list_items_follow_their_index_not_their_order_on_the_wire() -> None:
    operation = catalog.operation_model("sts", "AssumeRole")
    params = QUERY.parse_request(_form([
        ("RoleArn", "r"), ("RoleSessionName", "s"),
        ("TransitiveTagKeys.member.10", "ten"), ("TransitiveTagKeys.member.2", "two"),
        ("TransitiveTagKeys.member.1", "one"),
    ]), operation)
    assert params["TransitiveTagKeys"] == ["one", "two", "ten"]


def test_query_get_request_reads_the_query_string() -> None:
    operation = catalog.operation_model("sts", "GetSessionToken")
    params = QUERY.parse_request(_form({"Action": "GetSessionToken", "DurationSeconds": "3600"}, "GET"), operation)
    assert params == {"DurationSeconds": 3600}


def test_query_maps_timestamps_booleans_and_blobs() -> None:
    attributes = QUERY.parse_request(_form({
        "Name": "topic", "Attributes.entry.1.key": "DisplayName", "Attributes.entry.1.value": "Frost",
        "Attributes.entry.2.key": "FifoTopic", "Attributes.entry.2.value": "true",
    }), catalog.operation_model("sns", "CreateTopic"))
    assert attributes == {"Name": "topic", "Attributes": {"DisplayName": "Frost", "FifoTopic": "true"}}

    metric = QUERY.parse_request(_form({
        "Namespace": "ns", "MetricName": "m", "StartTime": "2024-01-02T03:04:05Z",
        "EndTime": "2024-01-02T04:04:05.250Z", "Period": "60",
    }), catalog.operation_model("cloudwatch", "GetMetricStatistics"))
    assert metric["StartTime"] == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert metric["EndTime"] == dt.datetime(2024, 1, 2, 4, 4, 5, 250000, tzinfo=dt.timezone.utc)
    assert metric["StartTime"].tzinfo is not None

    raw = QUERY.parse_request(_form({"RawMessage.Data": "aGVsbG8gd29ybGQ="}),
                              catalog.operation_model("ses", "SendRawEmail"))
    assert raw == {"RawMessage": {"Data": b"hello world"}}

    flag = QUERY.parse_request(_form({"UserName": "u", "PasswordResetRequired": "TRUE"}),
                               catalog.operation_model("iam", "UpdateLoginProfile"))
    assert flag == {"UserName": "u", "PasswordResetRequired": True}


def test_query_empty_list_marker_parses_as_empty_list() -> None:
    operation = catalog.operation_model("sts", "AssumeRole")
    params = QUERY.parse_request(_form({"RoleArn": "r", "RoleSessionName": "s", "TransitiveTagKeys": ""}), operation)
    assert params["TransitiveTagKeys"] == []


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [("DurationSeconds", "abc", "an integer"), ("DurationSeconds", "1.5", "an integer")],
)
def test_query_value_of_the_wrong_type_is_a_validation_error_naming_the_parameter(
    field: str, value: str, expected: str
) -> None:
    operation = catalog.operation_model("sts", "AssumeRole")
    with pytest.raises(ServiceError) as caught:
        QUERY.parse_request(_form({"RoleArn": "r", "RoleSessionName": "s", field: value}), operation)
    assert caught.value.code == "ValidationError"
    assert caught.value.status == 400
    assert field in caught.value.message and value in caught.value.message and expected in caught.value.message


def test_query_bad_boolean_timestamp_and_blob_name_their_parameters() -> None:
    cases = [
        ("iam", "UpdateLoginProfile", {"UserName": "u", "PasswordResetRequired": "yes"}, "PasswordResetRequired"),
        ("cloudwatch", "GetMetricStatistics", {"Namespace": "n", "MetricName": "m", "StartTime": "soon"}, "StartTime"),
        ("ses", "SendRawEmail", {"RawMessage.Data": "!!!not base64"}, "RawMessage.Data"),
    ]
    for service, operation, form, parameter in cases:
        with pytest.raises(ServiceError) as caught:
            QUERY.parse_request(_form(form), catalog.operation_model(service, operation))
        assert caught.value.code == "ValidationError", (service, operation)
        assert parameter in caught.value.message


# -- query responses ------------------------------------------------------------------------------
def test_query_response_envelope_result_wrapper_namespace_and_request_id() -> None:
    operation = catalog.operation_model("sts", "GetCallerIdentity")
    response = QUERY.serialize_response(
        {"UserId": "AIDA", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/a&b"},
        operation, "rid-1",
    )
    assert response.status == 200
    assert response.headers["content-type"] == "text/xml"
    root = _xml(response.body_bytes())
    assert root.tag == "{https://sts.amazonaws.com/doc/2011-06-15/}GetCallerIdentityResponse"
    result, metadata = list(root)
    assert _local(result.tag) == "GetCallerIdentityResult"
    assert {_local(child.tag): child.text for child in result} == {
        "UserId": "AIDA", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/a&b"}
    assert _local(metadata[0].tag) == "RequestId" and metadata[0].text == "rid-1"


def test_query_response_lists_and_timestamps_as_botocore_reads_them() -> None:
    operation = catalog.operation_model("iam", "ListUsers")
    created = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)
    output = {"Users": [{"Path": "/", "UserName": "u1", "UserId": "AID1", "Arn": "arn:1", "CreateDate": created}],
              "IsTruncated": False}
    response = QUERY.serialize_response(output, operation, "rid")
    assert b"<Users><member><Path>/</Path>" in response.body_bytes()
    assert b"<CreateDate>2024-05-06T07:08:09.000Z</CreateDate>" in response.body_bytes()
    parsed = create_parser("query").parse(
        {"status_code": 200, "headers": HeadersDict(response.headers), "body": response.body_bytes()},
        operation.output_shape)
    assert parsed["Users"][0]["CreateDate"] == created
    assert parsed["IsTruncated"] is False


def test_query_operation_without_output_still_answers_request_id() -> None:
    operation = catalog.operation_model("iam", "DeleteUser")
    root = _xml(QUERY.serialize_response({}, operation, "rid-7").body_bytes())
    assert _local(root.tag) == "DeleteUserResponse"
    assert [_local(child.tag) for child in root] == ["ResponseMetadata"]


# -- query errors ---------------------------------------------------------------------------------
def test_query_error_response_shape_status_from_model_and_type() -> None:
    service = catalog.service_model("iam")
    response = QUERY.serialize_error(ServiceError("no user <x>", code="NoSuchEntity"), service, None, "rid-2")
    assert response.status == 404  # the model's httpStatusCode for NoSuchEntity
    assert response.headers["content-type"] == "text/xml"
    root = _xml(response.body_bytes())
    assert _local(root.tag) == "ErrorResponse"
    error, request_id = list(root)
    assert {_local(child.tag): child.text for child in error} == {
        "Type": "Sender", "Code": "NoSuchEntity", "Message": "no user <x>"}
    assert request_id.text == "rid-2"

    internal = QUERY.serialize_error(InternalFailure("boom"), service, None, "rid-3")
    assert internal.status == 500
    assert b"<Type>Receiver</Type>" in internal.body_bytes()


class _QueueDoesNotExist(ServiceError):
    code = "QueueDoesNotExist"
    query_code = "AWS.SimpleQueueService.NonExistentQueue"


def test_query_error_for_sqs_uses_the_query_compatible_code() -> None:
    service = catalog.service_model("sqs")
    response = QUERY.serialize_error(_QueueDoesNotExist("The specified queue does not exist."), service, None, "rid")
    parsed = create_parser("query").parse(
        {"status_code": response.status, "headers": HeadersDict(response.headers), "body": response.body_bytes()},
        None)
    assert parsed["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert response.status == 400


# -- SQS over query (json model, query-era names) ------------------------------------------------
def test_sqs_query_request_accepts_query_era_names() -> None:
    operation = catalog.operation_model("sqs", "SendMessage")
    params = QUERY.parse_request(_form({
        "Action": "SendMessage", "QueueUrl": "https://q/1/q", "MessageBody": "hi", "DelaySeconds": "5",
        "MessageAttribute.1.Name": "colour", "MessageAttribute.1.Value.StringValue": "blue",
        "MessageAttribute.1.Value.DataType": "String",
        "MessageAttribute.2.Name": "bin", "MessageAttribute.2.Value.BinaryValue": "AAE=",
        "MessageAttribute.2.Value.DataType": "Binary",
    }), operation)
    assert params == {
        "QueueUrl": "https://q/1/q", "MessageBody": "hi", "DelaySeconds": 5,
        "MessageAttributes": {
            "colour": {"StringValue": "blue", "DataType": "String"},
            "bin": {"BinaryValue": b"\x00\x01", "DataType": "Binary"},
        },
    }
    batch = QUERY.parse_request(_form({
        "QueueUrl": "u", "SendMessageBatchRequestEntry.1.Id": "a", "SendMessageBatchRequestEntry.1.MessageBody": "x",
        "SendMessageBatchRequestEntry.2.Id": "b", "SendMessageBatchRequestEntry.2.MessageBody": "y",
    }), catalog.operation_model("sqs", "SendMessageBatch"))
    assert batch["Entries"] == [{"Id": "a", "MessageBody": "x"}, {"Id": "b", "MessageBody": "y"}]
    attrs = QUERY.parse_request(_form({"QueueUrl": "u", "AttributeName.1": "All"}),
                                catalog.operation_model("sqs", "GetQueueAttributes"))
    assert attrs["AttributeNames"] == ["All"]
    created = QUERY.parse_request(_form({"QueueName": "q", "Attribute.1.Name": "DelaySeconds",
                                         "Attribute.1.Value": "3", "Tag.1.Key": "k", "Tag.1.Value": "v"}),
                                  catalog.operation_model("sqs", "CreateQueue"))
    assert created == {"QueueName": "q", "Attributes": {"DelaySeconds": "3"}, "tags": {"k": "v"}}


def test_sqs_query_response_uses_query_era_element_names() -> None:
    operation = catalog.operation_model("sqs", "ReceiveMessage")
    response = QUERY.serialize_response({"Messages": [{
        "MessageId": "m1", "Body": "b", "Attributes": {"SenderId": "1"},
        "MessageAttributes": {"colour": {"StringValue": "blue", "DataType": "String"}},
    }]}, operation, "rid")
    root = _xml(response.body_bytes())
    result = root[0]
    assert _local(result.tag) == "ReceiveMessageResult"
    message = result[0]
    assert _local(message.tag) == "Message"
    children = {_local(child.tag): child for child in message}
    assert [(_local(c.tag), c.text) for c in children["Attribute"]] == [("Name", "SenderId"), ("Value", "1")]
    attribute = children["MessageAttribute"]
    assert _local(attribute[0].tag) == "Name" and attribute[0].text == "colour"
    assert {_local(c.tag): c.text for c in attribute[1]} == {"StringValue": "blue", "DataType": "String"}

    urls = QUERY.serialize_response({"QueueUrls": ["u1", "u2"]}, catalog.operation_model("sqs", "ListQueues"), "r")
    assert b"<QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl>" in urls.body_bytes()


# -- ec2 ------------------------------------------------------------------------------------------
def test_ec2_request_names_lists_without_member_and_filters() -> None:
    operation = catalog.operation_model("ec2", "DescribeInstances")
    params = EC2.parse_request(_form({
        "Action": "DescribeInstances", "Version": "2016-11-15",
        "InstanceId.1": "i-1", "InstanceId.2": "i-2",
        "Filter.1.Name": "tag:team", "Filter.1.Value.1": "frost", "Filter.1.Value.2": "snow",
        "MaxResults": "5", "DryRun": "false",
    }), operation)
    assert params == {
        "InstanceIds": ["i-1", "i-2"], "Filters": [{"Name": "tag:team", "Values": ["frost", "snow"]}],
        "MaxResults": 5, "DryRun": False,
    }


def test_ec2_wrong_type_is_invalid_parameter_value() -> None:
    with pytest.raises(ServiceError) as caught:
        EC2.parse_request(_form({"MaxResults": "many"}), catalog.operation_model("ec2", "DescribeInstances"))
    assert caught.value.code == "InvalidParameterValue" and "MaxResults" in caught.value.message


def test_ec2_response_has_request_id_and_no_result_wrapper() -> None:
    operation = catalog.operation_model("ec2", "DescribeVpcs")
    response = EC2.serialize_response({"Vpcs": [{"VpcId": "vpc-1", "IsDefault": True}]}, operation, "rid-4")
    root = _xml(response.body_bytes())
    assert root.tag == "{http://ec2.amazonaws.com/doc/2016-11-15/}DescribeVpcsResponse"
    assert [_local(child.tag) for child in root] == ["requestId", "vpcSet"]
    assert root[0].text == "rid-4"
    item = root[1][0]
    assert _local(item.tag) == "item"
    assert {_local(child.tag): child.text for child in item} == {"vpcId": "vpc-1", "isDefault": "true"}


def test_ec2_error_envelope() -> None:
    service = catalog.service_model("ec2")
    response = EC2.serialize_error(ServiceError("bad id", code="InvalidInstanceID.Malformed"), service, None, "rid-5")
    root = _xml(response.body_bytes())
    assert root.tag == "Response"
    assert [child.tag for child in root] == ["Errors", "RequestID"]
    error = root[0][0]
    assert {child.tag: child.text for child in error} == {"Code": "InvalidInstanceID.Malformed", "Message": "bad id"}
    assert root[1].text == "rid-5"
    assert response.status == 400


# -- through boto3 --------------------------------------------------------------------------------
def test_boto3_reads_query_success_and_error_from_the_emulator() -> None:
    with hoarfrost.mock_aws():
        identity = boto3.client("sts", region_name="us-east-1").get_caller_identity()
        assert identity["Account"] == "123456789012"
        with pytest.raises(ClientError) as caught:
            boto3.client("iam", region_name="us-east-1").list_organizations_features()
    error = caught.value.response
    assert error["Error"]["Code"] == "NotImplemented"
    assert "ListOrganizationsFeatures" in error["Error"]["Message"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error["ResponseMetadata"]["RequestId"]


def test_boto3_reads_ec2_errors_from_the_emulator() -> None:
    with hoarfrost.mock_aws():
        with pytest.raises(ClientError) as caught:
            boto3.client("ec2", region_name="us-east-1").describe_regions()
    assert caught.value.response["Error"]["Code"] == "NotImplemented"
    assert caught.value.response["ResponseMetadata"]["RequestId"]


def test_sqs_over_query_through_the_emulator_pipeline() -> None:
    """A query-era SQS client (form bodies, ``Attribute.N``/``MessageAttribute.N`` names) talks to
    the json-modelled SQS and is answered in query XML."""
    from hoarfrost.core.emulator import Emulator

    emulator = Emulator()
    auth = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/sqs/aws4_request, "
            "SignedHeaders=host, Signature=0")

    def call(**form: str) -> ElementTree.Element:
        request = HttpRequest("POST", "/", "", {
            "host": "sqs.us-east-1.amazonaws.com", "authorization": auth,
            "content-type": "application/x-www-form-urlencoded"}, urlencode(form).encode())
        response = emulator.handle(request)
        assert response.headers["content-type"] == "text/xml"
        return _xml(response.body_bytes())

    created = call(Action="CreateQueue", QueueName="frost", **{"Attribute.1.Name": "DelaySeconds",
                                                               "Attribute.1.Value": "0"})
    queue_url = created.find("{*}CreateQueueResult/{*}QueueUrl").text
    assert queue_url.endswith("/frost")
    call(Action="SendMessage", QueueUrl=queue_url, MessageBody="snow & ice", **{
        "MessageAttribute.1.Name": "colour", "MessageAttribute.1.Value.StringValue": "white",
        "MessageAttribute.1.Value.DataType": "String"})
    received = call(Action="ReceiveMessage", QueueUrl=queue_url, **{"MessageAttributeName.1": "All"})
    message = received.find("{*}ReceiveMessageResult/{*}Message")
    assert message.find("{*}Body").text == "snow & ice"
    attribute = message.find("{*}MessageAttribute")
    assert attribute.find("{*}Name").text == "colour"
    assert attribute.find("{*}Value/{*}StringValue").text == "white"
    missing = call(Action="GetQueueUrl", QueueName="absent")
    assert _local(missing.tag) == "ErrorResponse"
    assert missing.find("{*}Error/{*}Code").text == "AWS.SimpleQueueService.NonExistentQueue"
