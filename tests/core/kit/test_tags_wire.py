"""Tag rules through boto3: the 51st tag, key and value lengths, the aws: prefix and counting on
the union, each answered with the service's own error."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness


def _error(exc_info: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = exc_info.value.response["Error"]
    return error["Code"], error["Message"]


def _tags(count: int, prefix: str = "k") -> list[dict[str, str]]:
    return [{"Key": f"{prefix}{index}", "Value": "v"} for index in range(count)]


# -- SNS --------------------------------------------------------------------------------------
def test_sns_tag_limit_counts_the_union(aws: Harness) -> None:
    sns = aws.client("sns")
    arn = sns.create_topic(Name="t", Tags=_tags(30))["TopicArn"]
    sns.tag_resource(ResourceArn=arn, Tags=_tags(20, "x"))  # 50 in all
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k0", "Value": "new"}])  # overwriting is no new tag
    with pytest.raises(ClientError) as exc_info:
        sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k0", "Value": "again"}, {"Key": "the51st", "Value": "v"}])
    assert _error(exc_info) == ("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded")
    tags = {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=arn)["Tags"]}
    assert len(tags) == 50 and tags["k0"] == "new"  # the refused request changed nothing
    with pytest.raises(ClientError) as exc_info:
        sns.create_topic(Name="u", Tags=_tags(51))
    assert _error(exc_info)[0] == "TagLimitExceeded"


@pytest.mark.parametrize("key", ["aws:owner", "AWS:owner"])
def test_sns_refuses_aws_tags(aws: Harness, key: str) -> None:
    sns = aws.client("sns")
    arn = sns.create_topic(Name="t")["TopicArn"]
    message = f"Invalid parameter: Tags Reason: Tag keys starting with 'aws:' are reserved: {key}"
    for call in (lambda: sns.tag_resource(ResourceArn=arn, Tags=[{"Key": key, "Value": "v"}]),
                 lambda: sns.create_topic(Name="other", Tags=[{"Key": key, "Value": "v"}])):
        with pytest.raises(ClientError) as exc_info:
            call()
        assert _error(exc_info) == ("InvalidParameter", message)
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == []


@pytest.mark.parametrize("tag", [{"Key": "k" * 129, "Value": "v"}, {"Key": "k", "Value": "v" * 257}])
def test_sns_tag_lengths(aws: Harness, tag: dict[str, str]) -> None:
    # The model's length constraints answer first (the pipeline's ValidationError, as AWS).
    sns = aws.client("sns")
    arn = sns.create_topic(Name="t")["TopicArn"]
    with pytest.raises(ClientError) as exc_info:
        sns.tag_resource(ResourceArn=arn, Tags=[tag])
    assert _error(exc_info)[0] == "ValidationError"
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k" * 128, "Value": "v" * 256}])  # the limits themselves


def test_sns_refuses_removing_an_aws_tag(aws: Harness) -> None:
    sns = aws.client("sns")
    arn = sns.create_topic(Name="t", Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
    with pytest.raises(ClientError) as exc_info:
        sns.untag_resource(ResourceArn=arn, TagKeys=["team", "aws:cloudformation:stack-name"])
    assert _error(exc_info)[0] == "InvalidParameter"
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "a"}]


# -- SQS --------------------------------------------------------------------------------------
def test_sqs_tag_limit_counts_the_union(aws: Harness) -> None:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="q", tags={f"k{i}": "v" for i in range(30)})["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={f"x{i}": "v" for i in range(20)})
    sqs.tag_queue(QueueUrl=url, Tags={"k0": "new"})
    with pytest.raises(ClientError) as exc_info:
        sqs.tag_queue(QueueUrl=url, Tags={"the51st": "v"})
    assert _error(exc_info) == ("InvalidParameterValue", "Too many tags added for queue. The maximum is 50.")
    assert len(sqs.list_queue_tags(QueueUrl=url)["Tags"]) == 50
    with pytest.raises(ClientError) as exc_info:
        sqs.create_queue(QueueName="r", tags={f"k{i}": "v" for i in range(51)})
    assert _error(exc_info) == ("InvalidParameterValue", "Too many tags added for queue. The maximum is 50.")


@pytest.mark.parametrize("tags", [{"k" * 129: "v"}, {"k": "v" * 257}, {"aws:owner": "v"}, {"Aws:Owner": "v"}])
def test_sqs_refuses_bad_tags(aws: Harness, tags: dict[str, str]) -> None:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    with pytest.raises(ClientError) as exc_info:
        sqs.tag_queue(QueueUrl=url, Tags=tags)
    assert _error(exc_info)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError) as exc_info:
        sqs.create_queue(QueueName="r", tags=tags)
    assert _error(exc_info)[0] == "InvalidParameterValue"
    assert sqs.list_queue_tags(QueueUrl=url).get("Tags", {}) == {}
    with pytest.raises(ClientError) as exc_info:
        sqs.untag_queue(QueueUrl=url, TagKeys=["aws:owner"])
    assert _error(exc_info)[0] == "InvalidParameterValue"


# -- S3 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("tag_set", "message"), [
    ([{"Key": "aws:owner", "Value": "v"}], "System tags cannot be added/updated by requester"),
    ([{"Key": "k" * 129, "Value": "v"}], "The TagKey you have provided is too long, max 128"),
    ([{"Key": "k", "Value": "v" * 257}], "The TagValue you have provided is too long, max 256"),
    ([{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}], "Cannot provide multiple Tags with the same key"),
    (_tags(51), "Bucket tag count cannot be greater than 50"),
])
def test_s3_bucket_tagging_errors(aws: Harness, tag_set: list[dict[str, str]], message: str) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="tagged-bucket")
    with pytest.raises(ClientError) as exc_info:
        s3.put_bucket_tagging(Bucket="tagged-bucket", Tagging={"TagSet": tag_set})
    assert _error(exc_info) == ("InvalidTag", message)
    s3.put_bucket_tagging(Bucket="tagged-bucket", Tagging={"TagSet": _tags(50)})
    assert len(s3.get_bucket_tagging(Bucket="tagged-bucket")["TagSet"]) == 50


def test_s3_object_tags_are_checked_in_the_header_too(aws: Harness) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="tagged-bucket")
    with pytest.raises(ClientError) as exc_info:
        s3.put_object_tagging(Bucket="tagged-bucket", Key="k", Tagging={"TagSet": _tags(11)})
    assert _error(exc_info)[0] == "NoSuchKey"  # the object comes first
    s3.put_object(Bucket="tagged-bucket", Key="k", Body=b"", Tagging="a=1&b=2")
    assert s3.get_object_tagging(Bucket="tagged-bucket", Key="k")["TagSet"] == [
        {"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    with pytest.raises(ClientError) as exc_info:
        s3.put_object(Bucket="tagged-bucket", Key="k2", Body=b"", Tagging="&".join(f"t{i}=v" for i in range(11)))
    assert _error(exc_info) == ("BadRequest", "Object tags cannot be greater than 10")
    with pytest.raises(ClientError) as exc_info:
        s3.put_object(Bucket="tagged-bucket", Key="k2", Body=b"", Tagging="aws%3Aowner=v")
    assert _error(exc_info) == ("InvalidTag", "System tags cannot be added/updated by requester")
    assert "Contents" not in s3.list_objects_v2(Bucket="tagged-bucket", Prefix="k2")
