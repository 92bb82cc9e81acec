"""A sweep of calls over every hand-written service, errors included, for comparing the direct
mode with the wire mode (``test_identity.py``). ``run(call)`` drives it: ``call(client, name,
**params)`` makes one call and answers its result (None when it failed)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

Call = Callable[..., Any]

ROLE_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def sts(client: Callable[[str], Any], call: Call) -> None:
    sts = client("sts")
    call(sts, "get_caller_identity")
    call(sts, "get_session_token", DurationSeconds=900)
    call(sts, "assume_role", RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="sweep")
    call(sts, "assume_role", RoleArn="arn:aws:iam::123456789012:nothing/x", RoleSessionName="bad name!")
    call(sts, "decode_authorization_message", EncodedMessage="x")


def s3(client: Callable[[str], Any], call: Call) -> None:
    s3 = client("s3")
    call(s3, "create_bucket", Bucket="direct-sweep")
    call(s3, "create_bucket", Bucket="direct-sweep")
    call(s3, "create_bucket", Bucket="Bad_Bucket")
    call(s3, "list_buckets")
    call(s3, "put_object", Bucket="direct-sweep", Key="a/1.txt", Body=b"hello", ContentType="text/plain",
         Metadata={"Owner": "Me"})
    call(s3, "put_object", Bucket="direct-sweep", Key="a/2 two+.txt", Body=io.BytesIO(b"x" * 100))
    call(s3, "put_object", Bucket="direct-sweep", Key="b.txt", Body="text body", ChecksumAlgorithm="SHA256")
    call(s3, "head_object", Bucket="direct-sweep", Key="a/1.txt")
    call(s3, "head_object", Bucket="direct-sweep", Key="missing")
    call(s3, "get_object", Bucket="direct-sweep", Key="a/1.txt")
    call(s3, "get_object", Bucket="direct-sweep", Key="a/1.txt", Range="bytes=1-2")
    call(s3, "get_object", Bucket="direct-sweep", Key="missing")
    call(s3, "list_objects_v2", Bucket="direct-sweep")
    call(s3, "list_objects_v2", Bucket="direct-sweep", Prefix="a/", Delimiter="/", MaxKeys=1)
    call(s3, "list_objects_v2", Bucket="direct-sweep", Prefix="zzz")
    call(s3, "list_objects", Bucket="direct-sweep", Delimiter="/")
    call(s3, "list_objects_v2", Bucket="no-such-bucket-here")
    call(s3, "copy_object", Bucket="direct-sweep", Key="c.txt", CopySource="direct-sweep/a/1.txt")
    call(s3, "put_bucket_tagging", Bucket="direct-sweep", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    call(s3, "get_bucket_tagging", Bucket="direct-sweep")
    call(s3, "put_bucket_versioning", Bucket="direct-sweep", VersioningConfiguration={"Status": "Enabled"})
    call(s3, "get_bucket_versioning", Bucket="direct-sweep")
    call(s3, "list_object_versions", Bucket="direct-sweep")
    call(s3, "get_bucket_location", Bucket="direct-sweep")
    call(s3, "delete_objects", Bucket="direct-sweep", Delete={"Objects": [{"Key": "c.txt"}, {"Key": "nope"}]})
    call(s3, "delete_object", Bucket="direct-sweep", Key="b.txt")
    upload = call(s3, "create_multipart_upload", Bucket="direct-sweep", Key="big")
    if upload:
        part = call(s3, "upload_part", Bucket="direct-sweep", Key="big", UploadId=upload["UploadId"], PartNumber=1,
                    Body=b"p" * 10)
        call(s3, "list_multipart_uploads", Bucket="direct-sweep")
        call(s3, "list_parts", Bucket="direct-sweep", Key="big", UploadId=upload["UploadId"])
        if part:
            call(s3, "complete_multipart_upload", Bucket="direct-sweep", Key="big", UploadId=upload["UploadId"],
                 MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]})
    call(s3, "get_bucket_policy", Bucket="direct-sweep")
    aborted = call(s3, "create_multipart_upload", Bucket="direct-sweep", Key="gone")
    if aborted:
        call(s3, "abort_multipart_upload", Bucket="direct-sweep", Key="gone", UploadId=aborted["UploadId"])
    call(s3, "delete_object", Bucket="direct-sweep", Key="never-there")
    call(s3, "delete_bucket_tagging", Bucket="direct-sweep")


def sqs(client: Callable[[str], Any], call: Call) -> None:
    sqs = client("sqs")
    url = (call(sqs, "create_queue", QueueName="sweep", Attributes={"VisibilityTimeout": "5"}) or {}).get("QueueUrl")
    call(sqs, "create_queue", QueueName="sweep.fifo", Attributes={"FifoQueue": "true"})
    call(sqs, "create_queue", QueueName="bad name!")
    call(sqs, "list_queues")
    call(sqs, "get_queue_url", QueueName="sweep")
    call(sqs, "get_queue_url", QueueName="missing")
    call(sqs, "get_queue_attributes", QueueUrl=url, AttributeNames=["All"])
    call(sqs, "send_message", QueueUrl=url, MessageBody="one",
         MessageAttributes={"n": {"DataType": "Number", "StringValue": "1"},
                            "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
    call(sqs, "send_message_batch", QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "two"},
                                                            {"Id": "b", "MessageBody": "three"}])
    received = call(sqs, "receive_message", QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"],
                    MessageAttributeNames=["All"])
    for message in (received or {}).get("Messages", []):
        call(sqs, "delete_message", QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    call(sqs, "receive_message", QueueUrl=url)
    call(sqs, "delete_message", QueueUrl=url, ReceiptHandle="garbage")
    call(sqs, "tag_queue", QueueUrl=url, Tags={"k": "v"})
    call(sqs, "list_queue_tags", QueueUrl=url)
    call(sqs, "purge_queue", QueueUrl=url)
    call(sqs, "delete_queue", QueueUrl=url)


def sns(client: Callable[[str], Any], call: Call) -> None:
    sns = client("sns")
    topic = (call(sns, "create_topic", Name="sweep", Tags=[{"Key": "k", "Value": "v"}]) or {}).get("TopicArn")
    call(sns, "create_topic", Name="sweep-empty", Tags=[], Attributes={})
    call(sns, "list_topics")
    call(sns, "get_topic_attributes", TopicArn=topic)
    call(sns, "get_topic_attributes", TopicArn="arn:aws:sns:us-east-1:123456789012:missing")
    queue = client("sqs").create_queue(QueueName="sns-sweep")["QueueUrl"]
    call(sns, "subscribe", TopicArn=topic, Protocol="sqs",
         Endpoint="arn:aws:sqs:us-east-1:123456789012:sns-sweep", ReturnSubscriptionArn=True)
    call(sns, "list_subscriptions_by_topic", TopicArn=topic)
    call(sns, "publish", TopicArn=topic, Message="hello", Subject="s",
         MessageAttributes={"a": {"DataType": "String", "StringValue": "v"}})
    call(client("sqs"), "receive_message", QueueUrl=queue, MaxNumberOfMessages=10)
    call(sns, "publish_batch", TopicArn=topic, PublishBatchRequestEntries=[{"Id": "1", "Message": "m"}])
    call(sns, "list_tags_for_resource", ResourceArn=topic)
    call(sns, "publish", TopicArn=topic, Message="")
    call(sns, "delete_topic", TopicArn=topic)


def dynamodb(client: Callable[[str], Any], call: Call) -> None:
    ddb = client("dynamodb")
    call(ddb, "create_table", TableName="sweep", BillingMode="PAY_PER_REQUEST",
         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                               {"AttributeName": "sk", "AttributeType": "N"}],
         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
         StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    call(ddb, "describe_table", TableName="sweep")
    call(ddb, "describe_table", TableName="missing")
    call(ddb, "list_tables")
    for n in range(5):
        call(ddb, "put_item", TableName="sweep", Item={"pk": {"S": "a"}, "sk": {"N": str(n)},
                                                       "data": {"B": b"\x00" + bytes([n])},
                                                       "tags": {"SS": ["x", "y"]}, "m": {"M": {"l": {"L": [
                                                           {"NULL": True}, {"BOOL": False}]}}}})
    call(ddb, "get_item", TableName="sweep", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    call(ddb, "get_item", TableName="sweep", Key={"pk": {"S": "zz"}, "sk": {"N": "1"}})
    call(ddb, "get_item", TableName="sweep", Key={"pk": {"S": "a"}})
    call(ddb, "query", TableName="sweep", KeyConditionExpression="pk = :p", ExpressionAttributeValues={
        ":p": {"S": "a"}}, Limit=2, ReturnConsumedCapacity="TOTAL")
    call(ddb, "scan", TableName="sweep", Select="COUNT")
    call(ddb, "update_item", TableName="sweep", Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
         UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "1.50"}}, ReturnValues="ALL_NEW")
    call(ddb, "put_item", TableName="sweep", Item={"pk": {"S": "a"}, "sk": {"N": "1"}},
         ConditionExpression="attribute_not_exists(pk)")
    call(ddb, "batch_get_item", RequestItems={"sweep": {"Keys": [{"pk": {"S": "a"}, "sk": {"N": "2"}}]}})
    call(ddb, "transact_write_items", TransactItems=[{"Put": {"TableName": "sweep", "Item": {
        "pk": {"S": "t"}, "sk": {"N": "0"}}}}])
    call(ddb, "delete_item", TableName="sweep", Key={"pk": {"S": "a"}, "sk": {"N": "0"}}, ReturnValues="ALL_OLD")
    streams = client("dynamodbstreams")
    listed = call(streams, "list_streams", TableName="sweep")
    for stream in (listed or {}).get("Streams", [])[:1]:
        described = call(streams, "describe_stream", StreamArn=stream["StreamArn"])
        for shard in ((described or {}).get("StreamDescription") or {}).get("Shards", [])[:1]:
            iterator = call(streams, "get_shard_iterator", StreamArn=stream["StreamArn"], ShardId=shard["ShardId"],
                            ShardIteratorType="TRIM_HORIZON")
            if iterator:
                call(streams, "get_records", ShardIterator=iterator["ShardIterator"])


def iam(client: Callable[[str], Any], call: Call) -> None:
    iam = client("iam")
    call(iam, "create_user", UserName="sweep", Tags=[{"Key": "k", "Value": "v"}])
    call(iam, "create_user", UserName="sweep")
    call(iam, "create_user", UserName="sweep-untagged", Tags=[])
    call(iam, "get_user", UserName="sweep")
    call(iam, "get_user", UserName="missing")
    call(iam, "list_users")
    call(iam, "create_access_key", UserName="sweep")
    call(iam, "list_access_keys", UserName="sweep")
    call(iam, "create_role", RoleName="sweep-role", AssumeRolePolicyDocument=ROLE_TRUST)
    policy = call(iam, "create_policy", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    if policy:
        call(iam, "attach_role_policy", RoleName="sweep-role", PolicyArn=policy["Policy"]["Arn"])
        call(iam, "get_policy_version", PolicyArn=policy["Policy"]["Arn"], VersionId="v1")
    call(iam, "list_attached_role_policies", RoleName="sweep-role")
    call(iam, "list_roles")
    call(iam, "get_account_summary")


def kms(client: Callable[[str], Any], call: Call) -> None:
    kms = client("kms")
    key = (call(kms, "create_key", Description="sweep") or {}).get("KeyMetadata", {}).get("KeyId")
    call(kms, "describe_key", KeyId=key)
    call(kms, "describe_key", KeyId="alias/missing")
    call(kms, "create_alias", AliasName="alias/sweep", TargetKeyId=key)
    call(kms, "list_aliases")
    encrypted = call(kms, "encrypt", KeyId="alias/sweep", Plaintext=b"secret")
    if encrypted:
        call(kms, "decrypt", CiphertextBlob=encrypted["CiphertextBlob"])
    call(kms, "decrypt", CiphertextBlob=b"garbage")
    call(kms, "generate_data_key", KeyId=key, KeySpec="AES_256")
    call(kms, "list_keys")
    call(kms, "schedule_key_deletion", KeyId=key, PendingWindowInDays=7)


def secretsmanager(client: Callable[[str], Any], call: Call) -> None:
    sm = client("secretsmanager")
    call(sm, "create_secret", Name="sweep", SecretString="s3cr3t")
    call(sm, "create_secret", Name="sweep-bin", SecretBinary=b"\x00\x01")
    call(sm, "get_secret_value", SecretId="sweep")
    call(sm, "get_secret_value", SecretId="sweep-bin")
    call(sm, "get_secret_value", SecretId="missing")
    call(sm, "describe_secret", SecretId="sweep")
    call(sm, "put_secret_value", SecretId="sweep", SecretString="two")
    call(sm, "list_secret_version_ids", SecretId="sweep")
    call(sm, "list_secrets")
    call(sm, "delete_secret", SecretId="sweep", ForceDeleteWithoutRecovery=True)


def ssm(client: Callable[[str], Any], call: Call) -> None:
    ssm = client("ssm")
    call(ssm, "put_parameter", Name="/sweep/a", Value="1", Type="String")
    call(ssm, "put_parameter", Name="/sweep/b", Value="2", Type="SecureString")
    call(ssm, "put_parameter", Name="/sweep/a", Value="1", Type="String")
    call(ssm, "get_parameter", Name="/sweep/b", WithDecryption=True)
    call(ssm, "get_parameter", Name="/sweep/missing")
    call(ssm, "get_parameters_by_path", Path="/sweep")
    call(ssm, "describe_parameters")
    call(ssm, "get_parameter_history", Name="/sweep/a")
    call(ssm, "delete_parameter", Name="/sweep/a")


def logs(client: Callable[[str], Any], call: Call) -> None:
    logs = client("logs")
    call(logs, "create_log_group", logGroupName="sweep")
    call(logs, "create_log_group", logGroupName="sweep")
    call(logs, "create_log_stream", logGroupName="sweep", logStreamName="s")
    call(logs, "describe_log_groups")
    call(logs, "put_log_events", logGroupName="sweep", logStreamName="s",
         logEvents=[{"timestamp": 1_700_000_000_000, "message": "m"}])
    call(logs, "get_log_events", logGroupName="sweep", logStreamName="s")
    call(logs, "filter_log_events", logGroupName="sweep")
    call(logs, "describe_log_streams", logGroupName="sweep")
    call(logs, "describe_log_streams", logGroupName="missing")


def lambda_(client: Callable[[str], Any], call: Call) -> None:
    import zipfile

    lam = client("lambda")
    iam = client("iam")
    role = iam.create_role(RoleName="sweep-fn", AssumeRolePolicyDocument=ROLE_TRUST)["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    call(lam, "create_function", FunctionName="sweep", Runtime="python3.12", Role=role, Handler="index.handler",
         Code={"ZipFile": buffer.getvalue()}, Tags={"k": "v"})
    call(lam, "get_function", FunctionName="sweep")
    call(lam, "get_function", FunctionName="missing")
    call(lam, "list_functions")
    call(lam, "publish_version", FunctionName="sweep")
    call(lam, "list_versions_by_function", FunctionName="sweep")
    call(lam, "create_alias", FunctionName="sweep", Name="live", FunctionVersion="1")
    call(lam, "add_permission", FunctionName="sweep", StatementId="s", Action="lambda:InvokeFunction",
         Principal="s3.amazonaws.com")
    call(lam, "get_policy", FunctionName="sweep")
    call(lam, "list_tags", Resource="arn:aws:lambda:us-east-1:123456789012:function:sweep")
    call(lam, "get_account_settings")
    call(lam, "delete_function", FunctionName="sweep")


def events(client: Callable[[str], Any], call: Call) -> None:
    ev = client("events")
    call(ev, "create_event_bus", Name="sweep")
    call(ev, "put_rule", Name="r", EventPattern=json.dumps({"source": ["x"]}))
    call(ev, "describe_rule", Name="r")
    call(ev, "describe_rule", Name="missing")
    call(ev, "put_targets", Rule="r", Targets=[{"Id": "1", "Arn": "arn:aws:sqs:us-east-1:123456789012:none"}])
    call(ev, "list_targets_by_rule", Rule="r")
    call(ev, "put_events", Entries=[{"Source": "x", "DetailType": "d", "Detail": "{}"}])
    call(ev, "list_rules")
    call(ev, "list_event_buses")


def scheduler(client: Callable[[str], Any], call: Call) -> None:
    sch = client("scheduler")
    call(sch, "create_schedule", Name="sweep", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"},
         Target={"Arn": "arn:aws:sqs:us-east-1:123456789012:none", "RoleArn": "arn:aws:iam::123456789012:role/r"})
    call(sch, "get_schedule", Name="sweep")
    call(sch, "get_schedule", Name="missing")
    call(sch, "list_schedules")
    call(sch, "list_schedule_groups")


def generic(client: Callable[[str], Any], call: Call) -> None:
    """A few services the generic engine serves (the direct path reaches them alike)."""
    ec2 = client("ec2")
    call(ec2, "describe_vpcs")
    call(ec2, "describe_vpcs", VpcIds=[], Filters=[])
    call(ec2, "create_vpc", CidrBlock="10.0.0.0/16")
    sfn = client("stepfunctions")
    call(sfn, "list_state_machines")


SWEEP = [sts, s3, sqs, sns, dynamodb, iam, kms, secretsmanager, ssm, logs, lambda_, events, scheduler, generic]
