"""One or more resources of every hand-written service (and one engine-served one), made through
boto3, for the tests that check a state surface holds for *every* service: the HTTP round trip
of views, and a restart with ``--state-dir``. A service added to ``IMPLEMENTED`` without a seed
here fails ``test_every_implemented_service_has_a_seed``."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

ClientFactory = Callable[[str], Any]
ROLE_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def _queue_arn(client: ClientFactory, name: str) -> str:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def sts(client: ClientFactory) -> None:
    iam = client("iam")
    arn = iam.create_role(RoleName="seed-sts", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                               "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    client("sts").assume_role(RoleArn=arn, RoleSessionName="seeded")


def s3(client: ClientFactory) -> None:
    s3 = client("s3")
    s3.create_bucket(Bucket="seed-bucket")
    s3.put_bucket_versioning(Bucket="seed-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="seed-bucket", Key="a.txt", Body=b"first")
    s3.put_object(Bucket="seed-bucket", Key="a.txt", Body=b"second")
    s3.put_object(Bucket="seed-bucket", Key="b.bin", Body=bytes(range(256)) * 64, Metadata={"kind": "seed"})


def sqs(client: ClientFactory) -> None:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="seed-queue", Attributes={"VisibilityTimeout": "45"})["QueueUrl"]
    for body in ("one", "two"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes={
            "n": {"DataType": "Number", "StringValue": "1"}})
    fifo = sqs.create_queue(QueueName="seed.fifo", Attributes={"FifoQueue": "true",
                                                               "ContentBasedDeduplication": "true"})["QueueUrl"]
    sqs.send_message(QueueUrl=fifo, MessageBody="ordered", MessageGroupId="g")


def sns(client: ClientFactory) -> None:
    topic = client("sns").create_topic(Name="seed-topic", Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
    client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=_queue_arn(client, "seed-subscriber"))


def logs(client: ClientFactory) -> None:
    logs = client("logs")
    logs.create_log_group(logGroupName="/seed/group")
    logs.create_log_stream(logGroupName="/seed/group", logStreamName="s")
    logs.put_log_events(logGroupName="/seed/group", logStreamName="s",
                        logEvents=[{"timestamp": 1_700_000_000_000, "message": "hello"}])


def lambda_(client: ClientFactory) -> None:
    role = client("iam").create_role(RoleName="seed-lambda", AssumeRolePolicyDocument=ROLE_TRUST)["Role"]["Arn"]
    lam = client("lambda")
    lam.create_function(FunctionName="seed-fn", Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": _zip("def handler(event, context):\n    return event\n")})
    lam.publish_version(FunctionName="seed-fn")
    lam.create_alias(FunctionName="seed-fn", Name="live", FunctionVersion="1")


def kms(client: ClientFactory) -> None:
    key = client("kms").create_key(Description="seed")["KeyMetadata"]["KeyId"]
    client("kms").create_alias(AliasName="alias/seed", TargetKeyId=key)


def secretsmanager(client: ClientFactory) -> None:
    sm = client("secretsmanager")
    sm.create_secret(Name="seed/secret", SecretString="s3cr3t")
    sm.put_secret_value(SecretId="seed/secret", SecretString="newer")


def ssm(client: ClientFactory) -> None:
    ssm = client("ssm")
    ssm.put_parameter(Name="/seed/plain", Value="v1", Type="String")
    ssm.put_parameter(Name="/seed/plain", Value="v2", Type="String", Overwrite=True)
    ssm.put_parameter(Name="/seed/secure", Value="hidden", Type="SecureString")


def iam(client: ClientFactory) -> None:
    iam = client("iam")
    iam.create_user(UserName="seed-user")
    iam.create_group(GroupName="seed-group")
    iam.add_user_to_group(GroupName="seed-group", UserName="seed-user")
    iam.put_user_policy(UserName="seed-user", PolicyName="inline", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))


def dynamodb(client: ClientFactory) -> None:
    ddb = client("dynamodb")
    ddb.create_table(TableName="seed-table", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    ddb.put_item(TableName="seed-table", Item={"id": {"S": "1"}, "n": {"N": "2"}, "b": {"B": b"\x00\x01"}})


def dynamodbstreams(client: ClientFactory) -> None:
    """Streams are the table's: a table with a stream and a change in it (the table made here
    unless the dynamodb seed made it already)."""
    if "seed-table" not in client("dynamodb").list_tables()["TableNames"]:
        dynamodb(client)
    client("dynamodb").put_item(TableName="seed-table", Item={"id": {"S": "2"}})


def kinesis(client: ClientFactory) -> None:
    kinesis = client("kinesis")
    kinesis.create_stream(StreamName="seed-stream", ShardCount=2)
    kinesis.put_record(StreamName="seed-stream", Data=b"record", PartitionKey="k")


def firehose(client: ClientFactory) -> None:
    client("s3").create_bucket(Bucket="seed-delivery")
    client("firehose").create_delivery_stream(
        DeliveryStreamName="seed-firehose", DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={"BucketARN": "arn:aws:s3:::seed-delivery",
                                            "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                                            "BufferingHints": {"IntervalInSeconds": 300, "SizeInMBs": 5}})
    client("firehose").put_record(DeliveryStreamName="seed-firehose", Record={"Data": b"buffered"})


def scheduler(client: ClientFactory) -> None:
    client("scheduler").create_schedule(
        Name="seed-schedule", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": _queue_arn(client, "seed-scheduled"), "RoleArn": "arn:aws:iam::123456789012:role/s",
                "Input": "{}"})


def events(client: ClientFactory) -> None:
    events = client("events")
    events.create_event_bus(Name="seed-bus")
    events.put_rule(Name="seed-rule", EventBusName="seed-bus", EventPattern=json.dumps({"source": ["seed"]}))
    events.put_targets(Rule="seed-rule", EventBusName="seed-bus",
                       Targets=[{"Id": "q", "Arn": _queue_arn(client, "seed-events")}])


def cloudwatch(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    cw.put_metric_data(Namespace="Seed", MetricData=[{"MetricName": "Hits", "Value": 3.0, "Unit": "Count"}])
    cw.put_metric_alarm(AlarmName="seed-alarm", Namespace="Seed", MetricName="Hits", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=10, ComparisonOperator="GreaterThanThreshold")


def glue(client: ClientFactory) -> None:
    """An engine-served service stands for the generic engine's views."""
    client("glue").create_database(DatabaseInput={"Name": "seed_db", "Description": "engine-served"})


SEEDS: dict[str, Callable[[ClientFactory], None]] = {
    "sts": sts, "s3": s3, "sqs": sqs, "sns": sns, "logs": logs, "lambda": lambda_, "kms": kms,
    "secretsmanager": secretsmanager, "ssm": ssm, "iam": iam, "dynamodb": dynamodb,
    "dynamodbstreams": dynamodbstreams, "kinesis": kinesis, "firehose": firehose, "scheduler": scheduler,
    "events": events, "cloudwatch": cloudwatch, "glue": glue,
}
