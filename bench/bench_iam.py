"""The cost of IAM enforcement per request: SQS GetQueueUrl signed with an IAM user's access key,
the user holding ten attached managed policies (plus a group's), with enforcement off and on,
against the botocore floor.

Run: ``.venv/bin/python bench/bench_iam.py``. The issue's target: enforcement costs less than 15%
of throughput (``on / off`` above 0.85).
"""

from __future__ import annotations

import json

from common import client, floor_client, main, target

QUEUE = "bench"


def _policy(index: int) -> str:
    """A realistic policy: a few statements, wildcards and a condition; only the last allows SQS."""
    statements = [
        {"Effect": "Allow", "Action": [f"s3:Get{index}*", "s3:List*"], "Resource": f"arn:aws:s3:::bucket-{index}/*"},
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": f"arn:aws:dynamodb:*:*:table/t{index}",
         "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
    ]
    if index == 9:
        statements.append({"Effect": "Allow", "Action": "sqs:Get*", "Resource": "arn:aws:sqs:*:*:bench"})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _user_client(enforce: bool):
    import hoarfrost

    mock = hoarfrost.mock_aws(enforce_iam=enforce)
    mock.__enter__()
    iam = client("iam")
    client("sqs").create_queue(QueueName=QUEUE)
    iam.create_user(UserName="bench")
    for index in range(10):
        arn = iam.create_policy(PolicyName=f"p{index}", PolicyDocument=_policy(index))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="bench", PolicyArn=arn)
    key = iam.create_access_key(UserName="bench")["AccessKey"]
    sqs = client("sqs", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    sqs.get_queue_url(QueueName=QUEUE)  # warm: allowed
    return mock, sqs


@target("floor (botocore, canned answers)", group="in-process")
def floor():
    sqs = floor_client("sqs", lambda c: c.create_queue(QueueName=QUEUE) and c.get_queue_url(QueueName=QUEUE))
    yield lambda: sqs.get_queue_url(QueueName=QUEUE)


@target("hoarfrost, enforcement off", group="in-process")
def enforcement_off():
    mock, sqs = _user_client(False)
    yield lambda: sqs.get_queue_url(QueueName=QUEUE)
    mock.__exit__(None, None, None)


@target("hoarfrost, enforcement on (10 policies)", group="in-process")
def enforcement_on():
    mock, sqs = _user_client(True)
    yield lambda: sqs.get_queue_url(QueueName=QUEUE)
    mock.__exit__(None, None, None)


if __name__ == "__main__":
    main(
        "SQS GetQueueUrl signed by an IAM user with ten attached policies (boto3, in-process)",
        reference="floor (botocore, canned answers)",
        ratios=[
            ("off / floor", "hoarfrost, enforcement off", "floor (botocore, canned answers)"),
            ("on / floor", "hoarfrost, enforcement on (10 policies)", "floor (botocore, canned answers)"),
            ("on / off", "hoarfrost, enforcement on (10 policies)", "hoarfrost, enforcement off"),
        ],
    )
