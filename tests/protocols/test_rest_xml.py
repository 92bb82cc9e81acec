"""The rest-xml protocol (S3, Route 53, CloudFront, S3 Control): bindings plus the XML body."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

import boto3
import pytest
from botocore.awsrequest import HeadersDict
from botocore.exceptions import ClientError
from botocore.parsers import create_parser

import hoarfrost
from hoarfrost.core import catalog
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.http import BodyStream, HttpRequest
from hoarfrost.protocols.base import get_protocol

REST_XML = get_protocol("rest-xml")
S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _request(method: str, path: str, body: bytes = b"", query: str = "", **headers: str) -> HttpRequest:
    return HttpRequest(method, path, query, {"host": "s3.amazonaws.com", **headers}, body)


# -- requests -------------------------------------------------------------------------------------
def test_put_object_raw_payload_labels_and_metadata_headers() -> None:
    operation = catalog.operation_model("s3", "PutObject")
    request = _request(
        "PUT", "/bucket/a/b%20c.txt", b"\x00\x01 body",
        **{"content-type": "text/plain", "x-amz-meta-colour": "blue", "x-amz-meta-owner-name": "me",
           "content-length": "7", "x-amz-storage-class": "STANDARD_IA"},
    )
    params = REST_XML.parse_request(request, operation, {"Bucket": "bucket", "Key": "a/b c.txt"})
    assert params["Bucket"] == "bucket" and params["Key"] == "a/b c.txt"
    assert params["Body"] == b"\x00\x01 body"
    assert params["ContentType"] == "text/plain"
    assert params["ContentLength"] == 7
    assert params["StorageClass"] == "STANDARD_IA"
    assert params["Metadata"] == {"colour": "blue", "owner-name": "me"}


def test_structure_payload_is_the_root_element() -> None:
    operation = catalog.operation_model("s3", "PutBucketTagging")
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="{S3_NS}"><TagSet>'
        "<Tag><Key>team</Key><Value>frost &amp; snow</Value></Tag><Tag><Key>env</Key><Value></Value></Tag>"
        "</TagSet></Tagging>"
    ).encode()
    params = REST_XML.parse_request(_request("PUT", "/bucket", body, "tagging"), operation, {"Bucket": "bucket"})
    assert params == {"Bucket": "bucket", "Tagging": {"TagSet": [
        {"Key": "team", "Value": "frost & snow"}, {"Key": "env", "Value": ""}]}}


def test_typed_values_and_flattened_lists_in_a_payload() -> None:
    operation = catalog.operation_model("s3", "PutBucketLifecycleConfiguration")
    body = (
        f'<LifecycleConfiguration xmlns="{S3_NS}">'
        "<Rule><ID>r1</ID><Status>Enabled</Status><Filter><Prefix>logs/</Prefix></Filter>"
        "<Expiration><Days>30</Days><ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker></Expiration></Rule>"
        "<Rule><ID>r2</ID><Status>Disabled</Status><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>"
        "</LifecycleConfiguration>"
    ).encode()
    params = REST_XML.parse_request(_request("PUT", "/b", body, "lifecycle"), operation, {"Bucket": "b"})
    rules = params["LifecycleConfiguration"]["Rules"]
    assert [rule["ID"] for rule in rules] == ["r1", "r2"]
    assert rules[0]["Expiration"] == {"Days": 30, "ExpiredObjectDeleteMarker": False}
    assert rules[1]["Expiration"]["Date"] == dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)


def test_xml_attributes_with_a_namespace_prefix_are_read() -> None:
    operation = catalog.operation_model("s3", "PutBucketAcl")
    body = (
        f'<AccessControlPolicy xmlns="{S3_NS}"><AccessControlList><Grant>'
        '<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">'
        "<ID>abc</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList>"
        "<Owner><ID>abc</ID></Owner></AccessControlPolicy>"
    ).encode()
    params = REST_XML.parse_request(_request("PUT", "/b", body, "acl"), operation, {"Bucket": "b"})
    grant = params["AccessControlPolicy"]["Grants"][0]
    assert grant == {"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "READ"}


def test_body_members_under_the_input_root_route53() -> None:
    operation = catalog.operation_model("route53", "CreateHostedZone")
    body = (
        '<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
        "<Name>example.com</Name><CallerReference>ref-1</CallerReference>"
        "<HostedZoneConfig><Comment>c</Comment><PrivateZone>true</PrivateZone></HostedZoneConfig>"
        "</CreateHostedZoneRequest>"
    ).encode()
    request = HttpRequest("POST", "/2013-04-01/hostedzone", "", {"host": "route53.amazonaws.com"}, body)
    params = REST_XML.parse_request(request, operation, {})
    assert params == {"Name": "example.com", "CallerReference": "ref-1",
                      "HostedZoneConfig": {"Comment": "c", "PrivateZone": True}}


@pytest.mark.parametrize(
    "body",
    [
        b"<Tagging><TagSet><Tag>",  # truncated
        b"not xml at all",
        (b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
         b"<Tagging><TagSet><Tag><Key>&b;</Key><Value>v</Value></Tag></TagSet></Tagging>"),  # entity expansion
    ],
)
def test_malformed_or_entity_laden_xml_is_malformed_xml(body: bytes) -> None:
    operation = catalog.operation_model("s3", "PutBucketTagging")
    with pytest.raises(ServiceError) as caught:
        REST_XML.parse_request(_request("PUT", "/b", body, "tagging"), operation, {"Bucket": "b"})
    assert caught.value.code == "MalformedXML"
    assert caught.value.status == 400


def test_wrong_type_inside_the_body_is_malformed_xml() -> None:
    operation = catalog.operation_model("s3", "PutBucketLifecycleConfiguration")
    body = (f'<LifecycleConfiguration xmlns="{S3_NS}"><Rule><Status>Enabled</Status>'
            "<Expiration><Days>soon</Days></Expiration></Rule></LifecycleConfiguration>").encode()
    with pytest.raises(ServiceError) as caught:
        REST_XML.parse_request(_request("PUT", "/b", body, "lifecycle"), operation, {"Bucket": "b"})
    assert caught.value.code == "MalformedXML"


def test_wrong_type_in_a_header_is_invalid_argument() -> None:
    operation = catalog.operation_model("s3", "PutObject")
    with pytest.raises(ServiceError) as caught:
        REST_XML.parse_request(_request("PUT", "/b/k", b"x", **{"content-length": "lots"}), operation,
                               {"Bucket": "b", "Key": "k"})
    assert caught.value.code == "InvalidArgument" and caught.value.status == 400
    assert "content-length" in caught.value.message


# -- responses ------------------------------------------------------------------------------------
def test_list_objects_v2_document_root_namespace_and_flattened_contents() -> None:
    operation = catalog.operation_model("s3", "ListObjectsV2")
    modified = dt.datetime(2024, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc)
    output = {"Name": "b", "KeyCount": 2, "IsTruncated": False, "Contents": [
        {"Key": "a&b", "Size": 3, "LastModified": modified, "ETag": '"e1"'}, {"Key": "c", "Size": 0}]}
    response = REST_XML.serialize_response(output, operation, "rid")
    assert response.status == 200
    assert response.headers["content-type"] == "application/xml"
    assert response.headers["x-amz-request-id"] == "rid"
    root = ElementTree.fromstring(response.body_bytes())
    assert root.tag == f"{{{S3_NS}}}ListBucketResult"
    children = [_local(child.tag) for child in root]
    assert children.count("Contents") == 2
    first = {_local(child.tag): child.text for child in root.find(f"{{{S3_NS}}}Contents")}
    assert first == {"Key": "a&b", "LastModified": "2024-02-03T04:05:06.000Z", "ETag": '"e1"', "Size": "3"}
    parsed = create_parser("rest-xml").parse(
        {"status_code": 200, "headers": HeadersDict(response.headers), "body": response.body_bytes()},
        operation.output_shape)
    assert parsed["Contents"][0]["LastModified"] == modified
    assert parsed["KeyCount"] == 2


def test_get_object_streams_the_body_untouched_with_header_members() -> None:
    operation = catalog.operation_model("s3", "GetObject")
    stream = BodyStream([b"hello ", b"world"], 11)
    modified = dt.datetime(2024, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc)
    response = REST_XML.serialize_response(
        {"Body": stream, "ContentLength": 11, "ContentType": "text/plain", "LastModified": modified,
         "Metadata": {"colour": "blue"}, "ETag": '"abc"', "DeleteMarker": False},
        operation, "rid")
    assert response.body is stream
    assert response.headers["content-length"] == "11"
    assert response.headers["content-type"] == "text/plain"
    assert response.headers["last-modified"] == "Sat, 03 Feb 2024 04:05:06 GMT"
    assert response.headers["x-amz-meta-colour"] == "blue"
    assert response.headers["x-amz-delete-marker"] == "false"


def test_structure_payload_output_and_response_code() -> None:
    operation = catalog.operation_model("route53", "CreateHostedZone")
    response = REST_XML.serialize_response(
        {"HostedZone": {"Id": "/hostedzone/Z1", "Name": "example.com.", "CallerReference": "r"},
         "ChangeInfo": {"Id": "C1", "Status": "PENDING", "SubmittedAt": dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)},
         "DelegationSet": {"NameServers": ["ns1", "ns2"]}, "Location": "https://route53/loc"},
        operation, "rid")
    assert response.status == 201  # the operation's responseCode
    assert response.headers["location"] == "https://route53/loc"
    root = ElementTree.fromstring(response.body_bytes())
    assert root.tag == "{https://route53.amazonaws.com/doc/2013-04-01/}CreateHostedZoneResponse"
    servers = root.find("{*}DelegationSet/{*}NameServers")
    assert [(_local(item.tag), item.text) for item in servers] == [("NameServer", "ns1"), ("NameServer", "ns2")]


def test_get_bucket_location_root_holds_the_region() -> None:
    operation = catalog.operation_model("s3", "GetBucketLocation")
    root = ElementTree.fromstring(REST_XML.serialize_response({"LocationConstraint": "eu-west-1"}, operation, "r").body_bytes())
    assert root.tag == f"{{{S3_NS}}}LocationConstraint" and root.text == "eu-west-1"
    empty = ElementTree.fromstring(REST_XML.serialize_response({}, operation, "r").body_bytes())
    assert empty.text is None


def test_grantee_type_is_written_as_an_xsi_attribute() -> None:
    operation = catalog.operation_model("s3", "GetBucketAcl")
    response = REST_XML.serialize_response(
        {"Owner": {"ID": "o"}, "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": "o"}, "Permission": "FULL_CONTROL"}]},
        operation, "r")
    parsed = create_parser("rest-xml").parse(
        {"status_code": 200, "headers": HeadersDict(response.headers), "body": response.body_bytes()},
        operation.output_shape)
    assert parsed["Grants"] == [{"Grantee": {"Type": "CanonicalUser", "ID": "o"}, "Permission": "FULL_CONTROL"}]
    assert b'xsi:type="CanonicalUser"' in response.body_bytes()
    assert _local(ElementTree.fromstring(response.body_bytes()).tag) == "AccessControlPolicy"


# -- errors ---------------------------------------------------------------------------------------
def test_s3_error_document_with_fields_and_request_id_header() -> None:
    service = catalog.service_model("s3")
    error = ServiceError("The specified bucket does not exist", code="NoSuchBucket", status=404, BucketName="b&c")
    response = REST_XML.serialize_error(error, service, None, "rid-1")
    assert response.status == 404
    assert response.headers["x-amz-request-id"] == "rid-1"
    root = ElementTree.fromstring(response.body_bytes())
    assert root.tag == "Error"  # no namespace, as S3 sends it
    assert {child.tag: child.text for child in root} == {
        "Code": "NoSuchBucket", "Message": "The specified bucket does not exist", "BucketName": "b&c",
        "RequestId": "rid-1", "HostId": "rid-1"}
    parsed = create_parser("rest-xml").parse(
        {"status_code": 404, "headers": HeadersDict(response.headers), "body": response.body_bytes()}, None)
    assert parsed["Error"]["Code"] == "NoSuchBucket" and parsed["Error"]["BucketName"] == "b&c"
    assert parsed["ResponseMetadata"]["RequestId"] == "rid-1"


def test_route53_error_document() -> None:
    service = catalog.service_model("route53")
    response = REST_XML.serialize_error(ServiceError("no zone", code="NoSuchHostedZone"), service, None, "rid-2")
    assert response.status == 404  # from the model
    root = ElementTree.fromstring(response.body_bytes())
    assert _local(root.tag) == "ErrorResponse"
    error = root.find("{*}Error")
    assert {_local(child.tag): child.text for child in error} == {
        "Type": "Sender", "Code": "NoSuchHostedZone", "Message": "no zone"}
    assert root.find("{*}RequestId").text == "rid-2"


# -- through boto3 --------------------------------------------------------------------------------
def test_boto3_reads_rest_xml_errors_from_the_emulator() -> None:
    with hoarfrost.mock_aws():
        with pytest.raises(ClientError) as caught:
            boto3.client("route53", region_name="us-east-1").get_hosted_zone_count()
    assert caught.value.response["Error"]["Code"] == "NotImplemented"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_boto3_reads_an_s3_document_from_the_emulator() -> None:
    with hoarfrost.mock_aws():
        listed = boto3.client("s3", region_name="us-east-1").list_buckets()
    assert listed["Buckets"] == []
    assert listed["ResponseMetadata"]["RequestId"]
