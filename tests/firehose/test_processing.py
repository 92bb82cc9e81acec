"""Lambda processing: a real function transforms, drops and fails records; failed ones land
under the error output prefix as JSON lines with the original data."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.firehose.conftest import body, keys, make_stream
from tests.harness import Harness
from tests.lambda_.conftest import create

TRANSFORM = '''
import base64

def handler(event, context):
    out = []
    for record in event["records"]:
        text = base64.b64decode(record["data"]).decode()
        if "drop" in text:
            out.append({"recordId": record["recordId"], "result": "Dropped"})
        elif "fail" in text:
            out.append({"recordId": record["recordId"], "result": "ProcessingFailed", "data": record["data"]})
        else:
            data = base64.b64encode((text.upper() + "|" + event["deliveryStreamArn"].split("/")[-1] + "\\n").encode())
            out.append({"recordId": record["recordId"], "result": "Ok", "data": data.decode()})
    return {"records": out}
'''


def test_a_lambda_processor_transforms_drops_and_fails_records(firehose: Any, s3: Any, aws: Harness) -> None:
    function = create(aws.client("lambda"), "transform", TRANSFORM)
    make_stream(firehose, Prefix="ok/", ErrorOutputPrefix="bad/", BufferingHints={"IntervalInSeconds": 60},
                ProcessingConfiguration={"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
                    {"ParameterName": "LambdaArn", "ParameterValue": function}]}]})
    firehose.put_record_batch(DeliveryStreamName="deliveries", Records=[
        {"Data": b"keep one"}, {"Data": b"drop me"}, {"Data": b"fail me"}, {"Data": b"keep two"}])
    aws.emulator.clock.advance(61)
    [good] = keys(s3, "ok/")
    assert body(s3, good) == b"KEEP ONE|deliveries\nKEEP TWO|deliveries\n"
    [bad] = keys(s3, "bad/")
    assert bad.startswith("bad/") and "/deliveries-1-" in bad
    [line] = body(s3, bad).decode().splitlines()
    failure = json.loads(line)
    assert base64.b64decode(failure["rawData"]) == b"fail me"
    assert failure["errorCode"] == "Lambda.ProcessingFailed" and failure["lambdaArn"] == function


def test_a_failing_function_sends_every_record_to_the_error_output(firehose: Any, s3: Any, aws: Harness) -> None:
    function = create(aws.client("lambda"), "broken", "def handler(event, context):\n    raise ValueError('no')\n")
    make_stream(firehose, BufferingHints={"IntervalInSeconds": 60},
                ProcessingConfiguration={"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
                    {"ParameterName": "LambdaArn", "ParameterValue": function}]}]})
    firehose.put_record_batch(DeliveryStreamName="deliveries", Records=[{"Data": b"a"}, {"Data": b"b"}])
    aws.emulator.clock.advance(61)
    [key] = keys(s3)
    assert key.startswith("processing-failed/")
    failures = [json.loads(line) for line in body(s3, key).decode().splitlines()]
    assert [base64.b64decode(f["rawData"]) for f in failures] == [b"a", b"b"]
    assert {f["errorCode"] for f in failures} == {"Lambda.FunctionError"}
