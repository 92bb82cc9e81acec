"""Exports to hoarfrost's S3 in DynamoDB JSON (manifests and gzip data files) and imports back."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.dynamodb.conftest import error, make_table
from tests.harness import Harness


def test_export_then_import(aws: Harness, ddb: Any) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="exports")
    arn = make_table(ddb, range_type=None)["TableArn"]
    for i in range(3):
        ddb.put_item(TableName="t", Item={"pk": {"S": str(i)}, "b": {"B": bytes([i])}, "n": {"N": str(i)}})
    with pytest.raises(ClientError) as excinfo:
        ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="exports")
    assert error(excinfo)[0] == "PointInTimeRecoveryUnavailableException"
    ddb.update_continuous_backups(TableName="t", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    started = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="exports", S3Prefix="backups")
    export_arn = started["ExportDescription"]["ExportArn"]
    assert started["ExportDescription"]["ExportStatus"] == "IN_PROGRESS"
    done = ddb.describe_export(ExportArn=export_arn)["ExportDescription"]
    assert done["ExportStatus"] == "COMPLETED" and done["ItemCount"] == 3
    summary = json.loads(s3.get_object(Bucket="exports", Key=done["ExportManifest"])["Body"].read())
    assert summary["itemCount"] == 3 and summary["outputFormat"] == "DYNAMODB_JSON"
    files = [json.loads(line) for line in s3.get_object(Bucket="exports", Key=summary["manifestFilesS3Key"])[
        "Body"].read().decode().splitlines()]
    data = gzip.decompress(s3.get_object(Bucket="exports", Key=files[0]["dataFileS3Key"])["Body"].read())
    lines = [json.loads(line)["Item"] for line in data.decode().splitlines()]
    assert sorted(line["pk"]["S"] for line in lines) == ["0", "1", "2"]
    assert ddb.list_exports(TableArn=arn)["ExportSummaries"][0]["ExportArn"] == export_arn

    imported = ddb.import_table(
        S3BucketSource={"S3Bucket": "exports", "S3KeyPrefix": "backups/AWSDynamoDB/"}, InputFormat="DYNAMODB_JSON",
        InputCompressionType="GZIP", TableCreationParameters={
            "TableName": "copy", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"})
    import_arn = imported["ImportTableDescription"]["ImportArn"]
    described = ddb.describe_import(ImportArn=import_arn)["ImportTableDescription"]
    assert described["ImportStatus"] == "COMPLETED" and described["ImportedItemCount"] == 3
    assert ddb.get_item(TableName="copy", Key={"pk": {"S": "2"}})["Item"]["b"] == {"B": bytes([2])}
    assert ddb.list_imports()["ImportSummaryList"][0]["ImportArn"] == import_arn


def test_export_to_a_missing_bucket_fails(aws: Harness, ddb: Any) -> None:
    arn = make_table(ddb, range_type=None)["TableArn"]
    ddb.update_continuous_backups(TableName="t", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    export_arn = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="no-such-bucket")["ExportDescription"][
        "ExportArn"]
    described = ddb.describe_export(ExportArn=export_arn)["ExportDescription"]
    assert described["ExportStatus"] == "FAILED" and described["FailureCode"] == "NoSuchBucket"


def test_import_csv(aws: Harness, ddb: Any) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="csv-in")
    s3.put_object(Bucket="csv-in", Key="rows/part1.csv", Body=b"pk,n,note\na,1,first\nb,2,\nc,not-a-number,x\n")
    imported = ddb.import_table(
        S3BucketSource={"S3Bucket": "csv-in", "S3KeyPrefix": "rows/"}, InputFormat="CSV",
        TableCreationParameters={
            "TableName": "from-csv", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"})
    described = ddb.describe_import(ImportArn=imported["ImportTableDescription"]["ImportArn"])[
        "ImportTableDescription"]
    assert described["ImportStatus"] == "COMPLETED" and described["ImportedItemCount"] == 3
    assert ddb.get_item(TableName="from-csv", Key={"pk": {"S": "a"}})["Item"] == {
        "pk": {"S": "a"}, "n": {"S": "1"}, "note": {"S": "first"}}
    assert ddb.get_item(TableName="from-csv", Key={"pk": {"S": "b"}})["Item"] == {"pk": {"S": "b"}, "n": {"S": "2"}}
