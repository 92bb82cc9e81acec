"""S3 event notifications to Lambda: the permission check S3 does when the configuration is
put, and object events invoking the function asynchronously with S3's event records."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.lambda_.conftest import code, create, message

RECORDS = '''
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
'''


def _config(arn: str, **extra: Any) -> dict[str, Any]:
    return {"LambdaFunctionConfigurations": [{
        "Id": "to-fn", "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}, **extra}]}


def test_object_created_invokes_the_function(aws: Harness) -> None:
    lam, s3 = aws.client("lambda"), aws.client("s3")
    arn = create(lam, "on-upload", RECORDS)
    s3.create_bucket(Bucket="uploads")
    lam.add_permission(FunctionName="on-upload", StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::uploads", SourceAccount=aws.account)
    s3.put_bucket_notification_configuration(Bucket="uploads", NotificationConfiguration=_config(arn))
    assert s3.get_bucket_notification_configuration(Bucket="uploads")["LambdaFunctionConfigurations"][0][
        "LambdaFunctionArn"] == arn
    s3.put_object(Bucket="uploads", Key="elsewhere/x.txt", Body=b"skipped by the prefix")
    s3.put_object(Bucket="uploads", Key="in/photo 1.jpg", Body=b"12345")
    assert aws.emulator.service("lambda").wait_for_invocations(10)
    found = aws.client("logs").filter_log_events(logGroupName="/aws/lambda/on-upload", filterPattern="EVENT")["events"]
    assert len(found) == 1
    record = json.loads(found[0]["message"][len("EVENT "):])["Records"][0]
    assert record["eventSource"] == "aws:s3" and record["eventName"] == "ObjectCreated:Put"
    assert record["eventVersion"] == "2.1" and record["s3"]["configurationId"] == "to-fn"
    assert record["s3"]["bucket"]["name"] == "uploads" and record["s3"]["bucket"]["arn"] == "arn:aws:s3:::uploads"
    assert record["s3"]["object"]["key"] == "in/photo+1.jpg" and record["s3"]["object"]["size"] == 5


def test_a_function_without_s3_permission_is_refused(aws: Harness) -> None:
    lam, s3 = aws.client("lambda"), aws.client("s3")
    arn = create(lam, "closed", RECORDS)
    s3.create_bucket(Bucket="guarded")
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket="guarded", NotificationConfiguration=_config(arn))
    assert code(exc) == "InvalidArgument"
    assert message(exc) == "Unable to validate the following destination configurations"
    assert exc.value.response["Error"]["ArgumentValue1"] == f"Not authorized to invoke function [{arn}]"
    # A permission for another bucket does not do either.
    lam.add_permission(FunctionName="closed", StatementId="other", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::other-bucket")
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket="guarded", NotificationConfiguration=_config(arn))
    assert code(exc) == "InvalidArgument"
    assert "LambdaFunctionConfigurations" not in s3.get_bucket_notification_configuration(Bucket="guarded")
    # A missing function is refused the same way; SkipDestinationValidation skips the check.
    missing = arn.replace(":closed", ":missing")
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket="guarded", NotificationConfiguration=_config(missing))
    assert exc.value.response["Error"]["ArgumentValue1"] == f"Not authorized to invoke function [{missing}]"
    s3.put_bucket_notification_configuration(Bucket="guarded", NotificationConfiguration=_config(missing),
                                             SkipDestinationValidation=True)
    assert s3.get_bucket_notification_configuration(Bucket="guarded")["LambdaFunctionConfigurations"]
